// core.test.mjs: the relaxed-SIMD, SIMD and scalar wasm builds and the
// native build each meet every PyTorch fixture, stage by stage; the native
// build also under AddressSanitizer and UndefinedBehaviorSanitizer. Which
// builds: TESTED_BUILDS (helpers.mjs; relaxed.test.mjs runs the relaxed one
// where Node needs a flag for it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttention, parseCase } from '../web/attention.mjs';
import { loadFixtures, compareStages, driverScript, runDriver, overflowingCase, NATIVE, NATIVE_ASAN, TESTED_BUILDS, TESTED_WASM_BUILDS } from './helpers.mjs';

const fixtures = loadFixtures();

test('the fixtures cover every option', () => {
  const names = fixtures.map((f) => f.name);
  for (const name of ['lecture', 'two_heads', 'no_bias', 'causal_bool_mask', 'float_mask', 'padding_mask',
    'add_bias_kv', 'add_zero_attn', 'bias_kv_and_zero_attn', 'cross_attention', 'kdim_vdim', 'per_head_weights',
    'huge_logits', 'fully_masked_row', 'single_token', 'mid_size'])
    assert.ok(names.includes(name), `fixture ${name} is missing`);
  for (const f of fixtures) assert.match(f.torch_version, /^1\.13/, `${f.name} was not made by PyTorch 1.13`);
});

for (const build of TESTED_WASM_BUILDS) {
  test(`${build} wasm build meets every fixture`, async (t) => {
    const attention = await createAttention({ build });
    assert.equal(attention.build, build);
    for (const f of fixtures) {
      await t.test(f.name, () => {
        const failures = compareStages(attention.forward(f.case), f.stages);
        assert.deepEqual(failures, [], failures[0]);
      });
    }
  });
}

/* overflowingCase() (helpers.mjs): PyTorch 1.13 gives NaN at scores[0][0]
 * and scores[2][0] and +inf beside them; a fused multiply-add alone would
 * give +inf at both. */
for (const build of TESTED_WASM_BUILDS) {
  test(`${build} wasm build: where a product overflows float32, PyTorch's infinities and NaNs`, async () => {
    const got = (await createAttention({ build })).forward(overflowingCase());
    assert.deepEqual(Array.from(got.scores.data.filter((x, i) => i % 3 === 0)), [NaN, Infinity, NaN]);
    assert.equal(got.scores.data[1], Infinity);
    const scalar = (await createAttention({ build: 'scalar' })).forward(overflowingCase());
    assert.deepEqual(compareStages(got, scalar), [], 'every stage as the scalar build, NaN and ±inf exactly');
  });
}

// All fixtures through one driver process: every reconfiguration too.
for (const [label, binary] of [['native', NATIVE], ['native under ASan+UBSan', NATIVE_ASAN]]) {
  test(`${label} build meets every fixture`, { skip: !TESTED_BUILDS.includes('native') && 'ATTN_BUILDS leaves it out' }, async () => {
    const { configFields } = await createAttention();
    const parsed = fixtures.map((f) => parseCase(f.case));
    const run = runDriver(binary, parsed.map((p) => driverScript(p, configFields)).join(''));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '', 'the sanitizers reported nothing');
    assert.equal(run.results.length, fixtures.length);
    fixtures.forEach((f, i) => {
      const failures = compareStages(run.results[i], f.stages);
      assert.deepEqual(failures, [], `${f.name}: ${failures[0]}`);
    });
  });
}
