// random.test.mjs: many random shapes and options, every build against an
// independent float64 JS reference (tests/reference.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttention, parseCase } from '../web/attention.mjs';
import { referenceForward } from './reference.mjs';
import { seededRandom, randomCase, compareStages, driverScript, runDriver, NATIVE, TESTED_BUILDS, TESTED_WASM_BUILDS } from './helpers.mjs';

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

for (const build of TESTED_WASM_BUILDS) {
  test(`${build} wasm build agrees with the float64 reference on ${all.length} random cases`, async () => {
    const attention = await createAttention({ build });
    all.forEach((c, i) => {
      const failures = compareStages(attention.forward(c), want[i]);
      assert.deepEqual(failures, [], `case ${i} (seeded ${SEED}): ${failures[0]}\n${JSON.stringify(c)}`);
    });
  });
}

test('native build agrees with the float64 reference on the same random cases', { skip: !TESTED_BUILDS.includes('native') && 'ATTN_BUILDS leaves it out' }, async () => {
  const { configFields } = await createAttention();
  const run = runDriver(NATIVE, all.map((c) => driverScript(parseCase(c), configFields)).join(''));
  assert.equal(run.status, 0, run.stderr);
  all.forEach((c, i) => {
    const failures = compareStages(run.results[i], want[i]);
    assert.deepEqual(failures, [], `case ${i}: ${failures[0]}`);
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
