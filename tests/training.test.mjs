// training.test.mjs: the math of training on the page (web/page/model/training.js),
// in Node: the losses' gradients against float64 finite differences, the
// whole chain (loss -> core backward -> dL/d parameter) against finite
// differences of the float64 reference, SGD and Adam, the lecture learning
// to make "I" attend to "good", and the session's `inputs` edit (one
// history entry for a run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createAttention } from '../web/attention.mjs';
import { referenceForward } from './reference.mjs';

const require = createRequire(import.meta.url);
const Case = require('../web/case.js');
const Cases = require('../web/page/model/cases.js');
const Training = require('../web/page/model/training.js');
const { Session } = require('../web/page/model/session.js');

const attention = await createAttention();
const random = Cases.seededRandom(16);
const MARKS = [{ head: 0, row: 0, col: 2 }]; /* the lecture's: "I" should look at "good" */

/* Central finite differences of f at x (a Float64Array), every coordinate. */
function finiteDifferences(f, x, h = 1e-6) {
  return Array.from(x, (_, i) => {
    const up = Float64Array.from(x), down = Float64Array.from(x);
    up[i] += h; down[i] -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

const close = (got, want, tol, label) => got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= tol * (1 + Math.abs(want[i])), `${label}[${i}]: ${g} vs ${want[i]}`));

test('attentionLoss: the mean cross-entropy of the marked rows, and its gradient, match finite differences', () => {
  const shape = [2, 3, 4];
  const weights = Float64Array.from({ length: 24 }, () => 0.05 + random());
  const marks = [{ head: 0, row: 0, col: 2 }, { head: 1, row: 2, col: 0 }, { head: 1, row: 2, col: 3 }];
  const { loss, grad } = Training.attentionLoss(weights, shape, marks);
  const want = -(Math.log(weights[2]) + 0.5 * Math.log(weights[1 * 12 + 2 * 4 + 0]) + 0.5 * Math.log(weights[1 * 12 + 2 * 4 + 3])) / 2;
  assert.ok(Math.abs(loss - want) < 1e-12, `${loss} vs ${want}`);
  close(grad, finiteDifferences((w) => Training.attentionLoss(w, shape, marks).loss, weights), 1e-6, 'dL/dweights');
});

test('outputLoss: the mean squared error, and its gradient, match finite differences', () => {
  const output = Float64Array.from({ length: 6 }, () => random() * 4 - 2), target = Float64Array.from({ length: 6 }, () => random());
  const { loss, grad } = Training.outputLoss(output, target);
  assert.ok(Math.abs(loss - output.reduce((s, o, i) => s + (o - target[i]) ** 2, 0) / 6) < 1e-12);
  close(grad, finiteDifferences((o) => Training.outputLoss(o, target).loss, output), 1e-6, 'dL/doutput');
});

/* The loss of a case's parameters, in float64 through the reference. */
function referenceLoss(aCase, target) {
  const stages = referenceForward(aCase);
  return target.kind === 'output' ? Training.outputLoss(stages.output.data, target.values).loss : Training.attentionLoss(stages.weights.data, stages.weights.shape, target.marks).loss;
}

test('the chain: a Run’s gradients (its loss’s dL/d output or weights through the core’s backward) are dL/d parameter by finite differences of the float64 reference', () => {
  const lecture = Cases.lectureCase();
  for (const target of [{ kind: 'weights', marks: MARKS }, { kind: 'output', values: Float32Array.from([1.5, 0, -1, 2, 0.5, 0.25]) }]) {
    const parsed = Case.parseCase(lecture);
    attention.forward(parsed);
    const run = new Training.Run({ attention, parsed, inputShapes: attention.inputShapes(), target, optimizer: { kind: 'sgd', lr: 1e-30 } });
    run.step();
    assert.deepEqual(run.names, ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'], 'the module’s parameters, not X');
    for (const name of run.names) {
      const flat = Float64Array.from([lecture[name]].flat(2));
      const withParam = (x) => {
        const c = Cases.copy(lecture);
        c[name] = Array.isArray(lecture[name][0]) ? lecture[name].map((row, i) => row.map((_, j) => x[i * row.length + j])) : [...x];
        return referenceLoss(c, target);
      };
      close([...run.grads[name].data], finiteDifferences(withParam, flat), 2e-3, `${target.kind}: dL/d${name}`);
    }
  }
});

test('SGD and Adam: one step as torch.optim computes it', () => {
  const g = { w: { data: Float32Array.from([0.5, -2, 0]) } };
  const sgd = { w: Float32Array.from([1, 1, 1]) };
  new Training.Optimizer({ kind: 'sgd', lr: 0.1 }).update(sgd, g);
  assert.deepEqual([...sgd.w], [0.95, 1.2, 1].map(Math.fround));
  const adam = { w: Float32Array.from([1, 1, 1]) };
  const optimizer = new Training.Optimizer({ kind: 'adam', lr: 0.1 });
  optimizer.update(adam, g);
  /* the first Adam step is lr · g / (|g| + ε): about lr against the gradient's sign */
  assert.deepEqual([...adam.w], [1 - 0.1 * 0.5 / (0.5 + 1e-8), 1 + 0.1 * 2 / (2 + 1e-8), 1].map(Math.fround));
  optimizer.update(adam, g);
  assert.ok(Math.abs(adam.w[0] - Math.fround(0.8)) < 1e-6, `${adam.w[0]}`);
  assert.throws(() => new Training.Optimizer({ kind: 'lbfgs' }), /expected sgd or adam/);
  assert.throws(() => new Training.Optimizer({ lr: -1 }), /positive/);
});

test('the lecture learns to make "I" attend to "good" (≥ 0.9) in a few hundred Adam steps, well under a second per hundred', () => {
  const parsed = Case.parseCase(Cases.lectureCase());
  attention.forward(parsed);
  const run = new Training.Run({ attention, parsed, inputShapes: attention.inputShapes(), target: { kind: 'weights', marks: MARKS }, optimizer: { kind: 'adam', lr: 0.01 } });
  for (let i = 0; i < 10; i++) run.step(); /* (warm) */
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) run.step();
  const ms = performance.now() - t0;
  let weight = 0;
  while (run.losses.length < 500) {
    run.step();
    for (const name of run.names) attention.set(name, run.params[name]);
    weight = attention.forward(null, { copy: false }).weights.data[2];
    if (weight >= 0.9) break;
  }
  assert.ok(weight >= 0.9, `weights[I][good] = ${weight} after ${run.losses.length} steps`);
  assert.ok(ms < 500, `100 steps took ${ms.toFixed(1)} ms`);
  console.log(`# the lecture: weights[I][good] ≥ 0.9 after ${run.losses.length} Adam steps (lr 0.01); 100 steps in ${ms.toFixed(1)} ms`);
});

test('the session’s inputs edit: whole inputs at once, checked; a run of them with one group is one history entry', () => {
  const session = new Session({ attention, state: { case: Cases.lectureCase(), view: {} } });
  const bias = Float32Array.from([1, 2]);
  assert.deepEqual(session.apply({ type: 'inputs', values: { 'out_proj.bias': bias }, group: 'run-1' }), { ok: true });
  assert.deepEqual(session.apply({ type: 'inputs', values: { 'out_proj.bias': Float32Array.from([3, 4]) }, group: 'run-1' }), { ok: true });
  assert.deepEqual(session.case['out_proj.bias'], [3, 4]);
  const want = attention.forward({ ...Cases.lectureCase(), 'out_proj.bias': [3, 4] });
  assert.deepEqual([...session.stages.output.data], [...want.output.data]);
  assert.equal(session.entries.length, 2, 'the lecture, then the run');
  session.undo();
  assert.deepEqual(session.case, Cases.lectureCase());
  assert.match(session.apply({ type: 'inputs', values: { 'out_proj.bias': [1] } }).error.message, /out_proj.bias: expected 2 numbers/);
  assert.match(session.apply({ type: 'inputs', values: { attn_mask: [1] } }).error.message, /not a number input/);
});

test('a run that diverges goes back to the last parameters whose loss was finite, and steps no more', () => {
  const parsed = Case.parseCase(Cases.lectureCase());
  attention.forward(parsed);
  const target = { kind: 'output', values: Float32Array.from([100, 2.48, -2.52, 2.63, -2.51, 2.54]) };
  const run = new Training.Run({ attention, parsed, inputShapes: attention.inputShapes(), target, optimizer: { kind: 'sgd', lr: 10 } });
  let steps = 0;
  while (!run.diverged && steps < 100) { run.step(); steps++; }
  assert.ok(run.diverged, `SGD at lr 10 towards 100 diverges (${steps} steps)`);
  assert.ok(run.losses.length >= 1 && run.losses.every((loss) => Number.isFinite(Math.fround(loss))), `only finite losses (in float32): ${run.losses}`);
  for (const name of run.names) assert.ok(run.params[name].every(Number.isFinite), `${name} finite`);
  /* the parameters kept are those of the last loss: the core, given them, computes it again */
  for (const name of run.names) attention.set(name, run.params[name]);
  const { loss } = Training.outputLoss(attention.forward(null, { copy: false }).output.data, target.values);
  assert.equal(loss, run.losses[run.losses.length - 1]);
  const kept = run.names.map((name) => Float32Array.from(run.params[name]));
  assert.ok(Number.isNaN(run.step()), 'no more steps');
  assert.deepEqual(run.names.map((name) => run.params[name]), kept);
});
