/* lessons.js: what the walk-through says at each section of the page, in the
 * lecture's order, with the numbers of the moment. One lesson per section
 * of catalogue.js, under the section's id.
 *
 *   lesson(session, sectionId) -> [paragraph], a paragraph [segment]
 *   segment: a string, or { text, cite: [{ stage, head, row, col }] }: a
 *   number (or a name) the page shows as a link that lights those cells
 *   whatIf(session) -> the first query row's softmax with and without
 *   ÷√head_dim (the scaling step's "what if"), or null
 *
 * Token names are isolated (Format.isolate), so that a right-to-left name
 * keeps a sentence in order.
 *
 * A classic script: the global AttnLessons in a page, module.exports in Node.
 * needs: AttnFormat, AttnVocabulary, AttnCatalogue, AttnExplain */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Format = isNode ? require('./format.js') : root.AttnFormat;
  const Catalogue = isNode ? require('./catalogue.js') : root.AttnCatalogue;
  const Explain = isNode ? require('./explain.js') : root.AttnExplain;
  const Vocabulary = isNode ? require('./vocabulary.js') : root.AttnVocabulary;

  const n = (x) => Format.cellText(x);
  const q = (name) => `“${Format.isolate(name)}”`;

  /* A paragraph from a template: strings and segments, in order. */
  const p = (strings, ...parts) => strings.flatMap((text, i) => (i < parts.length ? [text, parts[i]] : [text])).filter((x) => x !== '');
  /* A number of a stage, as a link to its cell. */
  const cite = (value, stage, head, row, col) => ({ text: n(value), cite: [{ stage, head, row, col }] });

  /* Each lesson: ctx -> paragraphs (empty ones are dropped). ctx: { c, lab,
   * stages, at(stage, head, row, col) -> its value, explain, masked }. */
  const LESSONS = {
    embeddings: ({ c, lab, at }) => [
      p`${q(lab.query.join(' '))} is ${String(c.tgt_len)} token${c.tgt_len > 1 ? 's' : ''}. Each token is a row of E = ${String(c.embed_dim)} numbers, its embedding: ${q(lab.query[0])} is ${cite(at('query', null, 0, 0), 'query', null, 0, 0)}, ${cite(at('query', null, 0, 1 % c.embed_dim), 'query', null, 0, 1 % c.embed_dim)}${c.embed_dim > 2 ? ', …' : ''}.`,
      p`Stacked, the rows make X, a ${String(c.tgt_len)}×${String(c.embed_dim)} matrix: L×E, L tokens by E features. Attention will turn it into another L×E matrix in which every row has looked at every other.`,
    ],
    'in-projection': ({ c }) => [
      c.kdim === c.embed_dim && c.vdim === c.embed_dim
        ? p`nn.MultiheadAttention keeps W_q, W_k and W_v stacked in one in_proj_weight of 3E×E = ${String(3 * c.embed_dim)}×${String(c.embed_dim)}${c.bias ? `, and their biases in in_proj_bias (3E = ${3 * c.embed_dim})` : ''}. Each band is E×E.`
        : p`With kdim or vdim unlike E, nn.MultiheadAttention keeps W_q, W_k and W_v apart: q_proj_weight (E×E), k_proj_weight (E×kdim) and v_proj_weight (E×vdim).`,
      p`The lecture drew the key’s band first. PyTorch’s order is q, k, v, and that is the order that runs here.`,
      p`These numbers start random (try “PyTorch init”); training would tune them. Change any of them and watch everything after them follow.`,
    ],
    qkv: ({ c, lab, at, explain }) => [
      p`Q = X·W_qᵀ + b_q. X is ${String(c.tgt_len)}×${String(c.embed_dim)} and W_q is ${String(c.embed_dim)}×${String(c.embed_dim)}: transposed, its rows meet X’s columns, so the product is ${String(c.tgt_len)}×${String(c.embed_dim)}${c.bias ? ', and the bias is added to every row' : ''}.`,
      p`For example q[${Format.isolate(lab.query[0])}][0] = ${explain('q', null, 0, 0).lines[0]} = ${cite(at('q', null, 0, 0), 'q', null, 0, 0)}.`,
      p`Each row of Q is what that token is looking for in the others. K and V are made the same way, with W_k and W_v: a key row is what a token offers to be matched against; a value row is what it hands over when it is attended to.`,
      c.add_bias_kv || c.add_zero_attn ? p`With ${[c.add_bias_kv && 'add_bias_kv (one learned row)', c.add_zero_attn && 'add_zero_attn (one zero row)'].filter(Boolean).join(' and ')}, K and V get extra rows: keys every query can fall back on.` : [],
    ],
    scale: ({ c, at }) => {
      const hd = c.embed_dim / c.num_heads;
      return [
        p`PyTorch divides Q by √head_dim = √${String(hd)} = ${n(Math.sqrt(hd))} before the product: q[0][0] = ${cite(at('q', null, 0, 0), 'q', null, 0, 0)} becomes ${cite(at('q_scaled', null, 0, 0), 'q_scaled', null, 0, 0)}. The lecture writes √E; with one head, head_dim is E.`,
        p`A dot product of d numbers grows like √d. Dividing keeps the scores in a range where softmax still spreads its weight, instead of putting nearly all of it on one key. Below: the first row’s weights as PyTorch computes them, and what they would be without the division.`,
      ];
    },
    scores: ({ c, lab, stages, at, masked }) => {
      const S2 = stages.scores.shape[2], hd = c.embed_dim / c.num_heads;
      return [
        p`scores = Q_scaled·Kᵀ: ${String(c.tgt_len)}×${String(hd)} · ${String(hd)}×${String(S2)} → ${String(c.tgt_len)}×${String(S2)}${c.num_heads > 1 ? ` for each of the ${c.num_heads} heads, each on its own ${hd} features` : ''}.`,
        p`Row i, column j says how well token i’s query matches token j’s key: ${q(lab.query[0])} against ${q(lab.extended[S2 - 1])} scores ${cite(at('scores', 0, 0, S2 - 1), 'scores', 0, 0, S2 - 1)}.`,
        masked ? p`Masked pairs are −∞: softmax will give them nothing.` : [],
      ];
    },
    softmax: ({ c, lab, stages, at }) => {
      const S2 = stages.weights.shape[2];
      const row = Array.from({ length: S2 }, (_, j) => at('weights', 0, 0, j));
      const shares = row.flatMap((w, j) => [j ? ', ' : '', cite(w, 'weights', 0, 0, j), ` to ${q(lab.extended[j])}`]);
      return [
        p`Softmax turns each row of scores into weights that are positive and sum to 1: exp(s − max) / Σ exp(s − max).`,
        row.some(Number.isNaN) ? p`Row ${q(lab.query[0])} is NaN: all its keys are masked.`
          : [`Read a row: ${q(lab.query[0])} gives `, ...shares, `. That last number is how much ${q(lab.query[0])} attends to ${q(lab.extended[S2 - 1])}.`],
        c.num_heads > 1 ? p`Each of the ${String(c.num_heads)} heads has its own weights; attn_weights${c.average_attn_weights ? ', what the module returns, is their mean' : ' holds them all (average_attn_weights=False)'}.` : [],
      ];
    },
    context: ({ c, lab, stages, at }) => {
      const S2 = stages.weights.shape[2], shown = Math.min(S2, 4);
      const mix = Array.from({ length: shown }, (_, j) => [j ? ' + ' : '', cite(at('weights', 0, 0, j), 'weights', 0, 0, j), `·v[${Format.isolate(lab.extended[j])}]`]).flat();
      return [
        p`context = weights·V: ${String(c.tgt_len)}×${String(S2)} · ${String(S2)}×${String(c.embed_dim / c.num_heads)} → ${String(c.tgt_len)}×${String(c.embed_dim / c.num_heads)} per head${c.num_heads > 1 ? ', the heads side by side' : ''}.`,
        [`Each row is a mix of the value rows, in the proportions of its weights: context[${Format.isolate(lab.query[0])}] = `, ...mix, S2 > shown ? ' + …' : '', ' = ', cite(at('context', null, 0, 0), 'context', null, 0, 0), ', …'],
      ];
    },
    output: ({ c, at }) => [
      p`output = context·W_oᵀ${c.bias ? ' + b_o' : ''}: ${String(c.tgt_len)}×${String(c.embed_dim)} · ${String(c.embed_dim)}×${String(c.embed_dim)} → ${String(c.tgt_len)}×${String(c.embed_dim)}, the same shape as X: output[0][0] = ${cite(at('output', null, 0, 0), 'output', null, 0, 0)}.`,
      p`Every token’s row now carries what it gathered from the tokens it attended to. This is what the layer passes on to the next one.`,
    ],
  };

  function context(session) {
    const lab = Catalogue.labels(session.parsed), stages = session.stages, c = session.parsed.config;
    const at = (stage, head, row, col) => {
      const data = stages[stage] ? stages[stage].data : session.parsed.inputs[stage];
      const shape = stages[stage] ? stages[stage].shape : session.inputShapes[stage];
      const cols = shape[shape.length - 1], rows = shape.length === 1 ? 1 : shape[shape.length - 2];
      return data[((head ?? 0) * rows + row) * cols + col];
    };
    return {
      c, lab, stages, at,
      masked: Boolean(session.case.attn_mask || session.case.key_padding_mask),
      explain: (...where) => Explain.explain({ parsed: session.parsed, stages, labels: lab }, ...where),
    };
  }

  /* A trained example's own sentences first (what its head learned, with
   * the live numbers of the sentence shown), then the pass's. */
  function lesson(session, sectionId) {
    const trained = session.trained(), own = [];
    if (trained && trained.lesson[sectionId]) {
      const tokens = Catalogue.labels(session.parsed).query;
      const claims = Vocabulary.claimsFor(trained.expect, tokens);
      for (const text of trained.lesson[sectionId]) {
        const line = Vocabulary.renderLesson(text, { claims, tokens, stages: session.stages });
        if (line) own.push([line]);
      }
    }
    return [...own, ...LESSONS[sectionId](context(session)).filter((paragraph) => paragraph.length)];
  }

  /* The first query row of the first head: softmax of its scores as PyTorch
   * computes them (scaled), and of the same dot products without the
   * division, to show what ÷√head_dim does. null when the row is not finite. */
  function whatIf(session) {
    const { c, lab, stages } = context(session);
    const S2 = stages.scores.shape[2], hd = c.embed_dim / c.num_heads;
    const scores = Array.from({ length: S2 }, (_, j) => stages.scores.data[j]);
    if (!scores.every(Number.isFinite)) return null;
    /* q·k without the division, plus what the mask added to the score */
    const E = c.embed_dim, dot = (q, j) => Array.from({ length: hd }, (_, d) => q[d] * stages.k.data[j * E + d]).reduce((a, b) => a + b, 0);
    const unscaled = scores.map((score, j) => dot(stages.q.data, j) + (score - dot(stages.q_scaled.data, j)));
    const softmax = (row) => {
      const max = Math.max(...row), exps = row.map((x) => Math.exp(x - max)), sum = exps.reduce((a, b) => a + b, 0);
      return exps.map((x) => x / sum);
    };
    return { query: lab.query[0], keys: lab.extended.slice(0, S2), scaled: Array.from(stages.weights.data.subarray(0, S2)), unscaled: softmax(unscaled), root: Math.sqrt(hd) };
  }

  /* A paragraph as plain text (for tests and screen readers). */
  const text = (paragraph) => paragraph.map((s) => (typeof s === 'string' ? s : s.text)).join('');

  const api = { lesson, whatIf, text, LESSONS };
  if (isNode) module.exports = api;
  else root.AttnLessons = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
