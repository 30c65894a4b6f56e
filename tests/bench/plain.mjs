// plain.mjs: the forward pass in plain JS over Float32Array, for `make bench`.
//
// What a careful JS programmer would write without wasm: the same stages as
// the core (q, k, v, q_scaled, scores, weights, attn_weights, context,
// output), each a fresh Float32Array as forward() returns them, for the
// bench's cases: self-attention, bias on, no masks, averaged weights. Sums run
// in float64 (JS numbers) and are rounded to float32 when stored. The loops
// read memory in order: x·Wᵀ walks a row of x against a row of W.

/* out (rows×n) = x (rows×k) · W[from..]ᵀ (n×k) + b[from..] */
function linear(x, rows, k, w, wFrom, b, bFrom, n) {
  const out = new Float32Array(rows * n);
  for (let i = 0; i < rows; i++) {
    const xi = i * k;
    for (let j = 0; j < n; j++) {
      const wj = wFrom + j * k;
      let sum = b[bFrom + j];
      for (let t = 0; t < k; t++) sum += x[xi + t] * w[wj + t];
      out[i * n + j] = sum;
    }
  }
  return out;
}

/* c: a case whose inputs are { shape, data: Float32Array } (embed_dim,
 * num_heads, query, in_proj_weight, in_proj_bias, out_proj.weight/bias). */
export function plainForward(c) {
  const E = c.embed_dim, H = c.num_heads, hd = E / H, L = c.query.shape[0], S = L;
  const x = c.query.data, w = c.in_proj_weight.data, b = c.in_proj_bias.data;
  const q = linear(x, L, E, w, 0, b, 0, E);
  const k = linear(x, S, E, w, E * E, b, E, E);
  const v = linear(x, S, E, w, 2 * E * E, b, 2 * E, E);

  const qScaled = new Float32Array(L * E);
  const root = Math.fround(Math.sqrt(hd));
  for (let i = 0; i < L * E; i++) qScaled[i] = q[i] / root;

  const scores = new Float32Array(H * L * S);
  for (let h = 0; h < H; h++)
    for (let i = 0; i < L; i++) {
      const qi = i * E + h * hd, row = (h * L + i) * S;
      for (let j = 0; j < S; j++) {
        const kj = j * E + h * hd;
        let sum = 0;
        for (let d = 0; d < hd; d++) sum += qScaled[qi + d] * k[kj + d];
        scores[row + j] = sum;
      }
    }

  const weights = new Float32Array(H * L * S);
  for (let r = 0; r < H * L; r++) {
    const at = r * S;
    let max = -Infinity;
    for (let j = 0; j < S; j++) if (scores[at + j] > max) max = scores[at + j];
    let sum = 0;
    for (let j = 0; j < S; j++) sum += weights[at + j] = Math.exp(scores[at + j] - max);
    for (let j = 0; j < S; j++) weights[at + j] /= sum;
  }

  const attnWeights = new Float32Array(L * S);
  for (let i = 0; i < L * S; i++) {
    let sum = 0;
    for (let h = 0; h < H; h++) sum += weights[h * L * S + i];
    attnWeights[i] = sum / H;
  }

  const context = new Float32Array(L * E);
  const acc = new Float64Array(hd);
  for (let h = 0; h < H; h++)
    for (let i = 0; i < L; i++) {
      acc.fill(0);
      const row = (h * L + i) * S;
      for (let j = 0; j < S; j++) {
        const p = weights[row + j], vj = j * E + h * hd;
        for (let d = 0; d < hd; d++) acc[d] += p * v[vj + d];
      }
      context.set(acc, i * E + h * hd);
    }

  const output = linear(context, L, E, c['out_proj.weight'].data, 0, c['out_proj.bias'].data, 0, E);
  return {
    q: { shape: [L, E], data: q }, k: { shape: [S, E], data: k }, v: { shape: [S, E], data: v },
    q_scaled: { shape: [L, E], data: qScaled }, scores: { shape: [H, L, S], data: scores },
    weights: { shape: [H, L, S], data: weights }, attn_weights: { shape: [L, S], data: attnWeights },
    context: { shape: [L, E], data: context }, output: { shape: [L, E], data: output },
  };
}
