// reference.mjs: an independent float64 MultiheadAttention in plain JS, to
// check the core on random cases: the forward pass, written from PyTorch's
// F.multi_head_attention_forward, and its backward pass, written from the
// chain rule stage by stage (random.test.mjs checks it by finite differences).
// Nested arrays in, { name: { shape, data } } out.

import { NON_FINITE } from './helpers.mjs';

const num = (x) => (typeof x === 'string' ? NON_FINITE[x] : x); /* numbers and booleans as they are */

/* x (n×d) · Wᵀ (W: m×d) + b  ->  n×m */
function linear(x, W, b) {
  return x.map((row) => W.map((w, j) => w.reduce((s, wk, k) => s + row[k] * wk, 0) + (b ? b[j] : 0)));
}

/* a (n×m) · b (m×p)  ->  n×p */
function matmul(a, b) {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
}

const transpose = (a) => a[0].map((_, j) => a.map((row) => row[j]));
const columnSums = (a) => a[0].map((_, j) => a.reduce((s, row) => s + row[j], 0));
const zeros = (...shape) => (shape.length === 1 ? new Array(shape[0]).fill(0) : Array.from({ length: shape[0] }, () => zeros(...shape.slice(1))));

function softmaxRow(row) {
  const max = Math.max(...row); // NaN if any NaN, as PyTorch
  if (!Number.isFinite(max)) return row.map(() => NaN);
  const e = row.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

const flat = (nested, shape) => ({ shape, data: Float64Array.from(nested.flat(Infinity)) });

/* The forward pass, every intermediate kept (nested arrays). */
function forwardPass(raw) {
  const c = JSON.parse(JSON.stringify(raw), (k, v) => num(v));
  const query = c.query, key = c.key ?? query, value = c.value ?? query;
  const E = c.embed_dim ?? query[0].length, H = c.num_heads, hd = E / H;
  const L = query.length, S = key.length;
  let Wq, Wk, Wv;
  if (c.in_proj_weight) [Wq, Wk, Wv] = [0, 1, 2].map((i) => c.in_proj_weight.slice(i * E, (i + 1) * E));
  else [Wq, Wk, Wv] = [c.q_proj_weight, c.k_proj_weight, c.v_proj_weight];
  const b = c.in_proj_bias;
  const [bq, bk, bv] = b ? [0, 1, 2].map((i) => b.slice(i * E, (i + 1) * E)) : [null, null, null];

  const q = linear(query, Wq, bq);
  const k = linear(key, Wk, bk);
  const v = linear(value, Wv, bv);
  const biasKV = c.add_bias_kv ?? Boolean(c.bias_k);
  if (biasKV) { k.push(c.bias_k.flat(Infinity)); v.push(c.bias_v.flat(Infinity)); }
  if (c.add_zero_attn) { k.push(new Array(E).fill(0)); v.push(new Array(E).fill(0)); }
  const S2 = k.length;
  const qScaled = q.map((row) => row.map((x) => x / Math.sqrt(hd)));

  // merged mask, H×L×S', as PyTorch 2 merges them: each mask as floats (a bool
  // one: -inf where true, 0 elsewhere, F._canonical_mask), then added
  const am = c.attn_mask, kpm = c.key_padding_mask;
  const asFloat = (m) => (m === true ? -Infinity : m === false ? 0 : m);
  const maskAt = (h, i, j) => {
    if (j >= S) return 0;
    const a = am ? asFloat(am.length === H && Array.isArray(am[0][0]) ? am[h][i][j] : am[i][j]) : null;
    const p = kpm ? asFloat(kpm[j]) : null;
    return a === null ? p : p === null ? a : a + p;
  };

  const scores = [], weights = [];
  for (let h = 0; h < H; h++) {
    const sh = [];
    for (let i = 0; i < L; i++) {
      const row = [];
      for (let j = 0; j < S2; j++) {
        let dot = 0;
        for (let d = 0; d < hd; d++) dot += qScaled[i][h * hd + d] * k[j][h * hd + d];
        row.push((am || kpm) ? dot + maskAt(h, i, j) : dot);
      }
      sh.push(row);
    }
    scores.push(sh);
    weights.push(sh.map(softmaxRow));
  }
  const average = c.average_attn_weights !== false;
  const attnWeights = average
    ? weights[0].map((row, i) => row.map((_, j) => weights.reduce((s, w) => s + w[i][j], 0) / H))
    : weights;
  const context = q.map((_, i) => Array.from({ length: E }, (_, e) => {
    const h = Math.floor(e / hd);
    return weights[h][i].reduce((s, w, j) => s + w * v[j][e], 0);
  }));
  const output = linear(context, c['out_proj.weight'], c['out_proj.bias']);
  return { c, query, key, value, Wq, Wk, Wv, E, H, hd, L, S, S2, biasKV, average, q, k, v, qScaled, scores, weights, attnWeights, context, output };
}

export function referenceForward(raw) {
  const { L, E, H, S2, average, q, k, v, qScaled, scores, weights, attnWeights, context, output } = forwardPass(raw);
  return {
    q: flat(q, [L, E]), k: flat(k, [S2, E]), v: flat(v, [S2, E]), q_scaled: flat(qScaled, [L, E]),
    scores: flat(scores, [H, L, S2]), weights: flat(weights, [H, L, S2]),
    attn_weights: flat(attnWeights, average ? [L, S2] : [H, L, S2]),
    context: flat(context, [L, E]), output: flat(output, [L, E]),
  };
}

/* The gradients of L = Σ output·given.output + Σ attn_weights·given.attn_weights
 * + Σ weights·given.weights (each nested, the last two optional), as the
 * binding's backward() names them: dL/d every input the case has but the
 * masks, then dL/d every stage. A case without key or value uses query's
 * tensor in their place, whose gradient is then the sum over its uses. */
export function referenceBackward(raw, given) {
  const f = forwardPass(raw);
  const { c, E, H, hd, L, S, S2, average } = f;
  const headCols = (h) => Array.from({ length: hd }, (_, d) => h * hd + d);
  const d = {};
  d.output = given.output ?? zeros(L, E);
  d.attn_weights = given.attn_weights ?? (average ? zeros(L, S2) : zeros(H, L, S2));

  // output = context·W_oᵀ + b_o
  d.context = matmul(d.output, c['out_proj.weight']);
  // context_h = weights_h·v_h; attn_weights = mean over heads (or weights); the loss's own weights
  d.weights = [];
  d.v = zeros(S2, E);
  for (let h = 0; h < H; h++) {
    const cols = headCols(h);
    d.weights.push(f.weights[h].map((row, i) => row.map((_, j) => cols.reduce((s, e) => s + d.context[i][e] * f.v[j][e], 0)
      + (average ? d.attn_weights[i][j] / H : d.attn_weights[h][i][j]) + (given.weights ? given.weights[h][i][j] : 0))));
    for (let j = 0; j < S2; j++) for (const e of cols) d.v[j][e] = f.weights[h].reduce((s, row, i) => s + row[j] * d.context[i][e], 0);
  }
  // weights = softmax(scores): d_s_j = w_j (d_w_j − Σ_k w_k d_w_k)
  d.scores = f.weights.map((wh, h) => wh.map((w, i) => {
    const dw = d.weights[h][i], dot = w.reduce((s, x, j) => s + x * dw[j], 0);
    return w.map((x, j) => x * (dw[j] - dot));
  }));
  // scores_h = q_scaled_h·k_hᵀ (+ a constant mask)
  d.q_scaled = zeros(L, E);
  d.k = zeros(S2, E);
  for (let h = 0; h < H; h++)
    for (const e of headCols(h)) {
      for (let i = 0; i < L; i++) d.q_scaled[i][e] = d.scores[h][i].reduce((s, x, j) => s + x * f.k[j][e], 0);
      for (let j = 0; j < S2; j++) d.k[j][e] = d.scores[h].reduce((s, row, i) => s + row[j] * f.qScaled[i][e], 0);
    }
  // q_scaled = q / √head_dim
  d.q = d.q_scaled.map((row) => row.map((x) => x / Math.sqrt(hd)));
  // k = [key·W_kᵀ + b_k; bias_k; 0], the same for v and q (without the rows)
  const dK = d.k.slice(0, S), dV = d.v.slice(0, S);
  const g = {
    query: matmul(d.q, f.Wq), key: matmul(dK, f.Wk), value: matmul(dV, f.Wv),
  };
  for (const name of ['key', 'value']) if (c[name] === undefined || c[name] === null) {
    g.query = g.query.map((row, i) => row.map((x, e) => x + g[name][i][e]));
    delete g[name];
  }
  const dW = [matmul(transpose(d.q), f.query), matmul(transpose(dK), f.key), matmul(transpose(dV), f.value)];
  if (c.in_proj_weight) g.in_proj_weight = dW.flat();
  else [g.q_proj_weight, g.k_proj_weight, g.v_proj_weight] = dW;
  if (c.in_proj_bias) g.in_proj_bias = [d.q, dK, dV].flatMap(columnSums);
  if (f.biasKV) [g.bias_k, g.bias_v] = [d.k[S], d.v[S]];
  g['out_proj.weight'] = matmul(transpose(d.output), f.context);
  if (c['out_proj.bias']) g['out_proj.bias'] = columnSums(d.output);

  const shapeOf = (x) => (Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : []);
  const out = {};
  for (const [name, x] of Object.entries(g)) out[name] = flat(x, shapeOf(x));
  for (const name of ['q', 'k', 'v', 'q_scaled', 'scores', 'weights', 'attn_weights', 'context', 'output']) out[name] = flat(d[name], shapeOf(d[name]));
  return out;
}
