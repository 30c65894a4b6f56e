// errors.test.mjs: invalid configurations of the C API (through the wasm
// binding and the native driver), and the CLI's answer to every kind of bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createAttention } from '../web/attention.mjs';
import { loadFixtures, compareStages, runDriver, NATIVE_ASAN, ROOT } from './helpers.mjs';

const lecture = loadFixtures().find((f) => f.name === 'lecture');
const VALID = {
  embed_dim: 4, num_heads: 2, kdim: 4, vdim: 4, tgt_len: 3, src_len: 3, bias: 1, add_bias_kv: 0,
  add_zero_attn: 0, average_attn_weights: 1, attn_mask_kind: 0, attn_mask_per_head: 0, key_padding_mask_kind: 0,
};
const INVALID = 1, LIMIT = 2;

// [what, change to VALID, status, message]
const BAD_CONFIGS = [
  ['E not divisible by num_heads', { embed_dim: 5 }, INVALID, /embed_dim 5 is not divisible by num_heads 2/],
  ['zero embed_dim', { embed_dim: 0 }, INVALID, /embed_dim must be at least 1, got 0/],
  ['negative num_heads', { num_heads: -2 }, INVALID, /num_heads must be at least 1, got -2/],
  ['zero tgt_len', { tgt_len: 0 }, INVALID, /tgt_len must be at least 1/],
  ['negative src_len', { src_len: -1 }, INVALID, /src_len must be at least 1/],
  ['zero kdim', { kdim: 0 }, INVALID, /kdim must be at least 1/],
  ['zero vdim', { vdim: 0 }, INVALID, /vdim must be at least 1/],
  ['embed_dim past the limit', { embed_dim: 4098, num_heads: 2 }, LIMIT, /embed_dim is 4098, past the limit of 4096/],
  ['tgt_len past the limit', { tgt_len: 1 << 30 }, LIMIT, /tgt_len is 1073741824, past the limit/],
  ['scores past the element limit', { tgt_len: 4096, src_len: 4096 }, LIMIT, /scores would hold 33554432 floats, past the limit/],
  ['a flag that is not 0 or 1', { bias: 2 }, INVALID, /bias must be 0 or 1, got 2/],
  ['an unknown mask kind', { attn_mask_kind: 3 }, INVALID, /attn_mask_kind must be 0 \(none\), 1 \(bool\) or 2 \(float\), got 3/],
  ['a per-head mask without a mask', { attn_mask_per_head: 1 }, INVALID, /attn_mask_per_head is set but there is no attn_mask/],
];

test('the C API rejects every invalid configuration with a code and a reason, and keeps the last good one', async () => {
  const attention = await createAttention();
  const good = attention.forward(lecture.case);
  const { core, handle } = attention;
  /* The stages the core computes now from what it holds: attn_forward on
   * its own, nothing written in first, so a configure that had lost the
   * configuration, the buffers or the inputs would show here. */
  const computedFromWhatItHolds = () => {
    assert.equal(core.attn_forward(handle), 0, 'attn_forward succeeds');
    const stages = {};
    attention.stageNames.forEach((name, i) => {
      const dims = new Int32Array(3);
      const pointer = core.malloc(12);
      const rank = core.attn_stage_shape(handle, i, pointer);
      dims.set(new Int32Array(core.memory.buffer, pointer, 3));
      core.free(pointer);
      const shape = Array.from(dims.subarray(0, rank));
      const count = shape.reduce((a, b) => a * b, 1);
      stages[name] = { shape, data: new Float32Array(core.memory.buffer, core.attn_stage(handle, i), count).slice() };
    });
    return stages;
  };
  assert.deepEqual(compareStages(computedFromWhatItHolds(), lecture.stages), [], 'before');
  for (const [what, change, status, message] of BAD_CONFIGS) {
    assert.throws(() => attention.configure({ ...VALID, ...change }), (e) => e.code === status && message.test(e.message), what);
    assert.deepEqual(compareStages(computedFromWhatItHolds(), lecture.stages), [], `after ${what}: the configuration and the inputs are as they were`);
  }
  assert.deepEqual(good.output.data, attention.forward(lecture.case).output.data);
});

test('the native build (under ASan+UBSan) answers the same invalid configurations without crashing', async () => {
  const { configFields } = await createAttention();
  const script = BAD_CONFIGS.map(([, change]) => `config ${configFields.map((f) => ({ ...VALID, ...change })[f]).join(' ')}\nforward\n`).join('');
  const run = runDriver(NATIVE_ASAN, script);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  // each bad config is an error; the forwards after them fail as "out of order" (nothing configured yet)
  const errors = run.results.filter((r) => r.error);
  BAD_CONFIGS.forEach(([what, , status, message], i) => {
    assert.equal(errors[2 * i].error.code, status, what);
    assert.match(errors[2 * i].error.message, message, what);
    assert.equal(errors[2 * i + 1].error.code, 4, 'forward before a good configure is out of order');
  });
});

test('backward: out of order before a forward, in the binding and in the C API (native, under ASan+UBSan)', async () => {
  const attention = await createAttention();
  assert.throws(() => attention.backward({ output: [[1, 0], [0, 0], [0, 0]] }), (e) => e.name === 'CoreError' && e.code === 4 && /backward called before forward/.test(e.message));
  attention.forward(lecture.case);
  attention.configure({ ...VALID }); /* a new configuration: no forward pass of it yet */
  assert.throws(() => attention.backward(), (e) => e.name === 'CoreError' && e.code === 4);

  const { configFields } = attention;
  const config = `config ${configFields.map((f) => VALID[f]).join(' ')}\n`;
  const run = runDriver(NATIVE_ASAN, `backward\n${config}backward\nforward\nbackward\n${config.replace(/^config 4 2/, 'config 6 2')}backward\n`);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  const [beforeConfigure, beforeForward, stages, grads, afterReconfigure] = run.results;
  for (const r of [beforeConfigure, beforeForward, afterReconfigure]) {
    assert.equal(r.error?.code, 4, JSON.stringify(r));
    assert.match(r.error.message, /attn_backward called before attn_forward/);
  }
  assert.ok(stages.q && grads.query && grads.in_proj_weight && grads.scores, 'a forward and a backward (zeros in, zeros out)');
  assert.ok(Object.values(grads).every(({ data }) => data.every((x) => x === 0)));
});

test('backward: what it takes is checked, each problem naming its key', async () => {
  const attention = await createAttention();
  attention.forward(lecture.case);
  const cases = [
    [{ out: [[1, 0]] }, /unknown gradient "out"; backward takes output, attn_weights, weights/],
    [{ output: [[1, 0]] }, /output: expected L×E, the shape of output = 3×2, got 1×2/],
    [{ output: { shape: [3, 2], data: new Float32Array(5) } }, /output: shape \[3,2\] holds 6 numbers but data has 5/],
    [{ weights: [[[0, 0, 0]]] }, /weights: expected H×L×S', the shape of weights = 1×3×3, got 1×1×3/],
    [[1, 2], /the gradients must be an object/],
  ];
  for (const [given, message] of cases) assert.throws(() => attention.backward(given), (e) => e.name === 'CaseError' && message.test(e.message), message.source);
});

test('a wrong input length is caught before it reaches the core', async () => {
  const attention = await createAttention();
  const parsed = { config: { ...VALID }, inputs: { query: new Float32Array(5) } };
  assert.throws(() => attention.forward(parsed), /query: expected 12 numbers \(3×4\), got 5/);
});

/* ---- the CLI ---- */

const CLI = join(ROOT, 'web', 'cli.mjs');
function cli(args, input) {
  return spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
}
const lectureCase = () => JSON.parse(JSON.stringify(lecture.case));
const edit = (change) => JSON.stringify(change(lectureCase()));

// [what, stdin text, the one line it must print]
const BAD_INPUT = [
  ['malformed JSON', '{"query": [[0.2, 0.1],', /^attention-cli: stdin: malformed JSON: /],
  ['not an object', '[1, 2]', /a case must be a JSON object, got an array/],
  ['an unknown key', edit((c) => ({ ...c, heads: 2 })), /unknown key "heads"/],
  ['a missing weight', edit((c) => { delete c['out_proj.weight']; return c; }), /missing out_proj\.weight \(E×E\)/],
  ['a missing in_proj_weight', edit((c) => { delete c.in_proj_weight; return c; }), /missing in_proj_weight \(3E×E, rows W_q, W_k, W_v\)/],
  ['a missing query', edit((c) => { delete c.query; return c; }), /missing query/],
  ['a missing num_heads', edit((c) => { delete c.num_heads; return c; }), /missing num_heads/],
  ['a wrong shape', edit((c) => { c.in_proj_weight.pop(); return c; }), /in_proj_weight: expected 3E×E, rows W_q, W_k, W_v = 6×2, got 5×2/],
  ['a ragged matrix', edit((c) => { c.query[1].push(0.5); return c; }), /query\[1\]: expected 2 entries like its neighbours/],
  ['a ragged matrix of another shape', edit((c) => { c.in_proj_weight = [[1, 2], [3]]; return c; }), /in_proj_weight\[1\]: expected 2 entries like its neighbours, got an array of 1$/],
  ['a wrong bias length', edit((c) => { c['out_proj.bias'].push(1); return c; }), /out_proj\.bias: expected E = 2, got 3/],
  ['a non-numeric value', edit((c) => { c.query[1][0] = 'abc'; return c; }), /query\[1\]\[0\]: expected a number, got "abc"/],
  ['null as a number', edit((c) => { c.in_proj_bias[2] = null; return c; }), /in_proj_bias\[2\]: expected a number, got null/],
  ['a number beyond float32', edit((c) => { c.query[0][0] = 1e39; return c; }), /query\[0\]\[0\]: 1e\+39 is beyond float32's range/],
  ['E not divisible by num_heads', edit((c) => ({ ...c, num_heads: 3, embed_dim: 2 })), /embed_dim 2 is not divisible by num_heads 3/],
  ['zero num_heads', edit((c) => ({ ...c, num_heads: 0 })), /num_heads: expected a positive integer, got 0/],
  ['negative embed_dim', edit((c) => ({ ...c, embed_dim: -2 })), /embed_dim: expected a positive integer, got -2/],
  ['fractional num_heads', edit((c) => ({ ...c, num_heads: 1.5 })), /num_heads: expected a positive integer, got 1\.5/],
  ['embed_dim unlike query', edit((c) => ({ ...c, embed_dim: 4, num_heads: 1 })), /query: expected L×E \(embed_dim\) = \?×4, got 3×2/],
  ['a string for a flag', edit((c) => ({ ...c, bias: 'yes' })), /bias: expected true or false, got "yes"/],
  ['a bias that bias=false forbids', edit((c) => ({ ...c, bias: false })), /in_proj_bias: given, but bias is false/],
  ['a mask of the wrong type', edit((c) => ({ ...c, attn_mask: 'causal' })), /attn_mask: expected an array, got "causal"/],
  ['a mask mixing booleans and numbers', edit((c) => ({ ...c, attn_mask: [[true, 0, false], [false, false, false], [false, false, false]] })), /attn_mask\[0\]\[1\]: attn_mask mixes booleans and numbers/],
  ['a mask of the wrong shape', edit((c) => ({ ...c, attn_mask: [[true, false], [false, false]] })), /attn_mask: expected L×S \(query rows × key rows\) = 3×3, got 2×2/],
  ['a padding mask of the wrong length', edit((c) => ({ ...c, key_padding_mask: [true] })), /key_padding_mask: expected S \(one per key row\) = 3, got 1/],
  ['q_proj_weight where in_proj_weight belongs', edit((c) => ({ ...c, q_proj_weight: [[1, 0], [0, 1]] })), /q_proj_weight: not used when kdim = vdim = embed_dim/],
  ['value without enough rows', edit((c) => ({ ...c, key: [[1, 2]] })), /missing value \(key has 1 rows, so value cannot default to query's 3\)/],
  ['tokens of the wrong length', edit((c) => ({ ...c, tokens: ['I', 'am'] })), /tokens: expected 3 labels \(one per query row\), got 2/],
  ['a grad_output of the wrong shape', edit((c) => ({ ...c, grad_output: [[1, 0]] })), /grad_output: expected L×E, the shape of output = 3×2, got 1×2/],
  ['a grad_attn_weights per head where the heads are averaged', edit((c) => ({ ...c, grad_output: [[1, 0], [0, 0], [0, 0]], grad_attn_weights: [[[0, 0, 0], [0, 0, 0], [0, 0, 0]]] })),
    /grad_attn_weights: expected L×S', the shape of attn_weights \(the mean over heads\) = 3×3, got 1×3×3/],
  ['a grad_weights of the wrong shape', edit((c) => ({ ...c, grad_weights: [[0, 0, 0]] })), /grad_weights: expected H×L×S', the shape of weights = 1×3×3, got 1×3/],
  ['a non-numeric gradient', edit((c) => ({ ...c, grad_output: [[1, 0], [0, 'x'], [0, 0]] })), /grad_output\[1\]\[1\]: expected a number, got "x"/],
  ['sizes past the limit', JSON.stringify({ num_heads: 1, query: Array.from({ length: 5000 }, () => [1]), in_proj_weight: [[1], [1], [1]], 'out_proj.weight': [[1]], bias: false }), /tgt_len is 5000, past the limit of 4096/],
];

test('the CLI answers every kind of bad input with exit 1 and one line naming the key', () => {
  for (const [what, input, message] of BAD_INPUT) {
    const run = cli(['-'], input);
    assert.equal(run.status, 1, `${what}: exit ${run.status}, stderr ${run.stderr}`);
    assert.equal(run.stdout, '', what);
    const lines = run.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, `${what}: one line, got ${run.stderr}`);
    assert.match(lines[0], /^attention-cli: /, what);
    assert.match(lines[0], message, what);
  }
});

test('the CLI rejects wrong usage with exit 2, and a missing file with exit 1', () => {
  assert.equal(cli([]).status, 2);
  assert.equal(cli(['a.json', 'b.json']).status, 2);
  assert.equal(cli(['--fast', 'a.json']).status, 2);
  const missing = cli(['/nonexistent/case.json']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^attention-cli: cannot read \/nonexistent\/case\.json: no such file\n$/);
  const help = cli(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: attention-cli/);
});
