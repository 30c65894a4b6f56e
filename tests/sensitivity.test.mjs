// sensitivity.test.mjs: web/page/model/sensitivity.js and the session's
// view.grad in Node: results named and checked, the link key both ways, the
// session's gradient against the core's backward() with a one-hot dL/d
// result, kept across edits while it fits, and the words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createAttention } from '../web/attention.mjs';

const require = createRequire(import.meta.url);
const Cases = require('../web/page/model/cases.js');
const Link = require('../web/page/model/link.js');
const Sensitivity = require('../web/page/model/sensitivity.js');
const { Session } = require('../web/page/model/session.js');
const Text = require('../web/page/text/text.js');

const attention = await createAttention();
const SHAPES = { output: [3, 2], weights: [1, 3, 3] };

test('a result by name: parsed, written back, and refused outside the shapes with what fits', () => {
  assert.deepEqual(Sensitivity.parse('output:0,1'), { stage: 'output', head: null, row: 0, col: 1 });
  assert.deepEqual(Sensitivity.parse('weights:0,2,1'), { stage: 'weights', head: 0, row: 2, col: 1 });
  for (const bad of ['output:0', 'output:0,1,2', 'weights:0,1', 'scores:0,0,0', 'output:-1,0', 'output:a,b', '']) assert.equal(Sensitivity.parse(bad), null, bad);
  assert.equal(Sensitivity.text(Sensitivity.parse('weights:0,2,1')), 'weights:0,2,1');
  /* why a text names no result, in English */
  const problem = (text) => { const fault = Sensitivity.fault(text, SHAPES); return fault && Text.t('en', fault.id, fault.values); };
  assert.equal(problem('output:2,1'), null);
  assert.match(problem('output:3,0'), /output:3,0 is outside the 3×2 output; expected output:row,col \(row < 3, col < 2\)/);
  assert.match(problem('weights:1,0,0'), /outside the 1×3×3 weights/);
  assert.match(problem('nope'), /^grad: expected output:row,col .* got “nope”/);
});

test('the grad= link key both ways, unescaped; a bad one refused by the session', () => {
  const state = Link.decode('#example=lecture&grad=weights:0,0,2');
  assert.equal(state.view.grad, 'weights:0,0,2');
  const session = new Session({ attention, state });
  assert.equal(Link.encode(session.getState()), '#example=lecture&grad=weights:0,0,2');
  assert.throws(() => new Session({ attention, state: Link.decode('#grad=output:9,9') }), /grad: output:9,9 is outside/);
  assert.match(session.apply({ type: 'view', grad: 'output:0' }).error.message, /grad: expected/);
});

test('the session’s sensitivity is the core’s backward() with a one-hot dL/d result, after every edit, and goes when it no longer fits', () => {
  const session = new Session({ attention, state: { case: Cases.lectureCase(), view: { grad: 'output:2,0' } } });
  const expected = (aCase, grad) => {
    attention.forward(aCase);
    return attention.backward(Sensitivity.given(Sensitivity.parse(grad), SHAPES));
  };
  const check = (aCase, grad) => {
    const got = session.sensitivity(), want = expected(aCase, grad);
    for (const name of ['query', 'in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'])
      assert.deepEqual([...got.grads[name].data], [...want[name].data], `${grad}: ${name}`);
  };
  check(Cases.lectureCase(), 'output:2,0');
  assert.equal(session.sensitivity().value, session.stages.output.data[4]);
  assert.equal(session.sensitivity(), session.sensitivity(), 'computed once per change');
  assert.ok(session.sensitivity().grads['out_proj.bias'].data[0] === 1 && session.sensitivity().grads['out_proj.bias'].data[1] === 0, '∂output[2][0]/∂b_o is one-hot');
  session.apply({ type: 'cell', key: 'in_proj_weight', index: 3, value: 0.375 });
  const edited = Cases.lectureCase();
  edited.in_proj_weight[1][1] = 0.375;
  check(edited, 'output:2,0');
  session.apply({ type: 'view', grad: 'weights:0,2,1' });
  check(edited, 'weights:0,2,1');
  session.apply({ type: 'remove-token', index: 2 });
  assert.equal(session.view.grad, null, 'row 2 is gone');
  assert.equal(session.sensitivity(), null);
});

test('a later head’s weight in a bigger example: the same one-hot, at (head, row, col)', () => {
  const aCase = Cases.EXAMPLES.sentence.make();
  const session = new Session({ attention, state: { case: aCase, view: { grad: 'weights:1,3,2' } } });
  const stages = attention.forward(aCase);
  const [H, L, S2] = stages.weights.shape;
  assert.equal(H, 2);
  const weights = new Float32Array(H * L * S2);
  weights[(1 * L + 3) * S2 + 2] = 1;
  const want = attention.backward({ weights: { shape: [H, L, S2], data: weights } });
  const got = session.sensitivity();
  assert.equal(got.value, stages.weights.data[(1 * L + 3) * S2 + 2]);
  for (const name of ['query', 'in_proj_weight', 'in_proj_bias', 'out_proj.weight'])
    assert.deepEqual([...got.grads[name].data], [...want[name].data], name);
  assert.ok(got.grads['out_proj.weight'].data.every((x) => x === 0), 'a weight does not depend on W_o');
});

test('the words: names of results and cells, and what a nudge of 0.1 does', () => {
  const labels = { query: ['I', 'am', 'good'], key: ['I', 'am', 'good'], extended: ['I', 'am', 'good'] };
  const plain = (t) => t.replace(/[\u2068\u2069]/g, '');
  assert.equal(plain(Sensitivity.resultName(Sensitivity.parse('output:0,1'), labels)), 'output[I][1]');
  assert.equal(plain(Sensitivity.resultName(Sensitivity.parse('weights:1,0,2'), labels, 2)), 'weights[head 2][I][good]');
  assert.equal(plain(Sensitivity.cellName('query', 2, [3, 2], labels)), 'X[am][0]');
  assert.equal(Sensitivity.cellName('in_proj_weight', 7, [6, 2], labels), 'in_proj_weight[3][1]');
  assert.equal(Sensitivity.cellName('out_proj.bias', 1, [2], labels), 'out_proj.bias[1]');
  assert.equal(Sensitivity.effect(0.31, 'X[am][0]', 'output[I][1]'), 'raising X[am][0] by 0.1 raises output[I][1] by about 0.031');
  assert.equal(Sensitivity.effect(-2.5, 'b', 'r'), 'raising b by 0.1 lowers r by about 0.25');
  assert.match(Sensitivity.effect(1e-7, 'b', 'r'), /leaves r almost as it is/);
  assert.deepEqual(Sensitivity.largest({ a: { data: Float32Array.from([1, -3]) }, b: { data: Float32Array.from([2, NaN]) } }, ['a', 'b']), { name: 'a', index: 1, value: -3 });
});
