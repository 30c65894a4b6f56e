// reference.mjs: an independent float64 MultiheadAttention forward pass in
// plain JS, written from PyTorch's F.multi_head_attention_forward, to check the
// core on random cases. Nested arrays in, { stage: { shape, data } } out.

import { NON_FINITE } from './helpers.mjs';

const num = (x) => (typeof x === 'string' ? NON_FINITE[x] : x); /* numbers and booleans as they are */

/* x (n×d) · Wᵀ (W: m×d) + b  ->  n×m */
function linear(x, W, b) {
  return x.map((row) => W.map((w, j) => w.reduce((s, wk, k) => s + row[k] * wk, 0) + (b ? b[j] : 0)));
}

function softmaxRow(row) {
  const max = Math.max(...row); // NaN if any NaN, as PyTorch
  if (!Number.isFinite(max)) return row.map(() => NaN);
  const e = row.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

const flat = (nested, shape) => ({ shape, data: Float64Array.from(nested.flat(Infinity)) });

export function referenceForward(raw) {
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
  return {
    q: flat(q, [L, E]), k: flat(k, [S2, E]), v: flat(v, [S2, E]), q_scaled: flat(qScaled, [L, E]),
    scores: flat(scores, [H, L, S2]), weights: flat(weights, [H, L, S2]),
    attn_weights: flat(attnWeights, average ? [L, S2] : [H, L, S2]),
    context: flat(context, [L, E]), output: flat(output, [L, E]),
  };
}
