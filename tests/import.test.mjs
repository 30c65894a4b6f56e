// import.test.mjs: web/page/model/import.js. Every fixture's module, pasted as a
// state_dict (flat, wrapped, as Python prints it), imports back to a case
// with the same stages; the page's inputs fill in what a state_dict lacks;
// bad pastes give every error, key by key, and never throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadFixtures, ROOT } from './helpers.mjs';
import { createAttention } from '../web/attention.mjs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { importStateDict, parseText } = require('../web/page/model/import.js');
const Case = require('../web/case.js');

const fixtures = loadFixtures();
const byName = Object.fromEntries(fixtures.map((f) => [f.name, f]));
const attention = await createAttention();
const lecture = byName.lecture.case;

const PARAMS = ['in_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias'];
const INPUTS = ['query', 'key', 'value', 'attn_mask', 'key_padding_mask'];

/* What {k: v.tolist() for k, v in mha.state_dict().items()} gives for a case. */
function stateDict(c) {
  const sd = {};
  for (const k of PARAMS) if (c[k] !== undefined) sd[k] = k === 'bias_k' || k === 'bias_v' ? [[c[k]]] : c[k];
  return sd;
}
const inputsOf = (c) => Object.fromEntries(INPUTS.filter((k) => c[k] !== undefined).map((k) => [k, c[k]]));
const optionsOf = (c) => ({ num_heads: c.num_heads, add_zero_attn: c.add_zero_attn, average_attn_weights: c.average_attn_weights });

/* A value as Python's print() writes it: single quotes, True/False/None, nan, inf. */
function python(v) {
  if (v === null) return 'None';
  if (v === true || v === false) return v ? 'True' : 'False';
  if (v === 'NaN') return 'nan';
  if (v === 'Infinity') return 'inf';
  if (v === '-Infinity') return '-inf';
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}.0` : String(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(python).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${python(k)}: ${python(x)}`).join(', ')}}`;
}

function sameStages(got, want, label) {
  for (const name of attention.stageNames) {
    assert.deepEqual(got[name].shape, want[name].shape, `${label}: ${name} shape`);
    want[name].data.forEach((x, i) => assert.ok(Object.is(got[name].data[i], x), `${label}: ${name}[${i}] = ${got[name].data[i]}, expected ${x}`));
  }
}

function imported(text, base, label) {
  const result = importStateDict(text, base);
  assert.ok(result.case, `${label}: ${JSON.stringify(result.errors)}`);
  assert.doesNotThrow(() => Case.parseCase(result.case));
  return result;
}

const notesOf = (result) => result.notes.map((n) => n.message).join('; '); /* (notes are keyed: { message, id, values }) */
const keysOf = (result) => (result.errors || []).map((e) => e.key);
const errorFor = (result, key) => result.errors && result.errors.find((e) => e.key === key);

test('every fixture: a state_dict with its inputs, flat, wrapped and as Python prints it, imports to the same stages', () => {
  for (const f of fixtures) {
    const c = f.case;
    const want = attention.forward(c);
    const forms = {
      flat: JSON.stringify({ ...stateDict(c), ...inputsOf(c), ...optionsOf(c), tokens: c.tokens }),
      wrapped: JSON.stringify({ state_dict: stateDict(c), inputs: { ...inputsOf(c), tokens: c.tokens }, options: optionsOf(c) }, null, 2),
      python: python({ state_dict: stateDict(c), inputs: inputsOf(c), options: optionsOf(c), tokens: c.tokens }),
      'the case itself': JSON.stringify(c),
    };
    for (const [form, text] of Object.entries(forms)) {
      const { case: got } = imported(text, lecture, `${f.name} (${form})`);
      sameStages(attention.forward(got), want, `${f.name} (${form})`);
      assert.deepEqual(got.tokens, c.tokens);
      assert.equal(got.num_heads, c.num_heads);
      assert.equal(got.embed_dim, c.embed_dim);
      assert.equal(!!got.add_bias_kv, c.add_bias_kv);
      assert.equal(!!got.bias, c.bias);
      if (c.bias_k) assert.deepEqual(got.bias_k, c.bias_k, 'bias_k as E numbers, as the page keeps it');
    }
  }
});

test('a state_dict alone keeps the page\'s query, key, value, masks and tokens, and its num_heads', () => {
  for (const f of fixtures.filter((x) => !x.case.add_zero_attn)) {
    const c = f.case;
    const result = imported(JSON.stringify(stateDict(c)), c, f.name);
    sameStages(attention.forward(result.case), attention.forward(c), `${f.name} (state_dict only)`);
    assert.deepEqual(result.case.tokens, c.tokens);
    assert.ok(result.notes.some((n) => /the page's query/.test(n.message)), notesOf(result));
    assert.ok(result.notes.some((n) => new RegExp(`num_heads ${c.num_heads}, the page's`).test(n.message)));
  }
});

test('what a state_dict cannot say: num_heads, add_zero_attn, tokens', () => {
  /* the page's num_heads does not divide E: one head, and a note */
  const sd = stateDict(byName.two_heads.case); /* E = 4 */
  const three = imported(JSON.stringify({ ...sd, query: byName.two_heads.case.query }), { ...lecture, num_heads: 3 }, 'H=3');
  assert.equal(three.case.num_heads, 1);
  assert.ok(three.notes.some((n) => /num_heads 1 .*the page's 3 does not divide embed_dim 4/.test(n.message)), notesOf(three));
  /* a pasted query without tokens is labelled t0 … */
  assert.deepEqual(three.case.tokens, ['t0', 't1', 't2']);
  assert.ok(three.notes.some((n) => /tokens t0 … t2/.test(n.message)));
  assert.equal(three.case.add_zero_attn, false);
  assert.ok(three.notes.some((n) => /add_zero_attn false/.test(n.message)));
  /* the page's query does not fit E = 4 */
  const noQuery = importStateDict(JSON.stringify(sd), lecture);
  assert.deepEqual(keysOf(noQuery), ['query']);
  assert.match(errorFor(noQuery, 'query').message, /missing query: the paste has none, and the page's query is 3×2, which does not fit embed_dim 4/);
  /* no base at all */
  assert.deepEqual(keysOf(importStateDict(JSON.stringify(sd))), ['query']);
  assert.deepEqual(keysOf(importStateDict(JSON.stringify(sd), null)), ['query']);
  /* a page mask that does not fit the pasted module's heads is dropped, with a note */
  const perHead = byName.per_head_attn_mask.case;
  const oneHead = { ...stateDict(perHead), num_heads: 1 };
  const dropped = imported(JSON.stringify(oneHead), perHead, 'dropped mask');
  assert.equal(dropped.case.attn_mask, undefined);
  assert.ok(dropped.notes.some((n) => /attn_mask dropped/.test(n.message)), notesOf(dropped));
});

test('separate q/k/v_proj_weight with kdim = vdim = E are packed; a module path prefix is taken off', () => {
  const W = lecture.in_proj_weight;
  const paste = { 'q_proj_weight': W.slice(0, 2), 'k_proj_weight': W.slice(2, 4), 'v_proj_weight': W.slice(4, 6),
    in_proj_bias: lecture.in_proj_bias, 'out_proj.weight': lecture['out_proj.weight'], 'out_proj.bias': lecture['out_proj.bias'] };
  const r = imported(JSON.stringify(paste), lecture, 'separate');
  assert.deepEqual(r.case.in_proj_weight, W);
  assert.equal(r.case.q_proj_weight, undefined);
  sameStages(attention.forward(r.case), attention.forward(lecture), 'separate');

  const prefixed = Object.fromEntries(Object.entries(stateDict(lecture)).map(([k, v]) => [`encoder.layers.0.self_attn.${k}`, v]));
  const p = imported(JSON.stringify(prefixed), lecture, 'prefixed');
  sameStages(attention.forward(p.case), attention.forward(lecture), 'prefixed');
  assert.ok(p.notes.some((n) => /encoder\.layers\.0\.self_attn/.test(n.message)));
  const mixed = importStateDict(JSON.stringify({ ...prefixed, 'decoder.attn.out_proj.bias': [0, 0] }), lecture);
  assert.deepEqual(keysOf(mixed), ['decoder.attn.out_proj.bias']);
  assert.match(mixed.errors[0].message, /another module/);
});

test('batches of one, json.dumps\'s bare NaN and Infinity, Python comments', () => {
  const c = byName.padding_mask.case;
  const batched = { ...stateDict(c), query: [c.query], key_padding_mask: [c.key_padding_mask], num_heads: c.num_heads, tokens: c.tokens };
  const r = imported(JSON.stringify(batched), lecture, 'batch-first');
  sameStages(attention.forward(r.case), attention.forward(c), 'batch of one');
  const seqFirst = { ...batched, query: c.query.map((row) => [row]) };
  sameStages(attention.forward(imported(JSON.stringify(seqFirst), lecture, 'L×1×E').case), attention.forward(c), 'L×1×E');

  const nan = byName.nan_in_query.case;
  const text = JSON.stringify({ ...stateDict(nan), ...inputsOf(nan), num_heads: nan.num_heads }).replace(/"NaN"/g, 'NaN');
  assert.match(text, /,NaN,/);
  const n = imported(`# from json.dumps\n${text}`, lecture, 'bare NaN');
  assert.equal(n.case.query[1][2], 'NaN');
  sameStages(attention.forward(n.case), attention.forward(nan), 'bare NaN');
  const inf = imported(python({ ...stateDict(lecture), attn_mask: [[0, '-Infinity', 0], [0, 0, 0], [0, 0, 0]] }), lecture, '-inf');
  assert.equal(inf.case.attn_mask[0][1], '-Infinity');
});

test('bad pastes: every problem, key by key', () => {
  const sd = stateDict(lecture);
  /* malformed text, with its line and column */
  let r = importStateDict('{"in_proj_weight": [[1, 2],\n  [3 4]]}', lecture);
  assert.deepEqual(keysOf(r), ['']);
  assert.match(r.errors[0].message, /malformed JSON at line 2, column 6: expected "," or "]", found "4\]\]\}"/);
  assert.match(importStateDict('{"a": 1', lecture).errors[0].message, /line 1, column 8: expected "," or "}", found the end of the text/);
  assert.match(importStateDict('{"a": 1, "a": 2}', lecture).errors[0].message, /the key "a" appears twice/);
  assert.match(importStateDict('{"a": "unterminated}', lecture).errors[0].message, /closing " of the string/);
  assert.match(importStateDict("OrderedDict([('in_proj_weight', tensor([[0.1000, 0.2000]]))])", lecture).errors[0].message, /printed tensors are rounded.*tolist/);
  assert.match(importStateDict('', lecture).errors[0].message, /nothing to import/);
  assert.match(importStateDict('[1, 2]', lecture).errors[0].message, /expected an object/);

  /* several problems at once: all of them */
  r = importStateDict(JSON.stringify({ ...sd, in_proj_weight: sd.in_proj_weight.slice(0, 5), 'out_proj.bias': [0.5, 'abc'], foo: 1, bias_q: [1] }), lecture);
  assert.deepEqual(keysOf(r).sort(), ['bias_q', 'foo', 'in_proj_weight', 'out_proj.bias']);
  assert.match(errorFor(r, 'in_proj_weight').message, /in_proj_weight: expected 3E×E, rows W_q, W_k, W_v = 6×2, got 5×2/);
  assert.match(errorFor(r, 'out_proj.bias').message, /out_proj\.bias\[1\]: expected a number, got "abc"/);
  assert.match(errorFor(r, 'foo').message, /unknown key "foo"/);

  /* ragged, beyond float32, mixed mask, booleans in weights */
  r = importStateDict(JSON.stringify({ ...sd, 'out_proj.weight': [[1, 2], [3]], in_proj_bias: [1e39, 0, 0, 0, 0, 0],
    query: [[true, 0], [0, 0], [0, 0]], attn_mask: [[true, 0, 0], [0, 0, 0], [0, 0, 0]] }), lecture);
  assert.match(errorFor(r, 'out_proj.weight').message, /out_proj\.weight\[1\]: expected 2 entries like its neighbours, got an array of 1/);
  assert.match(errorFor(r, 'in_proj_bias').message, /in_proj_bias\[0\]: 1e\+39 is beyond float32's range/);
  assert.match(errorFor(r, 'query').message, /query\[0\]\[0\]: expected a number, got true/);
  assert.match(errorFor(r, 'attn_mask').message, /mixes booleans and numbers/);
  /* ragged is said as ragged, even when the first entries' shape is not the one expected (not "got 2×2") */
  r = importStateDict(JSON.stringify({ ...sd, in_proj_weight: [[1, 2], [3]] }), lecture);
  assert.equal(errorFor(r, 'in_proj_weight').message, 'in_proj_weight[1]: expected 2 entries like its neighbours, got an array of 1');

  /* missing pieces, flags that disagree with the vectors */
  r = importStateDict(JSON.stringify({ in_proj_weight: sd.in_proj_weight, 'out_proj.bias': [0, 0] }), lecture);
  assert.deepEqual(keysOf(r).sort(), ['in_proj_bias', 'out_proj.weight']);
  assert.match(errorFor(r, 'out_proj.weight').message, /missing out_proj\.weight \(E×E\)/);
  assert.match(errorFor(r, 'in_proj_bias').message, /missing in_proj_bias \(3E: b_q, b_k, b_v, needed because out_proj\.bias is given\)/);
  r = importStateDict(JSON.stringify({ ...sd, bias: false }), lecture);
  assert.deepEqual(keysOf(r).sort(), ['in_proj_bias', 'out_proj.bias']);
  assert.match(errorFor(r, 'in_proj_bias').message, /given, but bias is false/);
  r = importStateDict(JSON.stringify({ ...sd, bias_k: [[[1, 2, 3]]], bias_v: [[[1, 2]]] }), lecture);
  assert.deepEqual(keysOf(r), ['bias_k']);
  assert.match(errorFor(r, 'bias_k').message, /bias_k: expected E = 2, got 3/);
  r = importStateDict(JSON.stringify({ 'out_proj.weight': sd['out_proj.weight'] }), lecture);
  assert.match(errorFor(r, 'in_proj_weight').message, /missing in_proj_weight \(3E×E, rows W_q, W_k, W_v\)/);
  r = importStateDict(JSON.stringify({ ...sd, q_proj_weight: [[1, 0], [0, 1]] }), lecture);
  assert.match(errorFor(r, 'in_proj_weight').message, /one or the other/);
  r = importStateDict(JSON.stringify({ ...sd, kdim: 3 }), lecture);
  assert.match(errorFor(r, 'kdim').message, /kdim: 3 differs from embed_dim 2, so the module has q_proj_weight/);
  r = importStateDict(JSON.stringify({}), lecture);
  assert.match(errorFor(r, 'out_proj.weight').message, /no weights/);

  /* options, inputs and tokens that do not fit */
  r = importStateDict(JSON.stringify({ ...sd, num_heads: 3, query: [[1, 2, 3]], tokens: ['a', 'b'], average_attn_weights: 'yes' }), lecture);
  assert.deepEqual(keysOf(r).sort(), ['average_attn_weights', 'num_heads', 'query', 'tokens']);
  assert.match(errorFor(r, 'num_heads').message, /embed_dim 2 is not divisible by num_heads 3/);
  assert.match(errorFor(r, 'query').message, /query: expected L×E \(embed_dim\) = \?×2, got 1×3/);
  r = importStateDict(JSON.stringify({ ...sd, query: [[[1, 2]], [[3, 4]]].map((x) => [x[0], x[0]]), batch_first: true }), lecture);
  assert.match(errorFor(r, 'query').message, /a batch of 2×2×2/);
  r = importStateDict(JSON.stringify({ ...sd, query: lecture.query, tokens: ['I', 'am'] }), lecture);
  assert.match(errorFor(r, 'tokens').message, /expected 3 labels/);
  r = importStateDict(JSON.stringify({ ...sd, query: lecture.query, key_padding_mask: [true, false] }), lecture);
  assert.match(errorFor(r, 'key_padding_mask').message, /expected S \(one per key row\) = 3, got 2/);
  r = importStateDict(JSON.stringify({ ...sd, key: lecture.query }), lecture);
  assert.match(errorFor(r, 'key').message, /key given without query/);
  r = importStateDict(JSON.stringify({ ...sd, key_padding_mask: [true, false] }), lecture);
  assert.match(errorFor(r, 'key_padding_mask').message, /expected S \(one per key row\) = 3, got 2/);
  /* a mask alone goes with the page's query */
  r = imported(JSON.stringify({ ...sd, key_padding_mask: [true, false, false] }), { ...lecture, attn_mask: [[false, true, false], [false, false, false], [false, false, false]] }, 'mask alone');
  assert.deepEqual(r.case.key_padding_mask, [true, false, false]);
  assert.ok(r.notes.some((n) => n.message === "the page's query, attn_mask and tokens (the paste has no query)"), notesOf(r));
  r = importStateDict(JSON.stringify({ state_dict: sd, inputs: { num_heads: 2 }, options: [1] }), lecture);
  assert.deepEqual(keysOf(r).sort(), ['num_heads', 'options']);
  r = importStateDict(JSON.stringify({ state_dict: sd, in_proj_weight: sd.in_proj_weight }), lecture);
  assert.match(errorFor(r, 'in_proj_weight').message, /given twice \(state_dict and the top\)/);
});

test('never throws, whatever it is given', () => {
  const inputs = [undefined, null, 42, 'null', '42', '"x"', 'true', '{', '}', '[[[[', '['.repeat(5000) + ']'.repeat(5000),
    '{"query": null}', '{"state_dict": 5}', '{"in_proj_weight": {}}', '{"in_proj_weight": [[]]}', '{"in_proj_weight": []}',
    '{"out_proj.weight": [[1]], "in_proj_weight": [[1],[2],[3]], "query": [[1]], "tokens": {"query": ["a"], "key": 5}}',
    '{"out_proj.weight": [[1]], "in_proj_weight": [[1],[2],[3]], "query": [["NaN"]], "num_heads": 1.5}',
    '{"__proto__": {"x": 1}, "constructor": 1}', "{'a': '\\x4'}", '{"a": -}', '{"a": 1e}', '\u0000', '{"a": 1} trailing'];
  for (const input of inputs) {
    let result;
    assert.doesNotThrow(() => { result = importStateDict(input, input === undefined ? undefined : lecture); }, String(input).slice(0, 40));
    assert.ok(result.case || (Array.isArray(result.errors) && result.errors.length && result.errors.every((e) => typeof e.key === 'string' && typeof e.message === 'string')), `${String(input).slice(0, 40)}: ${JSON.stringify(result)}`);
  }
  const odd = importStateDict('{"out_proj.weight": [[1]], "in_proj_weight": [[1],[2],[3]], "query": [[1]]}', { query: 'garbage', tokens: 7, num_heads: 'x' });
  assert.ok(odd.case, JSON.stringify(odd));
});

test('parseText reads JSON and Python literals alike', () => {
  assert.ok(parseText("{'a': [True, False, None], \"b\": (1)}").error, 'a tuple is not read');
  assert.deepEqual(parseText("{'a': [True, False, None, -inf, nan, 1e-05, -0.5,],}").value, { a: [true, false, null, -Infinity, NaN, 1e-5, -0.5] });
  assert.deepEqual(parseText('{"t": "a\\u00e9\\n", \'u\': \'it\\\'s\'}').value, { t: 'aé\n', u: "it's" });
  assert.equal(parseText('[-Infinity]').value[0], -Infinity);
});

test('the module is a classic script: one global in a page', async () => {
  const vm = await import('node:vm');
  const context = { AttnCase: Case, AttnText: require('../web/page/text/text.js') }; /* its needs */
  vm.createContext(context);
  vm.runInContext(readFileSync(join(ROOT, 'web/page/model/import.js'), 'utf8'), context);
  assert.deepEqual(Object.keys(context), ['AttnCase', 'AttnText', 'AttnImport']);
  assert.equal(typeof context.AttnImport.importStateDict, 'function');
});
