/* training.js: training the module's parameters live, without the DOM.
 * A target is either a wished-for attention pattern (marked cells of
 * `weights`: where each row should look) or a wished-for `output`.
 *
 *   attentionLoss(weights, shape, marks) -> { loss, grad }
 *     weights: H×L×S' (flat), marks: [{ head, row, col }]. Each marked row
 *     wants its weight spread evenly over its marked columns (t); the loss is
 *     the mean over marked rows of the cross-entropy −Σ_j t_j log w_j, and
 *     grad = dL/d weights (H×L×S'), −t_j / (w_j · rows).
 *   outputLoss(output, target) -> { loss, grad }
 *     the mean squared error over all L×E numbers; grad = 2 (o − t) / (L·E).
 *   parametersOf(inputShapes) -> the inputs trained: the module's parameters
 *     (weights and biases, as an optimiser given module.parameters() would
 *     train them), not X, key, value or the masks
 *   new Optimizer({ kind: 'sgd' | 'adam', lr }) .update(params, grads)
 *     SGD: p −= lr·g; Adam (β1 0.9, β2 0.999, ε 1e-8, as torch.optim.Adam):
 *     arithmetic in float64, each parameter then stored as float32
 *   new Run({ attention, parsed, inputShapes, target, optimizer })
 *     .step() -> the loss before the step; .params (name -> Float32Array);
 *     .losses. One step: the parameters into the core (set()), forward(),
 *     the loss and its gradient in JS, backward(), the optimiser's update.
 *     The core must hold the case (attention.holds(parsed)) when it starts.
 *     A run diverges (.diverged) when a loss or a parameter stops being
 *     finite (in float32): .params go back to the last ones whose loss was
 *     finite (the last of .losses, which holds only those), and it steps no
 *     more.
 *
 * A classic script: the global AttnTraining in a page, module.exports in Node.
 * needs: (nothing) */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;

  const PARAMETERS = ['in_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias'];
  const parametersOf = (inputShapes) => PARAMETERS.filter((name) => inputShapes[name]);

  /* The marked rows: "h,i" -> the marked columns. */
  function rowsOf(marks) {
    const rows = new Map();
    for (const { head, row, col } of marks) {
      const key = `${head},${row}`;
      if (!rows.has(key)) rows.set(key, { head, row, cols: [] });
      if (!rows.get(key).cols.includes(col)) rows.get(key).cols.push(col);
    }
    return [...rows.values()];
  }

  function attentionLoss(weights, [H, L, S2], marks) {
    const grad = new Float64Array(H * L * S2);
    const rows = rowsOf(marks);
    let loss = 0;
    for (const { head, row, cols } of rows) {
      const t = 1 / cols.length, base = (head * L + row) * S2;
      for (const col of cols) {
        const w = Math.max(weights[base + col], 1e-30); /* (a weight of exactly 0: a huge but finite pull) */
        loss -= t * Math.log(w) / rows.length;
        grad[base + col] = -t / (w * rows.length);
      }
    }
    return { loss, grad };
  }

  function outputLoss(output, target) {
    const n = output.length, grad = new Float64Array(n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const d = output[i] - target[i];
      loss += d * d / n;
      grad[i] = 2 * d / n;
    }
    return { loss, grad };
  }

  class Optimizer {
    constructor({ kind = 'adam', lr = 0.05 } = {}) {
      if (kind !== 'sgd' && kind !== 'adam') throw new Error(`optimizer: expected sgd or adam, got ${kind}`);
      if (!(lr > 0) || !Number.isFinite(lr)) throw new Error('optimizer: the learning rate must be a positive number');
      Object.assign(this, { kind, lr, t: 0, m: {}, v: {} });
    }

    /* params, grads: name -> Float32Array (grads: { data }), updated in place. */
    update(params, grads) {
      this.t++;
      const { lr, t } = this, b1 = 0.9, b2 = 0.999, eps = 1e-8;
      for (const [name, p] of Object.entries(params)) {
        const g = grads[name].data;
        if (this.kind === 'sgd') {
          for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
          continue;
        }
        const m = this.m[name] || (this.m[name] = new Float64Array(p.length));
        const v = this.v[name] || (this.v[name] = new Float64Array(p.length));
        for (let i = 0; i < p.length; i++) {
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          const mHat = m[i] / (1 - b1 ** t), vHat = v[i] / (1 - b2 ** t);
          p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
      }
    }
  }

  /* target: { kind: 'weights', marks } or { kind: 'output', values } (L×E flat). */
  class Run {
    constructor({ attention, parsed, inputShapes, target, optimizer }) {
      this.attention = attention;
      this.target = target;
      this.names = parametersOf(inputShapes);
      this.params = Object.fromEntries(this.names.map((name) => [name, Float32Array.from(parsed.inputs[name])]));
      this.optimizer = new Optimizer(optimizer);
      this.losses = [];
      this.grads = null; /* the last step's gradients: views into the core, valid until its next call */
      this.measured = Object.fromEntries(this.names.map((name) => [name, Float32Array.from(this.params[name])])); /* the params of the last loss */
      this.diverged = false;
    }

    /* The loss of the parameters as they are, and its dL/d output (and weights). */
    lossOf(stages) {
      if (this.target.kind === 'output') {
        const { loss, grad } = outputLoss(stages.output.data, this.target.values);
        return { loss, given: { output: { shape: stages.output.shape, data: Float32Array.from(grad) } } };
      }
      const shape = stages.weights.shape;
      const { loss, grad } = attentionLoss(stages.weights.data, shape, this.target.marks);
      return { loss, given: { weights: { shape, data: Float32Array.from(grad) } } };
    }

    step() {
      if (this.diverged) return NaN;
      const a = this.attention;
      for (const name of this.names) a.set(name, this.params[name]);
      const { loss, given } = this.lossOf(a.forward(null, { copy: false }));
      if (!Number.isFinite(Math.fround(loss))) return this.diverge(loss); /* (beyond float32 too: PyTorch's float32 loss would be inf) */
      for (const name of this.names) this.measured[name].set(this.params[name]);
      this.losses.push(loss);
      this.grads = a.backward(given, { copy: false }); /* read once, by the update: nothing copied */
      this.optimizer.update(this.params, this.grads);
      if (this.names.some((name) => !this.params[name].every(Number.isFinite))) this.diverge(loss);
      return loss;
    }

    /* Back to the parameters of the last finite loss; no more steps. */
    diverge(loss) {
      for (const name of this.names) this.params[name].set(this.measured[name]);
      this.diverged = true;
      return loss;
    }
  }

  const api = { PARAMETERS, parametersOf, attentionLoss, outputLoss, Optimizer, Run };
  if (isNode) module.exports = api;
  else root.AttnTraining = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
