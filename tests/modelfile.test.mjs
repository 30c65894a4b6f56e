// modelfile.test.mjs: web/page/model/modelfile.js and the CLI on model files.
// Every fixture saved as .safetensors (JS writer, tensorfiles.mjs) and .npz
// (stored and deflated) opens to its tensors bit for bit and its stages;
// every dtype converts as torch's .float() does; options come from the file
// or the caller, num_heads is asked for (and, in a whole model's file, which
// attention module); BERT's names are read as a MultiheadAttention's; damaged
// files give one clear message each and never throw; files written by torch
// and numpy (tests/model_files.py, when Debian's python3 has them) equal
// torch's tensors bit for bit, and the CLI's stages equal torch's forward()
// (for BERT's names, BertSelfAttention's math written in torch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createAttention } from '../web/attention.mjs';
import { loadFixtures, compareStages, compareStage, flatten, PYTHON, ROOT } from './helpers.mjs';
import { safetensors, npz, npy, zip, caseTensors, asNumpy } from './tensorfiles.mjs';

const require = createRequire(import.meta.url);
const { readModelFile, readTensors, nestedCase, isModelFile } = require('../web/page/model/modelfile.js');
const Case = require('../web/case.js');

const attention = await createAttention();
const fixtures = loadFixtures();
const byName = Object.fromEntries(fixtures.map((f) => [f.name, f]));
const lecture = byName.lecture.case;
const dir = mkdtempSync(join(tmpdir(), 'attention-modelfiles-'));
const CLI = join(ROOT, 'web', 'cli.mjs');

const bits = (a) => (a instanceof Float32Array ? new Uint32Array(a.buffer, a.byteOffset, a.length) : a);
/* typed arrays equal bit for bit: float32 as their bits (NaN payloads, −0) */
function sameBits(got, want, label) {
  assert.equal(got.length, want.length, `${label}: length`);
  const [g, w] = [bits(got), bits(want)];
  for (let i = 0; i < w.length; i++) if (g[i] !== w[i]) assert.fail(`${label}[${i}]: ${got[i]} (0x${g[i].toString(16)}), expected ${want[i]} (0x${w[i].toString(16)})`);
}

/* A case's options as a safetensors __metadata__ (strings). */
const metadataOf = (c) => ({
  num_heads: String(c.num_heads), add_zero_attn: String(Boolean(c.add_zero_attn)),
  average_attn_weights: String(c.average_attn_weights !== false), tokens: JSON.stringify(c.tokens), format: 'pt',
});
/* An array of str as numpy saves it: '<U' + the longest, UTF-32 */
function strings(list) {
  const width = Math.max(1, ...list.map((s) => [...s].length));
  const data = new Uint32Array(list.length * width);
  list.forEach((s, i) => [...s].forEach((ch, j) => { data[i * width + j] = ch.codePointAt(0); }));
  return { descr: `<U${width}`, shape: [list.length], data };
}
/* A case's options as .npz entries: 0-d arrays, tokens as str (JSON when they are an object) */
const npzOptions = (c) => ({
  num_heads: { descr: '<i8', shape: [], data: BigInt64Array.of(BigInt(c.num_heads)) },
  add_zero_attn: { descr: '|b1', shape: [], data: Uint8Array.of(c.add_zero_attn ? 1 : 0) },
  average_attn_weights: { descr: '|b1', shape: [], data: Uint8Array.of(c.average_attn_weights === false ? 0 : 1) },
  tokens: Array.isArray(c.tokens) ? strings(c.tokens) : { ...strings([JSON.stringify(c.tokens)]), shape: [] },
});

/* The case's own tensors, float32 (masks as 0/1 bytes), against what the file gave. */
function sameTensors(got, c, label) {
  for (const key of [...Case.PARAM_KEYS, 'query', 'key', 'value', 'attn_mask', 'key_padding_mask']) {
    if (c[key] === undefined || c[key] === null) { assert.equal(got[key], undefined, `${label}: ${key} is absent`); continue; }
    const want = flatten(c[key]);
    const bool = typeof [c[key]].flat(Infinity)[0] === 'boolean';
    assert.deepEqual(got[key].shape, want.shape, `${label}: ${key} shape`);
    sameBits(got[key].data, bool ? Uint8Array.from(want.data) : Float32Array.from(want.data), `${label}: ${key}`);
  }
}

const opened = async (bytes, name, options) => {
  const result = await readModelFile(bytes, name, options);
  assert.ok(result.case, `${name}: ${JSON.stringify(result.errors || result.missing)}`);
  return result;
};

test('every fixture, as .safetensors (a model\'s layer, options in __metadata__) and .npz (stored and deflated, options as entries), opens to its tensors bit for bit and the same stages', async () => {
  for (const f of fixtures) {
    const c = f.case;
    const want = attention.forward(c);
    const files = {
      'layer.safetensors': safetensors(caseTensors(c, 'encoder.layers.3.self_attn.'), metadataOf(c)),
      'layer.npz': npz({ ...asNumpy(caseTensors(c)), ...npzOptions(c) }),
      'layer-compressed.npz': npz({ ...asNumpy(caseTensors(c, 'attn.')), ...npzOptions(c) }, { compressed: true }),
    };
    for (const [name, bytes] of Object.entries(files)) {
      const label = `${f.name} (${name})`;
      const { case: got } = await opened(bytes, name);
      sameTensors(got, c, label);
      assert.deepEqual(got.tokens, c.tokens, `${label}: tokens`);
      assert.equal(got.num_heads, c.num_heads);
      assert.equal(got.add_zero_attn, c.add_zero_attn);
      assert.equal(got.average_attn_weights, c.average_attn_weights);
      assert.deepEqual(compareStages(attention.forward(got), want, { rtol: 0, atol: 0 }), [], `${label}: the stages of the case itself`);
      assert.deepEqual(compareStages(attention.forward(got), f.stages), [], `${label}: PyTorch's stages`);
      /* as the page holds it: nested arrays, the JSON format */
      assert.deepEqual(compareStages(attention.forward(JSON.parse(JSON.stringify(nestedCase(got)))), want, { rtol: 0, atol: 0 }), [], `${label}: nested`);
    }
  }
});

test('F32 at an aligned offset is a view of the file, not a copy; unaligned, a copy of the same bits; separate q, k, v are packed; a batch of one is one sequence', async () => {
  const c = byName.two_heads.case;
  const aligned = safetensors(caseTensors(c), metadataOf(c));
  const { case: view } = await opened(aligned, 'a.safetensors');
  for (const key of ['query', 'in_proj_weight', 'out_proj.weight']) assert.equal(view[key].data.buffer, aligned.buffer, `${key}: a view of the file's bytes`);
  const unaligned = safetensors(caseTensors(c), metadataOf(c), { misalign: true });
  const { case: copied } = await opened(unaligned, 'a.safetensors');
  assert.notEqual(copied.query.data.buffer, unaligned.buffer);
  sameTensors(copied, c, 'unaligned');
  /* q, k, v apart (kdim = vdim = E): packed into in_proj_weight, rows W_q, W_k, W_v */
  const E = c.embed_dim, tensors = caseTensors(c);
  const w = tensors.in_proj_weight.data;
  const apart = { ...tensors, in_proj_weight: undefined };
  delete apart.in_proj_weight;
  ['q', 'k', 'v'].forEach((x, i) => { apart[`${x}_proj_weight`] = { dtype: 'F32', shape: [E, E], data: w.slice(i * E * E, (i + 1) * E * E) }; });
  apart.query = { ...tensors.query, shape: [1, ...tensors.query.shape] }; /* batch_first, a batch of one */
  const packed = await opened(safetensors(apart, metadataOf(c)), 'apart.safetensors');
  sameTensors(packed.case, c, 'packed');
  assert.ok(packed.notes.some((n) => /packed into in_proj_weight/.test(n)), packed.notes.join(' | '));
  /* an L×1×E query (batch second) too */
  const second = await opened(safetensors({ ...tensors, query: { ...tensors.query, shape: [tensors.query.shape[0], 1, E] } }, metadataOf(c)), 'b.safetensors');
  sameTensors(second.case, c, 'L×1×E');
});

/* ---- dtypes, without Python ---- */

/* float16 by its formula, as a double (exact in float32) */
function halfValue(h) {
  const sign = h & 0x8000 ? -1 : 1, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (exponent ? 2 ** (exponent - 15) * (1 + mantissa / 1024) : 2 ** -14 * (mantissa / 1024));
}

test('dtypes: every F16 and BF16 value, and F64 past float32 (rounding, subnormals, overflow, ±0, ±∞, NaN), as float32; BOOL only for masks', async () => {
  const every = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const F64 = Float64Array.of(0, -0, 1, -1, 0.1, 1 / 3, 1 + 2 ** -24, 1 + 3 * 2 ** -24, 2 ** -149, 2 ** -150, 2 ** -149 * 1.5, 1e-40, -1e-40, 1e-46,
    3.4028234663852886e38, 3.4028235677973362e38, 3.4028235677973366e38, 1e300, -1e300, Infinity, -Infinity, NaN);
  const file = safetensors({ half: { dtype: 'F16', shape: [65536], data: every }, brain: { dtype: 'BF16', shape: [256, 256], data: every }, double: { dtype: 'F64', shape: [F64.length], data: F64 } });
  for (const [name, bytes] of [['d.safetensors', file], ['d.npz', npz({ half: { descr: '<f2', shape: [65536], data: every }, brain: { descr: '<V2', shape: [256, 256], data: every }, double: { descr: '<f8', shape: [F64.length], data: F64 } })]]) {
    const { tensors } = await readTensors(bytes, name);
    assert.deepEqual(tensors.brain.shape, [256, 256]);
    for (let h = 0; h < 65536; h++) {
      const half = halfValue(h);
      if (Number.isNaN(half)) {
        assert.ok(Number.isNaN(tensors.half.data[h]), `F16 0x${h.toString(16)}: NaN`);
        assert.equal(bits(tensors.half.data)[h], ((h & 0x8000) << 16 | 0x7fc00000 | (h & 0x3ff) << 13) >>> 0, `F16 0x${h.toString(16)}: its payload, quieted`);
      } else assert.ok(Object.is(tensors.half.data[h], half), `F16 0x${h.toString(16)}: ${tensors.half.data[h]}, expected ${half}`);
      assert.equal(bits(tensors.brain.data)[h], (h << 16) >>> 0, `BF16 0x${h.toString(16)}: float32's top half`);
    }
    F64.forEach((x, i) => assert.ok(Object.is(tensors.double.data[i], Math.fround(x)), `F64 ${x}: ${tensors.double.data[i]}, expected ${Math.fround(x)}`));
  }
  const mask = await readTensors(safetensors({ attn_mask: { dtype: 'BOOL', shape: [2], data: Uint8Array.of(1, 0) } }), 'm.safetensors');
  assert.deepEqual([...mask.tensors.attn_mask.data], [1, 0]);
  const weight = await readTensors(safetensors({ in_proj_weight: { dtype: 'BOOL', shape: [2], data: Uint8Array.of(1, 0) } }), 'w.safetensors');
  assert.match(weight.errors[0].message, /^in_proj_weight: dtype BOOL: only a mask may be bool/);
});

/* ---- options ---- */

test('options: __metadata__ strings, .npz entries, the caller\'s (which win); num_heads missing is asked for, never guessed; add_zero_attn defaults to PyTorch\'s, said in a note', async () => {
  const c = byName.per_head_weights.case; /* E = 8, H = 4, average_attn_weights false */
  const bare = safetensors(caseTensors(c, 'm.'));
  const asked = await readModelFile(bare, 'bare.safetensors');
  assert.deepEqual(asked.missing?.map((m) => [m.key, m.embed_dim]), [['num_heads', 8]], JSON.stringify(asked));
  assert.match(asked.missing[0].message, /^num_heads: bare\.safetensors does not say how many heads .*divide embed_dim 8/);
  assert.equal(asked.case, undefined);
  const given = await opened(bare, 'bare.safetensors', { options: { num_heads: 4, average_attn_weights: false } });
  assert.deepEqual(compareStages(attention.forward(given.case), byName.per_head_weights.stages), []);
  assert.equal(given.case.add_zero_attn, false);
  assert.ok(given.notes.some((n) => /add_zero_attn false \(PyTorch's default; the file does not say\)/.test(n)), given.notes.join(' | '));
  assert.ok(given.notes.some((n) => /tokens t0 … t2 \(the file has none\)/.test(n)), given.notes.join(' | '));
  /* the caller's options win over the file's */
  const said = safetensors(caseTensors(c), { ...metadataOf(c), num_heads: '2', tokens: '["a", "b", "c"]' });
  const over = await opened(said, 'said.safetensors', { options: { num_heads: 4, tokens: ['x', 'y', 'z'] } });
  assert.equal(over.case.num_heads, 4);
  assert.deepEqual(over.case.tokens, ['x', 'y', 'z']);
  /* metadata spellings: Python's str(True), padded numbers; unknown metadata ignored */
  const spelled = await opened(safetensors(caseTensors(c), { num_heads: ' 4 ', add_zero_attn: 'True', average_attn_weights: 'False', framework: 'x' }), 's.safetensors');
  assert.deepEqual([spelled.case.num_heads, spelled.case.add_zero_attn, spelled.case.average_attn_weights], [4, true, false]);
  /* an option as a one-number safetensors entry */
  const entry = await opened(safetensors({ ...caseTensors(c), num_heads: { dtype: 'I64', shape: [], data: BigInt64Array.of(4n) } }), 'e.safetensors');
  assert.equal(entry.case.num_heads, 4);
  /* a whole layer's state_dict: the attention's tensors, the rest left out with a note */
  const layer = { ...caseTensors(c, 'self_attn.') };
  for (const name of ['linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias'])
    layer[name] = { dtype: 'F32', shape: [8], data: new Float32Array(8) };
  const whole = await opened(safetensors(layer, metadataOf(c)), 'layer.safetensors');
  assert.deepEqual(compareStages(attention.forward(whole.case), byName.per_head_weights.stages), []);
  assert.ok(whole.notes.includes('left out, as no part of a MultiheadAttention: linear1.weight, linear1.bias, linear2.weight, linear2.bias, norm1.weight, norm1.bias, … (8 tensors)'), whole.notes.join(' | '));
  /* without a query: the page's, when it fits (base); else how many rows of random numbers is asked for */
  const sd = caseTensors(lecture);
  delete sd.query;
  const borrowed = await opened(safetensors(sd, { num_heads: '1' }), 'sd.safetensors', { base: lecture });
  assert.deepEqual(borrowed.case.query, lecture.query);
  assert.ok(borrowed.notes.some((n) => /the page's query and tokens \(the file has no query\)/.test(n)), borrowed.notes.join(' | '));
  const rowsAsked = [{ key: 'query_rows', message: 'query: sd.safetensors has no input (a checkpoint holds none): say how many rows of random numbers (L×2, normal: mean 0, sd 1, seed 0) to give it', embed_dim: 2, rows: true }];
  const none = await readModelFile(safetensors(sd, { num_heads: '1' }), 'sd.safetensors');
  assert.deepEqual(none.missing, rowsAsked);
  const misfit = await readModelFile(safetensors(sd, { num_heads: '1' }), 'sd.safetensors', { base: byName.two_heads.case });
  assert.deepEqual(misfit.missing, rowsAsked, 'the page\'s query is 3×4: it does not fit E = 2');
  /* ... given: that many rows of a standard normal, seed 0, the same at every call, said in a note */
  const random = await opened(safetensors(sd, { num_heads: '1' }), 'sd.safetensors', { options: { query_rows: 400 }, base: byName.two_heads.case });
  const again = await opened(safetensors(sd, { num_heads: '1' }), 'sd.safetensors', { options: { query_rows: 400 } });
  const rows = random.case.query, numbers = [...rows.data];
  assert.deepEqual([rows.shape, rows.data.constructor.name], [[400, 2], 'Float32Array']);
  assert.deepEqual(again.case.query, rows, 'seeded: the same numbers without the page');
  const mean = numbers.reduce((a, b) => a + b) / numbers.length, sd2 = numbers.reduce((a, b) => a + (b - mean) ** 2, 0) / numbers.length;
  assert.ok(Math.abs(mean) < 0.1 && Math.abs(Math.sqrt(sd2) - 1) < 0.1, `mean ${mean}, sd ${Math.sqrt(sd2)}: a standard normal`);
  assert.deepEqual(compareStages(attention.forward(random.case), attention.forward({ ...lecture, query: rows, tokens: undefined })), [], 'the file\'s weights on those rows');
  assert.ok(random.notes.includes('query: 400 rows of 2 random numbers (normal: mean 0, sd 1, seed 0), as asked (the file has no input)'), random.notes.join(' | '));
  assert.deepEqual((await readModelFile(safetensors(sd, { num_heads: '1' }), 'sd.safetensors', { options: { query_rows: 0 } })).errors,
    [{ key: 'query_rows', message: 'query_rows: expected a whole number of rows from 1, got 0' }]);
  /* a file with its own query is not asked */
  assert.equal((await readModelFile(good, 'x.safetensors', { options: { query_rows: 3 } })).case.query.shape[0], 3);
});

/* ---- damaged files ---- */

const good = safetensors(caseTensors(lecture), { num_heads: '1' });
const headerSize = new DataView(good.buffer).getUint32(0, true);
const goodHeader = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + headerSize)));
/* good's data under another header */
function withHeader(header, text = JSON.stringify(header)) {
  const bytes = new TextEncoder().encode(text), size = new Uint8Array(8);
  new DataView(size.buffer).setUint32(0, bytes.length, true);
  return new Uint8Array([...size, ...bytes, ...good.subarray(8 + headerSize)]);
}
const edited = (name, change) => withHeader({ ...goodHeader, [name]: { ...goodHeader[name], ...change } });
const lectureArrays = { ...asNumpy(caseTensors(lecture)), num_heads: { descr: '<i8', shape: [], data: BigInt64Array.of(1n) } };
const compressed = npz(lectureArrays, { compressed: true });
const garbled = compressed.slice();
garbled.fill(0xff, 40, 60); /* inside the first entry's deflate stream: a reserved block type */
const f4 = (shape, fill = 0.5) => ({ descr: '<f4', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });

/* [what, bytes, file name, [key, message] of the first (and only) error] */
const DAMAGED = [
  ['too short', good.slice(0, 5), 'x.safetensors', ['', /^x\.safetensors: 5 bytes is too short for a safetensors file/]],
  ['a truncated header', good.slice(0, 8 + headerSize - 10), 'x.safetensors', ['', new RegExp(`^x\\.safetensors: the header is ${headerSize} bytes, but the file has ${headerSize - 10} after its size: truncated, or not a safetensors file$`)]],
  ['a header size past 4 GB', new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0, 123]), 'x.safetensors', ['', /the header is over 4 GB/]],
  ['bad JSON', withHeader(null, '{"query": {"dtype": "F32",'), 'x.safetensors', ['', /^x\.safetensors: the header is not JSON \(.+\): not a safetensors file, or a damaged one$/]],
  ['a header that is no object', withHeader(null, '[1, 2]'), 'x.safetensors', ['', /the header is an array, not an object of tensors/]],
  ['offsets past the end', good.slice(0, good.length - 4), 'x.safetensors', ['query', /^query: data_offsets \[\d+,\d+\] go past the end of the data \(\d+ bytes\): the file is truncated$/]],
  ['a wrong dtype', edited('query', { dtype: 'I64' }), 'x.safetensors', ['query', /^query: dtype "I64": expected F64, F32, F16 or BF16$/]],
  ['no dtype', edited('query', { dtype: undefined }), 'x.safetensors', ['query', /^query: no dtype: expected F64, F32, F16 or BF16$/]],
  ['an unknown dtype', edited('in_proj_weight', { dtype: 'F8_E4M3' }), 'x.safetensors', ['in_proj_weight', /dtype "F8_E4M3": expected F64, F32, F16 or BF16/]],
  ['a size that does not fit the shape', edited('query', { shape: [3, 3] }), 'x.safetensors', ['query', /^query: data_offsets \[\d+,\d+\] hold 24 bytes, but F32 \[3,3\] needs 36$/]],
  ['overlapping tensors', edited('in_proj_bias', { data_offsets: [40, 64] }), 'x.safetensors', ['in_proj_bias', /^in_proj_bias: its data \[40,64\] overlaps in_proj_weight's \[0,48\]$/]],
  ['malformed offsets', edited('query', { data_offsets: [5] }), 'x.safetensors', ['query', /^query: data_offsets: expected \[begin, end\], got \[5\]$/]],
  ['a malformed shape', edited('query', { shape: [3, -2] }), 'x.safetensors', ['query', /^query: shape: expected an array of sizes, got \[3,-2\]$/]],
  ['metadata num_heads that is no number', withHeader({ ...goodHeader, __metadata__: { num_heads: 'two' } }), 'x.safetensors', ['num_heads', /^num_heads: expected a whole number such as "12", got "two"$/]],
  ['metadata tokens that are no JSON', withHeader({ ...goodHeader, __metadata__: { num_heads: '1', tokens: 'I am good' } }), 'x.safetensors', ['tokens', /^tokens: expected JSON such as \["I", "am", "good"\], got "I am good"/]],
  ['metadata that is no object', withHeader({ ...goodHeader, __metadata__: [1] }), 'x.safetensors', ['', /__metadata__ is an array, not an object of strings/]],
  ['no MultiheadAttention in it', safetensors({ 'linear1.weight': { dtype: 'F32', shape: [2, 2], data: new Float32Array(4) }, query: caseTensors(lecture).query }), 'x.safetensors', ['', /^x\.safetensors: no MultiheadAttention weights in it \(in_proj_weight, out_proj\.weight, \.\.\.\); it holds linear1\.weight, query$/]],
  ['a shape the case format refuses', edited('in_proj_bias', { shape: [5], data_offsets: [48, 68] }), 'x.safetensors', ['in_proj_bias', /^in_proj_bias: expected 3E: b_q, b_k, b_v = 6, got 5$/]],
  ['not a zip', good, 'x.npz', ['', /^x\.npz: not a zip file, so not an \.npz/]],
  ['a zip that is not an npz (torch.save)', zip({ 'archive/data.pkl': new Uint8Array([128, 2]), 'archive/version': new Uint8Array([51]) }), 'x.npz', ['', /^x\.npz: a zip of archive\/data\.pkl, archive\/version, not of \.npy arrays, so not an \.npz \(it looks like a torch\.save file: save the state_dict with safetensors or numpy\.savez\)$/]],
  ['a zip of arrays and something else', zip({ 'query.npy': npy('<f4', [1, 2], new Float32Array(2)), 'notes.txt': new Uint8Array([104, 105]) }), 'x.npz', ['notes.txt', /^notes\.txt: not a \.npy array, so this zip is not an \.npz$/]],
  ['unsupported compression', zip({ 'query.npy': npy('<f4', [1, 2], new Float32Array(2)) }, { method: 12 }), 'x.npz', ['query', /^query: the zip entry query\.npy is compressed with method 12; numpy\.savez stores \(0\) and numpy\.savez_compressed deflates \(8\)$/]],
  ['a deflate stream that does not inflate', garbled, 'x.npz', ['in_proj_weight', /^in_proj_weight: the zip entry in_proj_weight\.npy (does not inflate: .+|inflates to \d+ bytes, not the \d+ the zip says)$/]],
  ['a zip cut short', compressed.slice(0, compressed.length - 30), 'x.npz', ['', /^x\.npz: the zip has no central directory at its end: truncated\?$/]],
  ['a big-endian array', npz({ query: { descr: '>f4', shape: [1, 2], data: new Float32Array(2) } }), 'x.npz', ['query', /^query: dtype >f4: .*; this one is big-endian$/]],
  ['Fortran order', zip({ 'query.npy': npy('<f4', [2, 2], new Float32Array(4), { fortran: true }) }), 'x.npz', ['query', /Fortran \(column-major\) order; save numpy\.ascontiguousarray\(query\)/]],
  ['integer weights', npz({ ...lectureArrays, in_proj_weight: { descr: '<i8', shape: [6, 2], data: new BigInt64Array(12) } }), 'x.npz', ['in_proj_weight', /^in_proj_weight: dtype <i8: expected <f8, <f4 or <f2/]],
  ['an array shorter than its shape', npz({ query: { descr: '<f4', shape: [3, 2], data: new Float32Array(4) } }), 'x.npz', ['query', /^query: <f4 \(3,2\) needs 24 bytes, the array has 16: truncated$/]],
  ['an entry that is no .npy', zip({ 'query.npy': new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) }), 'x.npz', ['query', /^query: not a \.npy array$/]],
  ['an option that is no number', npz({ ...lectureArrays, num_heads: f4([2]) }), 'x.npz', ['num_heads', /^num_heads: expected one number \(the option\), got <f4 of shape \(2\)$/]],
  ['another extension', good, 'x.bin', ['', /^x\.bin: expected a \.safetensors or \.npz file \(a torch\.save file cannot be read here/]],
  ['no bytes', 'hello', 'x.safetensors', ['', /^x\.safetensors: expected the file's bytes, got "hello"$/]],
];

test('damaged files: one clear message each, key by key, and never a throw', async () => {
  for (const [what, bytes, name, [key, message]] of DAMAGED) {
    let result;
    await assert.doesNotReject(async () => { result = await readModelFile(bytes, name); }, what);
    assert.ok(Array.isArray(result.errors), `${what}: ${JSON.stringify(result).slice(0, 200)}`);
    assert.equal(result.errors.length, 1, `${what}: one message, got ${JSON.stringify(result.errors)}`);
    assert.equal(result.errors[0].key, key, `${what}: the key`);
    assert.match(result.errors[0].message, message, what);
    assert.equal(result.case, undefined);
  }
  /* several problems: every one, each under its key */
  const several = await readModelFile(withHeader({ ...goodHeader, query: { ...goodHeader.query, dtype: 'U8' }, in_proj_bias: { ...goodHeader.in_proj_bias, shape: [7] } }), 'x.safetensors');
  assert.deepEqual(several.errors.map((e) => e.key), ['in_proj_bias', 'query']);
});

test('random cuts and byte flips of every kind of file never throw', async () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const files = [['x.safetensors', good], ['x.npz', npz(lectureArrays)], ['x.npz', compressed]];
  for (let i = 0; i < 300; i++) {
    const [name, original] = files[i % files.length];
    const bytes = i % 2 ? original.slice(0, Math.floor(random() * original.length)) : original.slice();
    if (!(i % 2)) for (let k = 0; k < 1 + random() * 4; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    let result;
    await assert.doesNotReject(async () => { result = await readModelFile(bytes, name, { options: { num_heads: 1 } }); }, `case ${i}`);
    const said = (list) => list?.length && list.every((e) => typeof e.key === 'string' && typeof e.message === 'string');
    assert.ok(result.case || said(result.errors) || said(result.missing), `case ${i}: ${JSON.stringify(result).slice(0, 200)}`);
  }
});

test('the module is a classic script with one global, and knows its files by name', async () => {
  const vm = await import('node:vm');
  const context = { AttnCase: Case, AttnText: require('../web/page/text/text.js'), AttnCases: require('../web/page/model/cases.js'), AttnImport: require('../web/page/model/import.js') }; /* its needs */
  vm.createContext(context);
  vm.runInContext(readFileSync(join(ROOT, 'web/page/model/modelfile.js'), 'utf8'), context);
  assert.deepEqual(Object.keys(context), ['AttnCase', 'AttnText', 'AttnCases', 'AttnImport', 'AttnModelFile']);
  assert.deepEqual(['a.safetensors', 'B.NPZ', 'a.json', 'a.npz.txt', 'safetensors'].map(isModelFile), [true, true, false, false, false]);
});

/* ---- the CLI ---- */

const cli = (args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const stagesOf = (stdout) => Object.fromEntries(Object.entries(JSON.parse(stdout)).map(([k, v]) => [k, flatten(v)]));
const save = (name, bytes) => { const path = join(dir, name); writeFileSync(path, bytes); return path; };

test('a whole model\'s file: which attention module is asked for, with its choices; the one named opens bit for bit, the others left out; one not in the file is refused', async () => {
  const c = byName.per_head_weights.case, other = JSON.parse(JSON.stringify(c)); /* E = 8, H = 4 */
  other.in_proj_weight = other.in_proj_weight.map((row) => row.map((x) => -x));
  const prefixed = (tensors, prefix) => Object.fromEntries(Object.entries(tensors).filter(([k]) => Case.PARAM_KEYS.includes(k)).map(([k, v]) => [prefix + k, v]));
  const ffn = { dtype: 'F32', shape: [8], data: new Float32Array(8) };
  const bytes = safetensors({ ...prefixed(caseTensors(c), 'encoder.layers.0.self_attn.'), 'encoder.layers.0.linear1.bias': ffn,
    ...prefixed(caseTensors(other), 'encoder.layers.1.self_attn.'), query: caseTensors(c).query });
  const asked = await readModelFile(bytes, 'model.safetensors');
  assert.deepEqual(asked.missing?.map((m) => [m.key, m.choices ?? m.embed_dim]), [['module', ['encoder.layers.0.self_attn', 'encoder.layers.1.self_attn']], ['num_heads', 8]]);
  assert.equal(asked.missing[0].message, 'module: model.safetensors holds 2 attention modules; which one? encoder.layers.0.self_attn, encoder.layers.1.self_attn');
  const options = { num_heads: 4, average_attn_weights: false, tokens: c.tokens };
  for (const [module, want] of [['encoder.layers.0.self_attn', c], ['encoder.layers.1.self_attn', other]]) {
    const { case: got, notes } = await opened(bytes, 'model.safetensors', { options: { ...options, module } });
    sameTensors(got, { ...want, key: undefined, value: undefined, attn_mask: undefined, key_padding_mask: undefined }, module);
    assert.deepEqual(compareStages(attention.forward(got), attention.forward({ ...want, key: undefined, value: undefined })), [], module);
    const others = module.endsWith('0.self_attn') ? 'encoder.layers.1.self_attn' : 'encoder.layers.0.self_attn';
    assert.ok(notes.includes(`the file's other attention modules left out: ${others}`), notes.join(' | '));
  }
  /* a module of the file that is not whole: what it lacks, as for any file */
  const part = await readModelFile(safetensors({ ...caseTensors(lecture, 'layers.0.self_attn.'), 'layers.1.self_attn.out_proj.bias': caseTensors(lecture)['out_proj.bias'] }, { num_heads: '1' }),
    'x.safetensors', { options: { module: 'layers.1.self_attn' } });
  assert.deepEqual(part.errors?.map((e) => e.key), ['in_proj_weight', 'in_proj_bias', 'out_proj.weight'], JSON.stringify(part));
  const wrong = await readModelFile(bytes, 'model.safetensors', { options: { ...options, module: 'encoder.layers.2.self_attn' } });
  assert.deepEqual(wrong.errors, [{ key: 'module', message: 'module: model.safetensors has no attention module encoder.layers.2.self_attn; it has encoder.layers.0.self_attn, encoder.layers.1.self_attn' }]);
  /* the CLI: --module, and its question names the flag */
  const path = save('model.safetensors', bytes);
  let run = cli([path, '--num-heads', '4']);
  assert.equal(run.status, 1);
  assert.equal(run.stderr, `attention-cli: module: ${path} holds 2 attention modules; which one? encoder.layers.0.self_attn, encoder.layers.1.self_attn; pass --module PATH\n`);
  run = cli([join(ROOT, 'tests/fixtures/lecture.json'), '--module', 'layers.0']);
  assert.deepEqual([run.status, run.stderr], [2, 'attention-cli: --module is for model files (.safetensors, .npz); a JSON case is one module\n']);
  run = cli([path, '--num-heads', '4', '--no-average-attn-weights', '--module', 'encoder.layers.1.self_attn']);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(compareStages(stagesOf(run.stdout), attention.forward({ ...other, key: undefined, value: undefined, tokens: undefined })), []);
});

test('BERT\'s names (self.query, self.key, self.value, output.dense) are a MultiheadAttention\'s: stacked into in_proj, bit for bit; a part missing or of another shape is said', async () => {
  const f = byName.per_head_weights, c = f.case, E = 8; /* H = 4, average_attn_weights false */
  const t = caseTensors(c), rows = (tensor, from, n) => ({ dtype: 'F32', shape: [n, ...tensor.shape.slice(1)], data: tensor.data.slice(from * (tensor.data.length / tensor.shape[0]), (from + n) * (tensor.data.length / tensor.shape[0])) });
  const layer = (p) => ({
    [`${p}attention.self.query.weight`]: rows(t.in_proj_weight, 0, E), [`${p}attention.self.key.weight`]: rows(t.in_proj_weight, E, E), [`${p}attention.self.value.weight`]: rows(t.in_proj_weight, 2 * E, E),
    [`${p}attention.self.query.bias`]: rows(t.in_proj_bias, 0, E), [`${p}attention.self.key.bias`]: rows(t.in_proj_bias, E, E), [`${p}attention.self.value.bias`]: rows(t.in_proj_bias, 2 * E, E),
    [`${p}attention.output.dense.weight`]: t['out_proj.weight'], [`${p}attention.output.dense.bias`]: t['out_proj.bias'],
    [`${p}attention.output.LayerNorm.weight`]: t['out_proj.bias'], [`${p}output.dense.weight`]: t['out_proj.weight'], /* (the feed-forward's dense: not the attention's) */
  });
  const file = { ...layer('bert.encoder.layer.0.'), ...layer('bert.encoder.layer.1.'), query: t.query };
  const options = { num_heads: 4, average_attn_weights: false, tokens: c.tokens };
  const { case: got, notes } = await opened(safetensors(file), 'bert.safetensors', { options: { ...options, module: 'bert.encoder.layer.1.attention' } });
  sameTensors(got, c, 'BERT\'s layer 1');
  assert.deepEqual(compareStages(attention.forward(got), f.stages), []);
  assert.ok(notes.includes('BERT\'s names read as a MultiheadAttention\'s: in_proj is bert.encoder.layer.1.attention\'s self.query, self.key and self.value, stacked; out_proj its output.dense'), notes.join(' | '));
  assert.ok(notes.some((n) => n.startsWith('left out, as no part of a MultiheadAttention: bert.encoder.layer.0.attention.output.LayerNorm.weight, bert.encoder.layer.0.output.dense.weight')), notes.join(' | '));
  /* a part missing; a part of another shape */
  const cut = { ...layer(''), query: t.query };
  delete cut['attention.self.value.bias'];
  assert.deepEqual((await readModelFile(safetensors(cut), 'cut.safetensors', { options })).errors,
    [{ key: 'attention.self.value.bias', message: 'attention.self.value.bias: missing; BERT\'s self.query, self.key and self.value (bias) are stacked into in_proj_bias' }]);
  const odd = { ...layer(''), 'attention.self.key.weight': rows(t.in_proj_weight, 0, 4), query: t.query };
  assert.deepEqual((await readModelFile(safetensors(odd), 'odd.safetensors', { options })).errors,
    [{ key: 'attention.self.key.weight', message: 'attention.self.key.weight: 4×8, but attention.self.query.weight is 8×8; BERT\'s self.query, self.key and self.value are stacked into in_proj_weight' }]);
});

test('cli: model files, with options from the file or from flags; a missing one names its flag; a damaged file is one line, exit 1', () => {
  const f = byName.per_head_weights, c = f.case; /* H = 4, average_attn_weights false */
  let run = cli([save('said.safetensors', safetensors(caseTensors(c, 'layer.attn.'), metadataOf(c)))]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.deepEqual(compareStages(stagesOf(run.stdout), f.stages), []);
  const bare = save('bare.safetensors', safetensors(caseTensors(c)));
  run = cli([bare]);
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, `attention-cli: num_heads: ${bare} does not say how many heads (a state_dict does not hold it); it must divide embed_dim 8; pass --num-heads N\n`);
  run = cli([bare, '--num-heads', '4', '--no-average-attn-weights']);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(compareStages(stagesOf(run.stdout), f.stages), []);
  run = cli(['--num-heads=4', bare]);
  assert.deepEqual(stagesOf(run.stdout).attn_weights.shape, [3, 3], 'the mean over heads without --no-average-attn-weights');
  /* .npz, deflated, every flag */
  const z = byName.add_zero_attn;
  const zeroAttn = save('zero.npz', npz(asNumpy(caseTensors(z.case)), { compressed: true }));
  run = cli([zeroAttn, '--num-heads', '2', '--add-zero-attn', '--tokens', JSON.stringify(z.case.tokens)]);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(compareStages(stagesOf(run.stdout), z.stages), []);
  run = cli([zeroAttn, '--num-heads', '2']);
  assert.equal(stagesOf(run.stdout).k.shape[0], z.stages.k.shape[0] - 1, 'no zero row without --add-zero-attn');
  run = cli([zeroAttn, '--num-heads', '2', '--tokens', '["a"]']);
  assert.equal(run.status, 1);
  assert.equal(run.stderr, 'attention-cli: tokens: expected 3 labels (one per query row), got 1\n');
  /* a checkpoint (no input): the rows of random numbers it needs name their flag; given, the stages of those rows */
  const weightsOnly = caseTensors(c);
  delete weightsOnly.query;
  const checkpoint = save('checkpoint.safetensors', safetensors(weightsOnly));
  run = cli([checkpoint, '--num-heads', '4']);
  assert.deepEqual([run.status, run.stderr], [1, `attention-cli: query: ${checkpoint} has no input (a checkpoint holds none): say how many rows of random numbers (L×8, normal: mean 0, sd 1, seed 0) to give it; pass --random-query L\n`]);
  run = cli([checkpoint, '--num-heads', '4', '--random-query', '5']);
  assert.equal(run.status, 0, run.stderr);
  const query = stagesOf(run.stdout).q.shape;
  assert.deepEqual(query, [5, 8]);
  /* damaged: one line naming the key and the problem, exit 1 */
  run = cli([save('cut.safetensors', good.slice(0, good.length - 4))]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^attention-cli: query: data_offsets \[\d+,\d+\] go past the end of the data \(\d+ bytes\): the file is truncated\n$/);
  run = cli([save('two.safetensors', withHeader({ ...goodHeader, query: { ...goodHeader.query, dtype: 'U8' }, in_proj_bias: { ...goodHeader.in_proj_bias, shape: [7] } }))]);
  assert.equal(run.stderr, 'attention-cli: in_proj_bias: data_offsets [48,72] hold 24 bytes, but F32 [7] needs 28 (and 1 more problem)\n');
  run = cli([save('wrong.npz', npz(lectureArrays)), '--num-heads', '3']);
  assert.equal(run.status, 1);
  assert.equal(run.stderr, 'attention-cli: embed_dim 2 is not divisible by num_heads 3\n');
  /* wrong usage: exit 2 */
  for (const [args, message] of [[[bare, '--num-heads'], /--num-heads needs a value \(N\)/], [[bare, '--num-heads', 'two'], /--num-heads: expected a positive whole number, got "two"/],
    [[bare, '--tokens', '[a'], /--tokens: expected JSON/], [[bare, '--random-query', '0'], /--random-query: expected a positive whole number, got "0"/], [[join(ROOT, 'tests/fixtures/lecture.json'), '--num-heads', '1'], /--num-heads is for model files \(\.safetensors, \.npz\); a JSON case holds its options itself/]]) {
    run = cli(args);
    assert.equal(run.status, 2, args.join(' '));
    assert.match(run.stderr, message);
  }
  assert.match(cli(['--help']).stdout, /--num-heads N[\s\S]*--add-zero-attn[\s\S]*--no-average-attn-weights[\s\S]*--tokens JSON/);
});

/* ---- files written by torch and numpy ---- */

const hasPython = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
const pyDir = join(dir, 'python');
if (hasPython) mkdirSync(pyDir);
const written = hasPython ? spawnSync(PYTHON, [join(ROOT, 'tests/model_files.py'), pyDir], { encoding: 'utf8' }) : null;
const skipPython = !hasPython && `${PYTHON} has no torch and numpy (apt-get install python3-torch)`;

test('files written by torch and numpy: every dtype as torch\'s .float() makes it, bit for bit; the module\'s tensors; the CLI\'s stages equal torch\'s forward()', { skip: skipPython }, async () => {
  assert.equal(written.status, 0, written.stderr);
  const expected = (await readTensors(readFileSync(join(pyDir, 'expected.safetensors')), 'expected.safetensors')).tensors;
  const names = [...new Set(Object.keys(expected).map((k) => k.split('/')[0]))];
  assert.equal(names.length, 18, names.join(' '));
  for (const name of names) {
    const bytes = readFileSync(join(pyDir, name));
    const { tensors, errors } = await readTensors(bytes, name);
    assert.ok(tensors, `${name}: ${JSON.stringify(errors)}`);
    for (const [key, t] of Object.entries(tensors)) {
      const want = expected[`${name}/${key}`];
      assert.ok(want, `${name}: ${key} is expected`);
      assert.deepEqual(t.shape, want.shape, `${name}: ${key}`);
      sameBits(t.data, want.data, `${name}: ${key}`);
    }
    if (name.startsWith('specials')) continue;
    /* the module: its case's tensors are torch's, and the CLI's stages are the module's */
    const module = { encoder: 'layers.1.self_attn', bert: 'bert.encoder.layer.1.attention' }[name.split('-')[0]];
    const { case: c } = await opened(bytes, name, { options: name.startsWith('cross') ? { num_heads: 2 } : module ? { module } : {} });
    const prefix = name.startsWith('mha') ? 'encoder.layers.3.self_attn.' : module ? `${module}.` : '';
    for (const key of [...Case.PARAM_KEYS, 'query', 'key', 'value']) {
      const want = expected[`${name}/${Case.PARAM_KEYS.includes(key) ? prefix : ''}${key}`];
      if (c[key] === undefined) { assert.equal(want, undefined, `${name}: ${key}`); continue; }
      sameBits(c[key].data, want.data, `${name}: the case's ${key}`);
    }
    if (name.startsWith('mha')) assert.deepEqual([c.num_heads, c.add_zero_attn, c.tokens], [2, true, ['the', 'cat', 'sat', 'on', 'it']], name);
    const run = cli([join(pyDir, name), ...(name.startsWith('cross') ? ['--num-heads', '2'] : module ? ['--module', module] : [])]);
    assert.equal(run.status, 0, `${name}: ${run.stderr}`);
    const printed = stagesOf(run.stdout);
    for (const stage of ['output', 'attn_weights']) {
      const want = expected[`${name}/${stage}`];
      assert.equal(compareStage(stage, printed[stage], { shape: want.shape, data: Float64Array.from(want.data) }), null, name);
    }
  }
});
