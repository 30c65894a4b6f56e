// binding.test.mjs: forward()'s fast path (a parse and a configuration kept
// while the case keeps its layout) gives bit for bit what a fresh parse gives,
// under every kind of change between calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttention, parseCase } from '../web/attention.mjs';
import { seededRandom, randomCase, compareStages, flatten } from './helpers.mjs';

/* A case with every matrix as { shape, data: Float32Array }. */
function typed(nested) {
  const { shape, data } = flatten(nested); /* booleans as 1 and 0 */
  return { shape, data: Float32Array.from(data) };
}
function typedCase(c) {
  const out = {};
  for (const [k, v] of Object.entries(c)) {
    out[k] = Array.isArray(v) ? typed(v) : v;
    if (Array.isArray(v) && k.includes('mask') && typeof v.flat(Infinity)[0] === 'boolean') out[k].dtype = 'bool';
  }
  return out;
}

for (const simd of [true, false]) {
  test(`${simd ? 'SIMD' : 'scalar'}: the fast path equals a fresh parse under every change`, async () => {
    const random = seededRandom(5);
    const fast = await createAttention({ simd });
    const fresh = await createAttention({ simd });
    const check = (c, what) => {
      let got, want, gotError, wantError;
      try { got = fast.forward(c); } catch (e) { gotError = e; }
      fresh.plan = null; /* the reference forgets everything it kept */
      fresh.parsed = { layout: null, result: null };
      try { want = fresh.forward(structuredClone(c)); } catch (e) { wantError = e; }
      if (gotError || wantError) return assert.equal(gotError?.message, wantError?.message, what);
      assert.deepEqual(compareStages(got, want, { rtol: 0, atol: 0 }), [], what);
    };
    for (let i = 0; i < 150; i++) {
      const c = typedCase(randomCase(random, { maxLen: 6 }));
      check(c, 'first');
      check(c, 'again');
      c.query.data[0] += 1;
      check(c, 'data changed in place');
      const changes = [
        () => { c.num_heads = c.num_heads === 1 ? 2 : 1; },
        () => { c.add_zero_attn = !c.add_zero_attn; },
        () => { c.average_attn_weights = !c.average_attn_weights; },
        () => { c.query = typed(Array.from({ length: c.query.shape[0] + 1 }, () => Array.from({ length: c.query.shape[1] }, () => random()))); },
        () => { c.query.shape = [c.query.shape[1], c.query.shape[0]]; },
        () => { delete c['out_proj.bias']; },
        () => { if (c.attn_mask) c.attn_mask.dtype = c.attn_mask.dtype === 'bool' ? undefined : 'bool'; },
        () => {
          const S = c.key ? c.key.shape[0] : c.query.shape[0];
          if (c.key_padding_mask) delete c.key_padding_mask; else c.key_padding_mask = { shape: [S], data: new Float32Array(S) };
        },
        () => { const q = c.query; delete c.query; c.query = q; }, /* the keys' order */
        () => { c.tokens = Array.from({ length: c.query.shape[0] }, (_, j) => `t${j}`); },
        () => { c.query = { shape: c.query.shape, data: Float64Array.from(c.query.data) }; },
        () => { fast.configure({ ...parseCase(c).config, num_heads: 1, embed_dim: 1, kdim: 1, vdim: 1 }); },
        () => { c.key = { shape: c.query.shape.slice(), data: c.query.data }; c.value = c.key; },
      ];
      try { changes[i % changes.length](); } catch { /* a change the case cannot take: the checks below still hold */ }
      check(c, `change ${i % changes.length}`);
      check(c, `change ${i % changes.length}, again`);
      try {
        const parsed = parseCase(c);
        check(parsed, 'parsed');
        parsed.inputs.query = parsed.inputs.query.map((x) => x + 1);
        check(parsed, 'parsed, changed');
      } catch { /* an invalid case: covered by the checks above */ }
      check(c, 'back');
    }
  });
}

test('warnings: PyTorch 2\'s, for the last forward()\'s case: masks of two types, and none otherwise', async () => {
  const attention = await createAttention();
  const base = randomCase(seededRandom(11), { minLen: 3, maxLen: 3 });
  delete base.attn_mask;
  delete base.key_padding_mask;
  const S = (base.key ?? base.query).length, L = base.query.length;
  const boolMask = Array.from({ length: L }, (_, i) => Array.from({ length: S }, (_, j) => j > i));
  const floatMask = boolMask.map((row) => row.map((m) => (m ? -1.5 : 0)));
  const MISMATCHED = 'Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for both instead.';
  assert.deepEqual(attention.warnings, [], 'none before any forward');
  for (const [attnMask, padding, warned] of [
    [boolMask, [false, true, false].slice(0, S), false], [boolMask, [0, -2, 0.5].slice(0, S), true],
    [floatMask, [false, true, false].slice(0, S), true], [floatMask, [0, -2, 0.5].slice(0, S), false],
    [boolMask, undefined, false], [undefined, [0, -2, 0.5].slice(0, S), false]]) {
    attention.forward({ ...base, attn_mask: attnMask, key_padding_mask: padding });
    assert.deepEqual(attention.warnings, warned ? [MISMATCHED] : [], JSON.stringify({ attnMask, padding }));
    assert.deepEqual(parseCase({ ...base, attn_mask: attnMask, key_padding_mask: padding }).warnings, attention.warnings);
  }
});

test('backward: query used as key and value (self-attention) gets the sum of its three uses, bit for bit the sum of three separate tensors\' gradients', async () => {
  const attention = await createAttention();
  const random = seededRandom(12);
  let selfAttention = null;
  for (let n = 0; n < 20; n++) {
    const c = randomCase(random, { maxLen: 6 });
    if (c.key) continue;
    selfAttention = c;
    const dOut = c.query.map((row) => row.map(() => Math.fround(random() * 2 - 1)));
    attention.forward(c);
    const self = attention.backward({ output: dOut });
    assert.ok(!('key' in self) && !('value' in self), 'no key or value of their own');
    attention.forward({ ...c, key: structuredClone(c.query), value: structuredClone(c.query) });
    const separate = attention.backward({ output: dOut });
    const sum = separate.query.data.map((x, i) => Math.fround(Math.fround(x + separate.key.data[i]) + separate.value.data[i]));
    assert.deepEqual(self.query.data, sum);
    for (const name of Object.keys(self)) if (name !== 'query') assert.deepEqual(self[name].data, separate[name].data, name);
  }
  /* typed { shape, data }: one array given as key and value is one tensor too */
  const c = typedCase(selfAttention);
  c.key = c.value = { shape: c.query.shape, data: Float32Array.from(c.query.data) };
  attention.forward(c);
  assert.deepEqual(Object.keys(attention.backward()).slice(0, 3), ['query', 'key', 'in_proj_weight']);
});

test('backward: results are copies that later calls leave alone, and a repeated call gives the same bits', async () => {
  const attention = await createAttention();
  const random = seededRandom(14);
  const c = randomCase(random, { minLen: 4, maxLen: 8 });
  const { output } = attention.forward(c);
  const dOut = { shape: output.shape, data: output.data.map(() => Math.fround(random() * 2 - 1)) };
  const first = attention.backward({ output: dOut });
  const copy = structuredClone(first);
  attention.backward({ output: { shape: output.shape, data: new Float32Array(output.data.length).fill(1) } });
  attention.forward(randomCase(random, { minLen: 9, maxLen: 12 }));
  attention.backward();
  assert.deepEqual(first, copy, 'the first result did not change');
  attention.forward(c);
  assert.deepEqual(attention.backward({ output: dOut }), copy, 'the same bits again');
  assert.deepEqual(first.output.data, dOut.data, 'output\'s gradient is what was given');
});

test('backward(given, into): the arrays of an earlier result filled again, the same values as new ones', async () => {
  const attention = await createAttention();
  const random = seededRandom(15);
  const c = randomCase(random, { minLen: 4, maxLen: 8 });
  const { output } = attention.forward(c);
  const dOut = (seed) => {
    const next = seededRandom(seed);
    return { shape: output.shape, data: output.data.map(() => Math.fround(next() * 2 - 1)) };
  };
  const into = attention.backward({ output: dOut(1) });
  const fresh = attention.backward({ output: dOut(2) });
  const again = attention.backward({ output: dOut(2) }, into);
  assert.deepEqual(again, fresh);
  for (const name of Object.keys(again)) assert.equal(again[name].data, into[name].data, `${name}: the same array`);
  /* another configuration: arrays of other lengths are new */
  attention.forward(randomCase(random, { minLen: 9, maxLen: 12 }));
  const other = attention.backward({}, into);
  assert.ok(Object.keys(other).some((name) => other[name].data !== into[name]?.data));
});
