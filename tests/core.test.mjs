// core.test.mjs: the relaxed-SIMD, SIMD and scalar wasm builds and the
// native build each meet every PyTorch fixture, stage by stage, and every
// gradient of its backward pass (torch.autograd's); the native build also
// under AddressSanitizer and UndefinedBehaviorSanitizer. Which builds:
// TESTED_BUILDS (helpers.mjs; relaxed.test.mjs runs the relaxed one where
// Node needs a flag for it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttention, parseCase, sumSharedInputs } from '../web/attention.mjs';
import { loadFixtures, compareStages, driverScript, runDriver, overflowingCase, NATIVE, NATIVE_ASAN, TESTED_BUILDS, TESTED_WASM_BUILDS } from './helpers.mjs';

const fixtures = loadFixtures();
/* backward()'s argument for a fixture: its grad_* keys under the stage names */
const givenOf = (f) => Object.fromEntries(Object.entries(f.grad_inputs).map(([key, v]) => [key.slice('grad_'.length), v]));
/* the gradients a fixture must have, and no other */
function checkGradients(got, f) {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(f.grads).sort(), `${f.name}: the gradients returned`);
  const failures = compareStages(got, f.grads);
  assert.deepEqual(failures, [], `${f.name}: ${failures[0]}`);
}

test('the fixtures cover every option', () => {
  const names = fixtures.map((f) => f.name);
  for (const name of ['lecture', 'two_heads', 'no_bias', 'causal_bool_mask', 'float_mask', 'padding_mask',
    'add_bias_kv', 'add_zero_attn', 'bias_kv_and_zero_attn', 'cross_attention', 'kdim_vdim', 'per_head_weights',
    'huge_logits', 'fully_masked_row', 'single_token', 'mid_size'])
    assert.ok(names.includes(name), `fixture ${name} is missing`);
  for (const f of fixtures) assert.match(f.torch_version, /^1\.13/, `${f.name} was not made by PyTorch 1.13`);
});

test('the fixtures merge every pair of mask kinds, the PyTorch 2-rule ones marked', () => {
  const kind = (m) => (m == null ? 'none' : typeof [m].flat(Infinity)[0] === 'boolean' ? 'bool' : 'float');
  const pairs = new Set(fixtures.map((f) => `${kind(f.case.attn_mask)} attn_mask, ${kind(f.case.key_padding_mask)} key_padding_mask`));
  for (const a of ['none', 'bool', 'float'])
    for (const p of ['none', 'bool', 'float']) assert.ok(pairs.has(`${a} attn_mask, ${p} key_padding_mask`), `no fixture has a ${a} attn_mask and a ${p} key_padding_mask`);
  /* 1.13's module merges a float key_padding_mask beside an attn_mask otherwise */
  for (const f of fixtures)
    assert.equal(Boolean(f.needs_pytorch2), kind(f.case.attn_mask) !== 'none' && kind(f.case.key_padding_mask) === 'float', f.name);
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

  test(`${build} wasm build's backward meets every fixture's autograd gradients`, async (t) => {
    const attention = await createAttention({ build });
    assert.equal(attention.build, build);
    for (const f of fixtures) {
      await t.test(f.name, () => {
        attention.forward(f.case);
        checkGradients(attention.backward(givenOf(f)), f);
      });
    }
  });
}

test('fixtures pin the gradients of masking: 0 at a masked score, NaN through a fully masked row, as autograd gives', () => {
  let masked = 0, fullyMasked = 0;
  for (const f of fixtures) {
    const { scores } = f.stages, [H, L, S2] = scores.shape, d = f.grads.scores.data;
    for (let r = 0; r < H * L; r++) {
      const row = Array.from(scores.data.subarray(r * S2, (r + 1) * S2));
      if (row.every((s) => s === -Infinity)) {
        fullyMasked++;
        for (let j = 0; j < S2; j++) assert.ok(Number.isNaN(d[r * S2 + j]), `${f.name}: d scores in a fully masked row`);
      } else row.forEach((s, j) => { if (s === -Infinity) { masked++; assert.ok(d[r * S2 + j] === 0, `${f.name}: d scores at a masked score is ${d[r * S2 + j]}`); } });
    }
  }
  assert.ok(masked > 20 && fullyMasked >= 4, `${masked} masked scores, ${fullyMasked} fully masked rows`);
  /* one fully masked row reaches every key through the softmax's product with v and k */
  const f = fixtures.find((x) => x.name === 'fully_masked_row');
  for (const name of ['query', 'in_proj_weight', 'k', 'v']) assert.ok(f.grads[name].data.every(Number.isNaN), `${name} all NaN`);
  for (const name of ['out_proj.bias', 'context']) assert.ok(f.grads[name].data.every(Number.isFinite), `${name} finite`);
});

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

// All fixtures through one driver process, forward then backward: every
// reconfiguration too.
for (const [label, binary] of [['native', NATIVE], ['native under ASan+UBSan', NATIVE_ASAN]]) {
  test(`${label} build meets every fixture, stages and gradients`, { skip: !TESTED_BUILDS.includes('native') && 'ATTN_BUILDS leaves it out' }, async () => {
    const { configFields } = await createAttention();
    const parsed = fixtures.map((f) => parseCase({ ...f.case, ...f.grad_inputs }));
    const grads = (p) => Object.fromEntries(Object.entries(p.grads).map(([stage, { data }]) => [stage, data]));
    const run = runDriver(binary, parsed.map((p) => driverScript(p, configFields, 'forward', grads(p))).join(''));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '', 'the sanitizers reported nothing');
    assert.equal(run.results.length, 2 * fixtures.length);
    fixtures.forEach((f, i) => {
      const failures = compareStages(run.results[2 * i], f.stages);
      assert.deepEqual(failures, [], `${f.name}: ${failures[0]}`);
      /* the driver gives the core's separate key and value gradients: in
       * self-attention they are query's too */
      checkGradients(sumSharedInputs(run.results[2 * i + 1], parsed[i].inputs), f);
    });
  });
}
