/* operations.js: the arithmetic of one computed number, or one row, as the
 * frames of a player: each frame one step of the computation, with the real
 * numbers it shows. Pure: it reads the session's inputs and stages.
 *
 *   frames(session, 'scores',  { head, row, col })   one score: pairs, products, sum, mask
 *   frames(session, 'weights', { head, row })        one row of softmax: scores, max, exp, sum, ÷
 *   frames(session, 'context', { head, row })        one head's context row: scaled value rows, their sum
 *   frames(session, 'output',  { row, col })         one output: pairs with W_o's row, sum, bias
 *     -> [{ caption, items: [{ role, label, value }] }]
 *
 * Numbers are float32, computed in the core's order (products added one by
 * one, from the first); the last frame holds the core's own result. roles:
 * 'operand' (a number read from a stage or an input), 'product', 'sum',
 * 'max', 'shifted', 'exp', 'mask', 'bias', 'scaled', 'result'.
 *
 * A classic script: the global AttnOperations in a page, module.exports in Node.
 * needs: AttnText */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Text = isNode ? require('../text/text.js') : root.AttnText;

  const f = Math.fround;
  const OPERATIONS = ['scores', 'weights', 'context', 'output'];
  const ONE_FRAME_EACH = 8; /* longer sums show their products in one frame */

  /* The float32 sum of products, one by one from the first, as the kernels add. */
  function dot(pairs) {
    let sum = 0;
    for (const [a, b] of pairs) sum = f(sum + f(a * b));
    return sum;
  }

  /* Frames of pairs multiplied, one frame a product (or all in one). */
  function productFrames(pairs, labels, t) {
    const item = (k) => ({ role: 'product', label: `${labels[k]}`, value: f(pairs[k][0] * pairs[k][1]) });
    if (pairs.length > ONE_FRAME_EACH) return [{ caption: t('o.pairs', { n: pairs.length }), items: pairs.map((_, k) => item(k)) }];
    return pairs.map((_, k) => ({ caption: t('o.pair', { k: k + 1, n: pairs.length }), items: pairs.slice(0, k + 1).map((__, m) => item(m)) }));
  }

  function frames(session, operation, at) {
    const s = session, c = s.parsed.config, lab = s.labels();
    const t = (key, values) => Text.t(s.lang, key, values);
    const feature = (x) => t('o.feature', { x });
    const E = c.embed_dim, H = c.num_heads, hd = E / H, L = c.tgt_len, S = c.src_len;
    const S2 = s.stages.scores.shape[2];
    const stage = (name) => s.stages[name].data;
    const range = (n, from = 0) => Array.from({ length: n }, (_, k) => from + k);
    switch (operation) {
      case 'scores': {
        const { head: h, row: i, col: j } = at;
        const d = range(hd, h * hd);
        const q = d.map((x) => stage('q_scaled')[i * E + x]), k = d.map((x) => stage('k')[j * E + x]);
        const pairs = q.map((x, m) => [x, k[m]]);
        const sum = dot(pairs);
        const score = stage('scores')[(h * L + i) * S2 + j];
        const out = [
          { caption: `${t('o.qrow', { token: lab.query[i], h: h + 1 })}: q_scaled[${i}][${d[0]}…${d[hd - 1]}]`, items: q.map((value, m) => ({ role: 'operand', label: `q_scaled[${i}][${d[m]}]`, value })) },
          { caption: `${t('o.krow', { token: lab.extended[j] })}: k[${j}][${d[0]}…${d[hd - 1]}]`, items: k.map((value, m) => ({ role: 'operand', label: `k[${j}][${d[m]}]`, value })) },
          ...productFrames(pairs, d.map((x) => `q·k, ${feature(x)}`), t),
          { caption: t('o.add'), items: [{ role: 'sum', label: 'Σ q·k', value: sum }] },
        ];
        const masked = j < S && (s.parsed.inputs.attn_mask || s.parsed.inputs.key_padding_mask);
        if (masked) out.push({ caption: t('o.mask'), items: [{ role: 'mask', label: 'mask', value: f(score - sum) }] });
        out.push({ caption: `scores[${h}][${i}][${j}]`, items: [{ role: 'result', label: 'score', value: score }] });
        return out;
      }
      case 'weights': {
        const { head: h, row: i } = at;
        const start = (h * L + i) * S2;
        const scores = range(S2).map((j) => stage('scores')[start + j]);
        const max = Math.max(...scores);
        const shifted = scores.map((x) => f(x - max));
        const exps = shifted.map((x) => f(Math.exp(x)));
        const sum = exps.reduce((a, b) => f(a + b), 0);
        const keys = (role, values) => values.map((value, j) => ({ role, label: lab.extended[j], value }));
        return [
          { caption: t('o.scores', { token: lab.query[i], h: h + 1 }), items: keys('operand', scores) },
          { caption: t('o.max'), items: [{ role: 'max', label: 'max', value: max }] },
          { caption: t('o.shift'), items: keys('shifted', shifted) },
          { caption: t('o.exp'), items: keys('exp', exps) },
          { caption: t('o.sum'), items: [{ role: 'sum', label: 'Σ exp', value: sum }] },
          { caption: t('o.divide'), items: keys('result', range(S2).map((j) => stage('weights')[start + j])) },
        ];
      }
      case 'context': {
        const { head: h, row: i } = at;
        const start = (h * L + i) * S2, d = range(hd, h * hd);
        const w = range(S2).map((j) => stage('weights')[start + j]);
        const scaledRows = range(S2).map((j) => d.map((x) => f(w[j] * stage('v')[j * E + x])));
        const rowFrame = (j) => ({ caption: t('o.row', { token: lab.extended[j], w: Number(w[j].toPrecision(3)) }), items: scaledRows[j].map((value, m) => ({ role: 'scaled', label: `${lab.extended[j]}, ${feature(d[m])}`, value })) });
        const rows = S2 > ONE_FRAME_EACH ? [{ caption: t('o.rows', { n: S2 }), items: scaledRows.flatMap((r, j) => r.map((value, m) => ({ role: 'scaled', label: `${lab.extended[j]}, ${feature(d[m])}`, value }))) }] : range(S2).map(rowFrame);
        return [
          { caption: t('o.weights', { token: lab.query[i], h: h + 1 }), items: w.map((value, j) => ({ role: 'operand', label: lab.extended[j], value })) },
          ...rows,
          { caption: `${t('o.addrows')}: context[${i}][${d[0]}…${d[hd - 1]}]`, items: d.map((x) => ({ role: 'result', label: feature(x), value: stage('context')[i * E + x] })) },
        ];
      }
      case 'output': {
        const { row: i, col: j } = at;
        const ctx = range(E).map((x) => stage('context')[i * E + x]);
        const w = range(E).map((x) => s.parsed.inputs['out_proj.weight'][j * E + x]);
        const pairs = ctx.map((x, m) => [x, w[m]]);
        const sum = dot(pairs);
        const out = [
          { caption: t('o.ctxrow', { token: lab.query[i] }), items: ctx.map((value, m) => ({ role: 'operand', label: `context[${i}][${m}]`, value })) },
          { caption: t('o.worow', { j }), items: w.map((value, m) => ({ role: 'operand', label: `W_o[${j}][${m}]`, value })) },
          ...productFrames(pairs, range(E).map(feature), t),
          { caption: t('o.add'), items: [{ role: 'sum', label: 'Σ', value: sum }] },
        ];
        if (c.bias) out.push({ caption: t('o.bias', { j }), items: [{ role: 'bias', label: `b_o[${j}]`, value: s.parsed.inputs['out_proj.bias'][j] }] });
        out.push({ caption: `output[${i}][${j}]`, items: [{ role: 'result', label: 'output', value: stage('output')[i * E + j] }] });
        return out;
      }
    }
    throw new Error(`no operation "${operation}"; there are ${OPERATIONS.join(', ')}`);
  }

  /* The operation a computed cell plays, and where: the cell's own number
   * (scores, output) or its row (weights, context: the head its column is in). */
  function operationAt(session, stage, head, row, col) {
    const hd = session.parsed.config.embed_dim / session.parsed.config.num_heads;
    if (stage === 'scores') return { operation: 'scores', at: { head, row, col } };
    if (stage === 'weights') return { operation: 'weights', at: { head, row } };
    if (stage === 'context') return { operation: 'context', at: { head: Math.floor(col / hd), row } };
    if (stage === 'output') return { operation: 'output', at: { row, col } };
    return null;
  }

  const api = { frames, operationAt, OPERATIONS };
  if (isNode) module.exports = api;
  else root.AttnOperations = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
