// core.test.mjs: the SIMD wasm, the scalar wasm and the native build each
// meet every PyTorch fixture, stage by stage; the native build also under
// AddressSanitizer and UndefinedBehaviorSanitizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttention, parseCase } from '../web/attention.mjs';
import { loadFixtures, compareStages, driverScript, runDriver, NATIVE, NATIVE_ASAN } from './helpers.mjs';

const fixtures = loadFixtures();

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
}

// All fixtures through one driver process: every reconfiguration too.
for (const [label, binary] of [['native', NATIVE], ['native under ASan+UBSan', NATIVE_ASAN]]) {
  test(`${label} build meets every fixture`, async () => {
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
