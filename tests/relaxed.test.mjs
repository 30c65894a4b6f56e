// relaxed.test.mjs: the relaxed-SIMD build where it runs without a flag, and
// where Node needs one, forward and backward.
//   - In Node: core.test.mjs, random.test.mjs and binding.test.mjs again, in
//     a child Node with --experimental-wasm-relaxed-simd and
//     ATTN_BUILDS=relaxed (Node 20 runs relaxed SIMD only with the flag; a
//     Node that runs it without checked it in those suites already).
//   - In headless Chromium and Firefox, which run relaxed SIMD by default:
//     createAttention() picks the relaxed build, and it meets every fixture's
//     stages and autograd gradients, random cases (with sums longer than one
//     GEMM k-block) against the float64 reference's forward and backward,
//     and the scalar build's NaNs and infinities where a product overflows,
//     in the stages and the gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { referenceForward, referenceBackward } from './reference.mjs';
import { createAttention, supportedBuilds } from '../web/attention.mjs';
import { ROOT, NON_FINITE, loadFixtures, compareStages, seededRandom, randomCase, randomGradients, overflowingCase } from './helpers.mjs';
import { launch, BROWSERS } from './browser.mjs';

const nodeRunsRelaxed = supportedBuilds().includes('relaxed');

for (const suite of ['core.test.mjs', 'random.test.mjs', 'binding.test.mjs']) {
  test(`relaxed build, ${suite} in Node with --experimental-wasm-relaxed-simd`, {
    skip: nodeRunsRelaxed && 'this Node runs relaxed SIMD without a flag: the suite itself checked the relaxed build',
    timeout: 5 * 60 * 1000,
  }, () => {
    const env = { ...process.env, ATTN_BUILDS: 'relaxed' };
    delete env.NODE_TEST_CONTEXT; /* the child reports in TAP, not to this runner */
    const run = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--test-reporter=tap', join(ROOT, 'tests', suite)],
      { env, encoding: 'utf8', maxBuffer: 1 << 26 });
    const report = `${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`;
    assert.equal(run.status, 0, report);
    assert.match(run.stdout, /^ok \d+ - relaxed[ :]/m, report);
    assert.match(run.stdout, /^# fail 0$/m, report);
    assert.doesNotMatch(run.stdout, /^not ok/m, report);
  });
}

/* The fixtures, random cases with every option, up to 140 rows and E = 144,
 * and a product past float32 (its NaNs and infinities as the scalar build's),
 * each with a loss (given) and the gradients it must have. */
let parity = null;
function parityCases() { return (parity ??= makeParityCases()); }
async function makeParityCases() {
  const random = seededRandom(14);
  const randoms = [
    ...Array.from({ length: 60 }, () => randomCase(random)),
    ...Array.from({ length: 8 }, () => randomCase(random, { maxLen: 40, maxHeads: 6, maxHeadDim: 20 })),
    ...Array.from({ length: 2 }, () => randomCase(random, { minLen: 130, maxLen: 140, minHeads: 2, maxHeads: 2, minHeadDim: 66, maxHeadDim: 72 })),
  ];
  const givenRandom = seededRandom(15);
  const scalar = await createAttention({ build: 'scalar' });
  const overflowing = scalar.forward(overflowingCase());
  const overflowingGiven = randomGradients(givenRandom, overflowing);
  return [
    ...loadFixtures().map((f) => ({
      name: f.name, case: f.case, want: f.stages, wantGrads: f.grads,
      given: Object.fromEntries(Object.entries(f.grad_inputs).map(([key, v]) => [key.slice('grad_'.length), v])),
    })),
    ...randoms.map((c, i) => {
      const want = referenceForward(c), given = randomGradients(givenRandom, want);
      return { name: `random ${i} (seeded 14)`, case: c, want, given, wantGrads: referenceBackward(c, given) };
    }),
    { name: 'a product past float32', case: overflowingCase(), want: overflowing, given: overflowingGiven, wantGrads: scalar.backward(overflowingGiven) },
  ];
}

for (const name of BROWSERS) {
  test(`relaxed build in ${name}: chosen by default, and it meets the fixtures and random cases, forward and backward`, { timeout: 5 * 60 * 1000 }, async () => {
    const cases = await parityCases();
    const browser = await launch(name);
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><title>relaxed</title>');
      for (const script of ['build/attn-wasm.js', 'web/case.js', 'web/core.js']) await page.addScriptTag({ path: join(ROOT, script) });
      /* (one JSON string back: Firefox's WebDriver BiDi takes seconds to pass
       * this many arrays as objects) */
      const { chosen, supported, results } = JSON.parse(await page.evaluate(async (all) => {
        const attention = await AttnCore.createAttention();
        const relaxed = await AttnCore.createAttention({ build: 'relaxed' });
        /* non-finite numbers as the fixtures' strings: they do not cross as numbers */
        const plain = (stages) => Object.fromEntries(Object.entries(stages).map(([k, { shape, data }]) =>
          [k, { shape, data: Array.from(data, (x) => (Number.isFinite(x) ? x : String(x))) }]));
        return JSON.stringify({
          chosen: attention.build, supported: AttnCore.supportedBuilds(),
          results: all.map(({ aCase, given }) => ({ stages: plain(relaxed.forward(aCase)), grads: plain(relaxed.backward(given)) })),
        });
      }, cases.map((c) => ({ aCase: c.case, given: c.given }))));
      assert.equal(chosen, 'relaxed', `${name} validates ${supported.join(', ')}`);
      const numbers = (plain) => Object.fromEntries(Object.entries(plain).map(([k, { shape, data }]) =>
        [k, { shape, data: Float64Array.from(data, (x) => (typeof x === 'string' ? NON_FINITE[x] : x)) }]));
      cases.forEach(({ name: caseName, want, wantGrads }, i) => {
        const failures = compareStages(numbers(results[i].stages), want);
        assert.deepEqual(failures, [], `${caseName}: ${failures[0]}`);
        const grads = numbers(results[i].grads);
        assert.deepEqual(Object.keys(grads).sort(), Object.keys(wantGrads).sort(), `${caseName}: the gradients returned`);
        const gradFailures = compareStages(grads, wantGrads);
        assert.deepEqual(gradFailures, [], `${caseName}, backward: ${gradFailures[0]}`);
      });
    } finally {
      await browser.close();
    }
  });
}
