// core.test.mjs: the SIMD wasm, the scalar wasm and the native build each
// meet every PyTorch fixture, stage by stage, and every gradient of its
// backward pass (torch.autograd's); the native build also under
// AddressSanitizer and UndefinedBehaviorSanitizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttention, parseCase, sumSharedInputs } from '../web/attention.mjs';
import { loadFixtures, compareStages, driverScript, runDriver, NATIVE, NATIVE_ASAN } from './helpers.mjs';

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

for (const simd of [true, false]) {
  test(`${simd ? 'SIMD' : 'scalar'} wasm build meets every fixture`, async (t) => {
    const attention = await createAttention({ simd });
    assert.equal(attention.simd, simd);
    for (const f of fixtures) {
      await t.test(f.name, () => {
        const failures = compareStages(attention.forward(f.case), f.stages);
        assert.deepEqual(failures, [], failures[0]);
      });
    }
  });

  test(`${simd ? 'SIMD' : 'scalar'} wasm build's backward meets every fixture's autograd gradients`, async (t) => {
    const attention = await createAttention({ simd });
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

// All fixtures through one driver process, forward then backward: every
// reconfiguration too.
for (const [label, binary] of [['native', NATIVE], ['native under ASan+UBSan', NATIVE_ASAN]]) {
  test(`${label} build meets every fixture, stages and gradients`, async () => {
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
