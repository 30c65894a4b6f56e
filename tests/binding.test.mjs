// binding.test.mjs: the JS binding (web/core.js).
//   - forward()'s fast path (a parse and a configuration kept while the case
//     keeps its layout) gives bit for bit what a fresh parse gives, under
//     every kind of change between calls;
//   - warnings; backward(): self-attention's summed gradient, copies, into;
//   - resident inputs: set() and forward() without a case give bit for bit
//     what a fresh forward of the edited case gives, and backward() after
//     them what a fresh forward and backward give; a weight is packed again
//     only when marked changed, and never because of a backward(); what
//     set() refuses; the shapes it reports;
//   - which build createAttention() picks;
//   - stage and gradient views: valid until the next call, empty after
//     memory grows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttention, supportedBuilds, parseCase, BUILDS } from '../web/attention.mjs';
import { referenceForward } from './reference.mjs';
import { seededRandom, randomCase, randomGradients, compareStages, flatten, TESTED_WASM_BUILDS } from './helpers.mjs';

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

for (const build of TESTED_WASM_BUILDS) {
  test(`${build}: the fast path equals a fresh parse under every change`, async () => {
    const random = seededRandom(5);
    const fast = await createAttention({ build });
    const fresh = await createAttention({ build });
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

/* ---- resident inputs: set() and forward() without a case ---- */

/* A random edit of one used input of parsed: { name, index, value }. */
function randomEdit(random, parsed) {
  const names = Object.keys(parsed.inputs);
  const name = names[Math.floor(random() * names.length)];
  const index = Math.floor(random() * parsed.inputs[name].length);
  const bool = (name === 'attn_mask' && parsed.config.attn_mask_kind === 1) || (name === 'key_padding_mask' && parsed.config.key_padding_mask_kind === 1);
  const value = bool ? random() < 0.3 : random() < 0.05 ? -Infinity : Math.fround(random() * 4 - 2);
  return { name, index, value };
}

for (const build of TESTED_WASM_BUILDS) {
  test(`${build}: set() then forward() equals a fresh forward of the edited case, bit for bit`, async () => {
    const random = seededRandom(14);
    const resident = await createAttention({ build });
    const fresh = await createAttention({ build });
    for (let i = 0; i < 120; i++) {
      const parsed = parseCase(randomCase(random, { maxLen: 7 }));
      /* a copy of each array, one copy where the case has one array (key
       * and value default to query): an edit of one is an edit of all */
      const copies = new Map(), edited = { config: parsed.config, inputs: {} };
      for (const [name, data] of Object.entries(parsed.inputs)) {
        if (!copies.has(data)) copies.set(data, Float32Array.from(data));
        edited.inputs[name] = copies.get(data);
      }
      resident.forward(parsed);
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const { name, index, value } = randomEdit(random, edited);
        if (i % 4 === 3) { /* the whole input at once */
          edited.inputs[name][index] = value;
          resident.set(name, Array.from(edited.inputs[name]));
        } else {
          resident.set(name, index, value);
          edited.inputs[name][index] = value;
        }
      }
      const got = resident.forward();
      assert.deepEqual(compareStages(got, fresh.forward(edited), { rtol: 0, atol: 0 }), [], `case ${i} after ${edits} edits`);
      assert.deepEqual(compareStages(resident.forward(), got, { rtol: 0, atol: 0 }), [], `case ${i}, computed again`);
    }
  });
}

test('a weight is packed again only when it was marked changed (attn_input_changed)', async () => {
  const attention = await createAttention();
  const c = parseCase(randomCase(seededRandom(3), { maxLen: 5 }));
  const name = c.inputs.in_proj_weight ? 'in_proj_weight' : 'q_proj_weight';
  const before = attention.forward(c);
  /* written behind the core's back: the packed copy is kept, so q does not change */
  const { offset, index } = attention.plan.input[name];
  attention.heap()[offset] += 1;
  assert.deepEqual(attention.forward().q.data, before.q.data);
  attention.core.attn_input_changed(attention.handle, index);
  const after = attention.forward();
  assert.notDeepEqual(after.q.data, before.q.data);
  c.inputs[name] = Float32Array.from(c.inputs[name]);
  c.inputs[name][0] += 1;
  const fresh = await createAttention();
  assert.deepEqual(compareStages(after, fresh.forward(c), { rtol: 0, atol: 0 }), []);
});

test('backward() marks no input changed: the next forward() packs no weight again', async () => {
  const attention = await createAttention();
  const random = seededRandom(31);
  const layouts = new Set(); /* in_proj_weight, and q/k/v_proj_weight */
  while (layouts.size < 2) {
    const c = randomCase(random, { maxLen: 5 });
    const weights = ['in_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'out_proj.weight'].filter((name) => c[name]);
    layouts.add(weights.length);
    const before = attention.forward(c);
    /* every weight written behind the core's back: a forward() that packed
     * any of them again would change q, k, v or output */
    const heap = attention.heap();
    for (const name of weights) {
      const { offset, count } = attention.plan.input[name];
      for (let i = offset; i < offset + count; i++) heap[i] += 1;
    }
    attention.backward({ output: before.output });
    assert.deepEqual(compareStages(attention.forward(), before, { rtol: 0, atol: 0 }), [], weights.join());
    for (const name of weights) attention.core.attn_input_changed(attention.handle, attention.plan.input[name].index);
    assert.notDeepEqual(attention.forward().output.data, before.output.data, 'marked, they are packed again');
  }
});

for (const build of TESTED_WASM_BUILDS) {
  test(`${build}: backward() after set() and forward() without a case, with copies or views (of the stages and the gradients), equals a fresh forward and backward of the edited case, bit for bit`, async () => {
    const random = seededRandom(32);
    const resident = await createAttention({ build });
    const fresh = await createAttention({ build });
    const exactly = { rtol: 0, atol: 0 };
    const check = (got, want, what) => {
      assert.deepEqual(Object.keys(got), Object.keys(want), `${what}: the gradients returned`);
      assert.deepEqual(compareStages(got, want, exactly), [], what);
    };
    for (let i = 0; i < 90; i++) {
      const parsed = parseCase(randomCase(random, { maxLen: 7 }));
      const copies = new Map(), edited = { config: parsed.config, inputs: {} };
      for (const [name, data] of Object.entries(parsed.inputs)) {
        if (!copies.has(data)) copies.set(data, Float32Array.from(data));
        edited.inputs[name] = copies.get(data);
      }
      const copy = i % 2 === 0;
      const given = randomGradients(random, resident.forward(parsed, { copy }));
      if (i % 3 === 0) { /* a backward of the case as given, before the edits */
        fresh.forward(parsed);
        check(resident.backward(given), fresh.backward(given), `case ${i}, unedited`);
      }
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const { name, index, value } = randomEdit(random, edited);
        resident.set(name, index, value);
        edited.inputs[name][index] = value;
      }
      assert.throws(() => resident.backward(given), (e) => e.name === 'CoreError' && e.code === 4 && /set after the last forward/.test(e.message), `case ${i}`);
      const stages = resident.forward(null, { copy });
      const wantStages = fresh.forward(edited);
      check(resident.backward(given, { copy }), fresh.backward(given), `case ${i} after ${edits} edits${copy ? '' : ' (gradient views)'}`);
      assert.deepEqual(compareStages(stages, wantStages, exactly), [], `case ${i}: the stages${copy ? '' : ' (views)'} after backward()`);
    }
  });
}

test('set(), forward() without a case, and the shapes: what they refuse and what they report', async () => {
  const attention = await createAttention();
  assert.deepEqual(attention.inputShapes(), {});
  assert.deepEqual(attention.stageShapes(), {});
  assert.throws(() => attention.forward(), (e) => e.name === 'CoreError' && e.code === 4 && /give a case first/.test(e.message));
  assert.throws(() => attention.set('query', 0, 1), /query is not an input of this configuration \(its inputs: none yet/);

  const c = { num_heads: 2, query: [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], add_bias_kv: true, attn_mask: [[false, true, false], [false, false, true], [true, false, false]],
    in_proj_weight: Array.from({ length: 12 }, (_, i) => [i / 10, 0, -i / 10, 1]), 'out_proj.weight': Array.from({ length: 4 }, () => [1, 0, 0, 1]),
    bias_k: [1, 2, 3, 4], bias_v: [4, 3, 2, 1] };
  const stages = attention.forward(c);
  assert.deepEqual(attention.inputShapes(), { query: [3, 4], key: [3, 4], value: [3, 4], in_proj_weight: [12, 4], bias_k: [4], bias_v: [4], 'out_proj.weight': [4, 4], attn_mask: [3, 3] });
  assert.deepEqual(attention.stageShapes(), Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v.shape])));
  assert.deepEqual(attention.stageShapes().scores, [2, 3, 4]);
  attention.stageShapes().scores[0] = 99; /* a copy each time */
  assert.deepEqual(attention.stageShapes().scores, [2, 3, 4]);

  assert.throws(() => attention.set('in_proj_bias', 0, 1), /in_proj_bias is not an input of this configuration \(its inputs: query, key, value, in_proj_weight/);
  assert.throws(() => attention.set('nonsense', 0, 1), RangeError);
  assert.throws(() => attention.set('toString', 0, 1), RangeError);
  assert.throws(() => attention.set('query', 12, 1), /query holds 12 numbers \(3×4\), so index 12 is not in it/);
  assert.throws(() => attention.set('query', -1, 1), RangeError);
  assert.throws(() => attention.set('query', 1.5, 1), RangeError);
  assert.throws(() => attention.set('query', 0, '1'), /expected a number, got string/);
  assert.throws(() => attention.set('query', [1, 2, 3]), /query: expected 12 numbers \(3×4\), got 3/);
  assert.throws(() => attention.set('query', 5), /expected 12 numbers \(3×4\), got number/);
  assert.deepEqual(compareStages(attention.forward(), stages, { rtol: 0, atol: 0 }), [], 'the refused calls changed nothing');

  /* self-attention: key and value are query, so a write to one is a write to all three */
  const fresh = await createAttention();
  attention.set('key', 4, 2.5);
  const query = c.query.map((row) => row.slice());
  query[1][0] = 2.5;
  const edited = attention.forward();
  assert.deepEqual(compareStages(edited, fresh.forward({ ...c, query }), { rtol: 0, atol: 0 }), []);
  assert.notDeepEqual(edited.q.data, stages.q.data);
  attention.set('query', 4, 5);
  assert.deepEqual(compareStages(attention.forward(), stages, { rtol: 0, atol: 0 }), [], 'and back');

  attention.set('attn_mask', 1, false); /* a bool mask takes booleans */
  attention.set('attn_mask', 0, true);
  const masked = attention.forward();
  assert.equal(masked.scores.data[0], -Infinity);
  assert.notEqual(masked.scores.data[1], -Infinity);

  /* configure() alone: every input zero, ready for set() */
  attention.configure({ ...parseCase(c).config, add_bias_kv: 0 });
  assert.equal(attention.inputShapes().bias_k, undefined);
  for (const [name, shape] of Object.entries(attention.inputShapes())) attention.set(name, new Float32Array(shape.reduce((a, b) => a * b)).fill(0.5));
  const viaSet = attention.forward();
  const parsed = parseCase({ ...c, add_bias_kv: false, bias_k: undefined, bias_v: undefined });
  for (const name in parsed.inputs) parsed.inputs[name] = new Float32Array(parsed.inputs[name].length).fill(0.5);
  assert.deepEqual(compareStages(viaSet, fresh.forward(parsed), { rtol: 0, atol: 0 }), []);
});

test('holds(parsed): true after forward(parsed) and set(), false once another case, a configure() or a failed write came in between', async () => {
  const attention = await createAttention();
  const random = seededRandom(33);
  const mine = parseCase(randomCase(random, { minLen: 3, maxLen: 3 })), other = parseCase(randomCase(random, { minLen: 3, maxLen: 3 }));
  assert.equal(attention.holds(mine), false, 'nothing written yet');
  attention.forward(mine);
  assert.equal(attention.holds(mine), true);
  attention.set('query', 0, 0.5);
  assert.equal(attention.holds(mine), true, 'set() keeps it');
  attention.forward(other);
  assert.equal(attention.holds(mine), false, 'another case');
  attention.forward(mine);
  attention.configure(mine.config);
  assert.equal(attention.holds(mine), false, 'configure() zeroes the inputs');
  attention.forward(mine);
  const short = { config: mine.config, inputs: { ...mine.inputs, query: mine.inputs.query.subarray(1) } };
  assert.throws(() => attention.forward(short), /query: expected/);
  assert.equal(attention.holds(mine), false, 'a write that failed part-way');
  assert.equal(attention.holds(null), false);
});

test('createAttention: build and simd choose the build; a build the engine cannot run is refused', async () => {
  const supported = supportedBuilds();
  assert.ok(supported.includes('simd') && supported.includes('scalar'), supported.join());
  assert.equal((await createAttention()).build, supported[0]);
  assert.deepEqual(BUILDS, ['relaxed', 'simd', 'scalar']);
  for (const build of supported) {
    const attention = await createAttention({ build });
    assert.equal(attention.build, build);
    assert.equal(attention.simd, build !== 'scalar');
  }
  assert.equal((await createAttention({ simd: true })).build, 'simd');
  assert.equal((await createAttention({ simd: false })).build, 'scalar');
  await assert.rejects(createAttention({ build: 'fast' }), /build: expected one of relaxed, simd, scalar, got "fast"/);
  await assert.rejects(createAttention({ build: 'simd', simd: true }), /give build or simd, not both/);
  if (!supported.includes('relaxed'))
    await assert.rejects(createAttention({ build: 'relaxed' }), /cannot run the relaxed build: it needs wasm relaxed SIMD .*--experimental-wasm-relaxed-simd/);
});

/* ---- stage views ---- */

test('forward(c, { copy: false }): views into wasm memory, valid until the next call, empty after memory grows', async () => {
  const attention = await createAttention();
  const random = seededRandom(21);
  const first = randomCase(random, { maxLen: 6 }), second = randomCase(random, { maxLen: 6 });
  const copies = attention.forward(first);
  const views = attention.forward(first, { copy: false });
  assert.deepEqual(compareStages(views, copies, { rtol: 0, atol: 0 }), []);
  for (const { data } of Object.values(views)) {
    assert.ok(data instanceof Float32Array);
    assert.equal(data.buffer, attention.core.memory.buffer, 'a view, not a copy');
  }
  assert.equal(attention.forward(null, { copy: false }), views, 'the same objects while the configuration holds');
  assert.throws(() => { views.q = null; }, TypeError);
  assert.throws(() => { views.q.shape[0] = 9; }, TypeError);

  /* set() leaves the views as they are; the next forward() changes them */
  const name = Object.keys(attention.inputShapes())[0];
  const outputBefore = views.output.data.slice();
  attention.set(name, 0, 7);
  assert.deepEqual(views.output.data, outputBefore);
  attention.forward();
  assert.notDeepEqual(views.output.data, outputBefore);

  /* another configuration: new views; the default copies are untouched by later calls */
  const secondViews = attention.forward(second, { copy: false });
  assert.deepEqual(compareStages(secondViews, referenceForward(second)), []);
  assert.deepEqual(compareStages(copies, referenceForward(first)), [], 'copies stay as they were');

  /* memory growth: views made before it are empty (their buffer is detached) */
  const bytes = attention.memoryBytes();
  const big = randomCase(seededRandom(8), { minLen: 900, maxLen: 900, minHeads: 8, maxHeads: 8, maxHeadDim: 2 });
  const bigViews = attention.forward(big, { copy: false });
  assert.ok(attention.memoryBytes() > bytes, 'memory grew');
  assert.equal(secondViews.output.data.length, 0, 'a view from before the growth is empty');
  assert.equal(secondViews.output.data[0], undefined);
  assert.deepEqual(compareStages(bigViews, referenceForward(big)), [], 'views made after the growth are right');
  assert.equal(attention.forward(null, { copy: false }), bigViews);
});

test('backward(g, { copy: false }): views into wasm memory, bit for bit the copies, valid until the next call, empty after memory grows', async () => {
  const attention = await createAttention();
  const random = seededRandom(22);
  const exactly = { rtol: 0, atol: 0 };
  /* self-attention (query is key and value: one gradient, summed) and the same configuration with key and value of their own */
  let selfCase = null;
  while (!selfCase) {
    const c = randomCase(random, { minLen: 3, maxLen: 6 });
    if (!c.key && c.kdim === c.embed_dim && c.vdim === c.embed_dim) selfCase = c;
  }
  const crossCase = { ...selfCase, key: structuredClone(selfCase.query), value: structuredClone(selfCase.query) };
  const given = randomGradients(random, attention.forward(selfCase));
  const copies = attention.backward(given);
  const views = attention.backward(given, { copy: false });
  assert.deepEqual(Object.keys(views), Object.keys(copies), 'the same names, in the same order');
  assert.deepEqual(compareStages(views, copies, exactly), []);
  for (const { data } of Object.values(views)) {
    assert.ok(data instanceof Float32Array);
    assert.equal(data.buffer, attention.core.memory.buffer, 'a view, not a copy');
  }
  assert.equal(attention.backward(given, { copy: false }), views, 'the same objects while the configuration holds');
  assert.deepEqual(compareStages(views, copies, exactly), [], 'a repeated call: the same bits (query\'s sum made once)');
  assert.throws(() => { views.query = null; }, TypeError);
  assert.throws(() => { views.query.shape[0] = 9; }, TypeError);
  assert.deepEqual(compareStages(attention.backward(given, { copy: true }), copies, exactly), [], '{ copy: true }: copies');

  /* the next backward() changes them; the copies stay */
  const twice = { output: { shape: copies.output.shape, data: copies.output.data.map((x) => 2 * x) } };
  const copiesBefore = structuredClone(copies);
  attention.backward(twice, { copy: false });
  assert.deepEqual(views.output.data, twice.output.data);
  assert.deepEqual(copies, copiesBefore, 'copies stay as they were');

  /* key and value of their own: their gradients too, other objects */
  attention.forward(crossCase);
  const crossViews = attention.backward(given, { copy: false });
  assert.notEqual(crossViews, views);
  assert.ok('key' in crossViews && 'value' in crossViews);
  const crossViewed = structuredClone(crossViews); /* (the next backward() writes over the views) */
  assert.deepEqual(compareStages(crossViewed, attention.backward(given), exactly), []);

  /* memory growth: views made before it are empty (their buffer is detached) */
  const bytes = attention.memoryBytes();
  const big = randomCase(seededRandom(8), { minLen: 900, maxLen: 900, minHeads: 8, maxHeads: 8, maxHeadDim: 2 });
  const bigGiven = randomGradients(random, attention.forward(big, { copy: false }));
  const bigViews = attention.backward(bigGiven, { copy: false });
  assert.ok(attention.memoryBytes() > bytes, 'memory grew');
  const bigViewed = structuredClone(bigViews);
  assert.equal(crossViews.query.data.length, 0, 'a view from before the growth is empty');
  assert.equal(crossViews.query.data[0], undefined);
  assert.equal(attention.backward(bigGiven, { copy: false }), bigViews, 'views made after the growth: the same objects again');
  assert.deepEqual(compareStages(bigViewed, attention.backward(bigGiven), exactly), [], 'views made after the growth are right');
});
