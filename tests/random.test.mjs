// random.test.mjs: many random shapes and options, every build against an
// independent float64 JS reference (tests/reference.mjs), forward and backward;
// the reference's backward against finite differences of its forward.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttention, parseCase, sumSharedInputs } from '../web/attention.mjs';
import { referenceForward, referenceBackward } from './reference.mjs';
import { seededRandom, randomCase, randomGradients, compareStages, driverScript, runDriver, NATIVE, TESTED_BUILDS, TESTED_WASM_BUILDS } from './helpers.mjs';

const CASES = 400;
const SEED = 20261126;

function cases(count, seed, options) {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => randomCase(random, options));
}

const small = cases(CASES, SEED);
// Larger shapes cross the 4×8 tile and 4-lane softmax edges many times over.
const large = cases(12, SEED + 1, { maxLen: 40, maxHeads: 6, maxHeadDim: 20 });
// Sums longer than one GEMM k-block (KC = 128 in kernels_simd.c), with full
// 4×8 tiles: E > 128 in the projections, S' > 128 with head_dim > 8 in context.
const deep = cases(2, SEED + 2, { minLen: 130, maxLen: 140, minHeads: 2, maxHeads: 2, minHeadDim: 66, maxHeadDim: 72 });
const all = [...small, ...large, ...deep];
const want = all.map(referenceForward);

const gradientRandom = seededRandom(SEED + 3);
const given = want.map((stages) => randomGradients(gradientRandom, stages)); /* a seeded loss for each case */
const wantGrads = all.map((c, i) => referenceBackward(c, given[i]));

/* L of the reference's forward pass, for the finite differences */
function loss(c, g) {
  const s = referenceForward(c);
  const dot = (stage, nested) => (nested ? nested.flat(Infinity).reduce((sum, x, i) => sum + x * s[stage].data[i], 0) : 0);
  return dot('output', g.output) + dot('attn_weights', g.attn_weights) + dot('weights', g.weights);
}

for (const build of TESTED_WASM_BUILDS) {
  test(`${build} wasm build agrees with the float64 reference on ${all.length} random cases`, async () => {
    const attention = await createAttention({ build });
    all.forEach((c, i) => {
      const failures = compareStages(attention.forward(c), want[i]);
      assert.deepEqual(failures, [], `case ${i} (seeded ${SEED}): ${failures[0]}\n${JSON.stringify(c)}`);
    });
  });
}

test('the reference backward pass agrees with central finite differences of the reference forward pass', () => {
  const random = seededRandom(SEED + 4);
  const H = 1e-5;
  let checked = 0;
  for (const [i, c] of small.slice(0, 60).entries()) {
    const g = given[i], base = loss(c, g), grads = wantGrads[i];
    if (!Number.isFinite(base)) continue; /* a fully masked row: NaN everywhere */
    const names = Object.keys(grads).filter((name) => name in c);
    for (let n = 0; n < 6; n++) {
      const name = names[Math.floor(random() * names.length)];
      const flat = grads[name].data, at = Math.floor(random() * flat.length);
      const nudged = (delta) => {
        const copy = structuredClone(c);
        const cell = grads[name].shape.length === 1 ? [at] : [Math.floor(at / grads[name].shape[1]), at % grads[name].shape[1]];
        if (cell.length === 1) copy[name][cell[0]] += delta; else copy[name][cell[0]][cell[1]] += delta;
        return loss(copy, g);
      };
      const fd = (nudged(H) - nudged(-H)) / (2 * H);
      assert.ok(Math.abs(fd - flat[at]) <= 1e-6 * (1 + Math.abs(flat[at])),
        `case ${i}: dL/d ${name}[${at}] is ${flat[at]} by the reference, ${fd} by finite differences`);
      checked++;
    }
  }
  assert.ok(checked >= 300, `${checked} finite differences checked`);
});

for (const build of TESTED_WASM_BUILDS) {
  test(`${build} wasm build's backward agrees with the float64 reference on ${all.length} random cases`, async () => {
    const attention = await createAttention({ build });
    all.forEach((c, i) => {
      attention.forward(c);
      const got = attention.backward(given[i]);
      assert.deepEqual(Object.keys(got), Object.keys(wantGrads[i]), `case ${i}: the gradients returned`);
      const failures = compareStages(got, wantGrads[i]);
      assert.deepEqual(failures, [], `case ${i} (seeded ${SEED}): ${failures[0]}\n${JSON.stringify(c)}`);
    });
  });
}

test('native build agrees with the float64 reference on the same random cases', { skip: !TESTED_BUILDS.includes('native') && 'ATTN_BUILDS leaves it out' }, async () => {
  const { configFields } = await createAttention();
  const parsed = all.map((c) => parseCase(c));
  const grads = (g) => Object.fromEntries(Object.entries(g).map(([stage, nested]) => [stage, nested.flat(Infinity)]));
  const run = runDriver(NATIVE, parsed.map((p, i) => driverScript(p, configFields, 'forward', grads(given[i]))).join(''));
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.results.length, 2 * all.length);
  all.forEach((c, i) => {
    const failures = compareStages(run.results[2 * i], want[i]);
    assert.deepEqual(failures, [], `case ${i}: ${failures[0]}`);
    const gradFailures = compareStages(sumSharedInputs(run.results[2 * i + 1], parsed[i].inputs), wantGrads[i]);
    assert.deepEqual(gradFailures, [], `case ${i}, backward: ${gradFailures[0]}`);
  });
});

for (const build of TESTED_WASM_BUILDS.filter((b) => b !== 'scalar')) {
  test(`${build} and scalar builds agree with each other`, async () => {
    const [simd, scalar] = await Promise.all([createAttention({ build }), createAttention({ build: 'scalar' })]);
    for (const c of large) {
      const failures = compareStages(simd.forward(c), scalar.forward(c));
      assert.deepEqual(failures, [], failures[0]);
    }
  });
}

test('results stay correct after wasm memory grows, and earlier results stay intact', async () => {
  const attention = await createAttention();
  const [first] = cases(1, 7);
  const before = attention.forward(first);
  const bytes = attention.memoryBytes();
  // 8 heads × 900 × 900 scores, weights and attn_weights: past the first 16 MiB
  const [big] = cases(1, 8, { minLen: 900, maxLen: 900, minHeads: 8, maxHeads: 8, maxHeadDim: 2 });
  const bigResult = attention.forward(big);
  assert.ok(attention.memoryBytes() > bytes, 'memory grew');
  assert.deepEqual(compareStages(bigResult, referenceForward(big)), []);
  assert.deepEqual(compareStages(before, referenceForward(first)), [], 'the first result was not overwritten');
  assert.deepEqual(compareStages(attention.forward(first), referenceForward(first)), []);
});

test('wasm memory stops growing across 10,000 forward calls with changing sizes', async () => {
  const attention = await createAttention();
  const shapes = cases(50, 99, { maxLen: 24, maxHeads: 4, maxHeadDim: 12 });
  shapes.forEach((c) => attention.forward(c)); // every size once
  const settled = attention.memoryBytes();
  for (let i = 0; i < 10000; i++) attention.forward(shapes[i % shapes.length]);
  assert.equal(attention.memoryBytes(), settled);
});

test('gradients stay correct after the gradient buffers grow wasm memory, and earlier gradients stay intact', async () => {
  const attention = await createAttention();
  const [first] = cases(1, 7);
  const firstGiven = randomGradients(seededRandom(1), referenceForward(first));
  attention.forward(first);
  const before = attention.backward(firstGiven);
  const bytes = attention.memoryBytes();
  // 4 heads × 600 × 600: the stages past the first 16 MiB, then the gradients of
  // scores and weights and their scratch past what the stages took
  const [big] = cases(1, 9, { minLen: 600, maxLen: 600, minHeads: 4, maxHeads: 4, maxHeadDim: 2 });
  attention.forward(big);
  const grown = attention.memoryBytes();
  const bigGiven = randomGradients(seededRandom(2), referenceForward(big));
  const bigGrads = attention.backward(bigGiven);
  assert.ok(attention.memoryBytes() > grown && grown > bytes, 'memory grew for the forward pass, then for the gradients');
  assert.deepEqual(compareStages(bigGrads, referenceBackward(big, bigGiven)), []);
  const firstWant = referenceBackward(first, firstGiven);
  assert.deepEqual(compareStages(before, firstWant), [], 'the first gradients were not overwritten');
  attention.forward(first);
  assert.deepEqual(compareStages(attention.backward(firstGiven), firstWant), []);
});

test('wasm memory stops growing across 2,000 forward and backward calls with changing sizes', async () => {
  const attention = await createAttention();
  const shapes = cases(50, 98, { maxLen: 24, maxHeads: 4, maxHeadDim: 12 });
  const pass = (c) => { attention.forward(c); attention.backward(); };
  shapes.forEach(pass); // every size once
  const settled = attention.memoryBytes();
  for (let i = 0; i < 2000; i++) pass(shapes[i % shapes.length]);
  assert.equal(attention.memoryBytes(), settled);
});
