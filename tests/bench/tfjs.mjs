// tfjs.mjs: the same forward pass on @tensorflow/tfjs-backend-wasm, for
// `make bench`, given its best path:
//   - one thread: Node has no wasm threads in tfjs (its
//     WASM_HAS_MULTITHREAD_SUPPORT is false under Node), and we set it so;
//   - its SIMD build when the engine has wasm SIMD (WASM_HAS_SIMD_SUPPORT);
//     startTfjs() reports which .wasm file it really read;
//   - the projection weights transposed once beforehand (in × out), kept as
//     tensors across calls, so that XNNPACK's fully connected operator, which
//     tfjs caches per weight tensor, packs them once; the bias fused in
//     (tf.fused.matMul);
//   - per-head 2-D matMul for scores and context, with k_h transposed
//     first: tfjs-backend-wasm sends a matMul to XNNPACK only when it is 2-D
//     (batch 1) and neither side is transposed; a batched or transposed one
//     runs its plain C++ loop, twice as slow here (21.7 against 10.3 ms for
//     the 12 heads' scores at the BERT-base size);
//   - every stage read back, as forward() returns every stage.
// tfjsAttention() runs in a page too (chromium.mjs), so the Node modules
// are imported in startTfjs() only.

/* Loads tfjs-core and its wasm backend in Node, one thread. Returns { tf,
 * simd, threads, wasmFile }: whether its SIMD build is on, its thread count,
 * and the .wasm it read. */
export async function startTfjs() {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs-core');
  const wasmBackend = require('@tensorflow/tfjs-backend-wasm');
  const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
  wasmBackend.setWasmPaths(dist);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // Note which .wasm the backend's loader reads (emscripten reads it with fs
  // in Node).
  const fs = require('node:fs');
  const read = fs.readFileSync;
  let wasmFile = null;
  fs.readFileSync = function (path, ...rest) {
    if (String(path).endsWith('.wasm')) wasmFile = String(path).slice(dist.length);
    return read.call(this, path, ...rest);
  };
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start its wasm backend');
    await tf.ready();
  } finally {
    fs.readFileSync = read;
  }
  if (tf.getBackend() !== 'wasm') throw new Error(`tfjs runs ${tf.getBackend()}, not wasm`);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.backend().wasm.tfjs.getThreadsCount ? tf.backend().wasm.tfjs.getThreadsCount() : 1;
  return { tf, simd, threads, wasmFile };
}

/* A forward function for one case (typed { shape, data } inputs, as in
 * plain.mjs); its weights are uploaded and transposed here, once. Call
 * .dispose() when done. */
export function tfjsAttention(tf, c) {
  const E = c.embed_dim, H = c.num_heads, hd = E / H, L = c.query.shape[0];
  const w = c.in_proj_weight.data, b = c.in_proj_bias.data;
  const transposed = (data, from) => tf.tidy(() => tf.transpose(tf.tensor2d(data.subarray(from, from + E * E), [E, E])));
  const weights = {
    q: transposed(w, 0), k: transposed(w, E * E), v: transposed(w, 2 * E * E),
    out: transposed(c['out_proj.weight'].data, 0),
  };
  const biases = {
    q: tf.tensor1d(b.subarray(0, E)), k: tf.tensor1d(b.subarray(E, 2 * E)), v: tf.tensor1d(b.subarray(2 * E)),
    out: tf.tensor1d(c['out_proj.bias'].data),
  };
  const root = tf.scalar(Math.sqrt(hd));
  const linear = (x, p) => tf.fused.matMul({ a: x, b: weights[p], bias: biases[p] });

  function forward(query) {
    const stages = tf.tidy(() => {
      const x = tf.tensor2d(query, [L, E]);
      const q = linear(x, 'q'), k = linear(x, 'k'), v = linear(x, 'v');
      const qScaled = tf.div(q, root);
      const scores = [], probs = [], contexts = [];
      for (let h = 0; h < H; h++) {
        const qh = tf.slice(qScaled, [0, h * hd], [L, hd]);
        const kh = tf.slice(k, [0, h * hd], [L, hd]);
        const vh = tf.slice(v, [0, h * hd], [L, hd]);
        const s = tf.matMul(qh, tf.transpose(kh)); /* transposeB would miss XNNPACK */
        const p = tf.softmax(s);
        scores.push(s);
        probs.push(p);
        contexts.push(tf.matMul(p, vh));
      }
      const weightsH = tf.stack(probs);
      const context = H > 1 ? tf.concat(contexts, 1) : contexts[0];
      return {
        q, k, v, q_scaled: qScaled, scores: tf.stack(scores), weights: weightsH,
        attn_weights: tf.mean(weightsH, 0), context, output: linear(context, 'out'),
      };
    });
    const out = {};
    for (const [name, t] of Object.entries(stages)) {
      out[name] = { shape: t.shape, data: t.dataSync() };
      t.dispose();
    }
    return out;
  }

  forward.dispose = () => {
    for (const t of [...Object.values(weights), ...Object.values(biases), root]) t.dispose();
  };
  return forward;
}
