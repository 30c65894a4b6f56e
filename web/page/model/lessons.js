/* lessons.js: what the walk-through says at each section of the page, in the
 * lecture's order, with the numbers of the moment. One lesson per section
 * of catalogue.js, under the section's id.
 *
 *   lesson(session, sectionId) -> [sentence]
 *
 * Token names are isolated (Format.isolate), so that a right-to-left name
 * keeps a sentence in order.
 *
 * A classic script: the global AttnLessons in a page, module.exports in Node.
 * needs: AttnFormat, AttnCatalogue, AttnExplain */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Format = isNode ? require('./format.js') : root.AttnFormat;
  const Catalogue = isNode ? require('./catalogue.js') : root.AttnCatalogue;
  const Explain = isNode ? require('./explain.js') : root.AttnExplain;

  const n = (x) => Format.cellText(x);
  const q = (name) => `“${Format.isolate(name)}”`;

  /* Each lesson: ({ c, lab, stages, explain, masked }) -> sentences (empty ones are dropped). */
  const LESSONS = {
    embeddings: ({ c, lab }) => [
      `${q(lab.query.join(' '))} is ${c.tgt_len} token${c.tgt_len > 1 ? 's' : ''}. Each token is a row of E = ${c.embed_dim} numbers, its embedding.`,
      `Stacked, the rows make X, a ${c.tgt_len}×${c.embed_dim} matrix: L×E, L tokens by E features. Attention will turn it into another L×E matrix in which every row has looked at every other.`,
    ],
    'in-projection': ({ c }) => [
      c.kdim === c.embed_dim && c.vdim === c.embed_dim
        ? `nn.MultiheadAttention keeps W_q, W_k and W_v stacked in one in_proj_weight of 3E×E = ${3 * c.embed_dim}×${c.embed_dim}${c.bias ? `, and their biases in in_proj_bias (3E = ${3 * c.embed_dim})` : ''}. Each band is E×E.`
        : `With kdim or vdim unlike E, nn.MultiheadAttention keeps W_q, W_k and W_v apart: q_proj_weight (E×E), k_proj_weight (E×kdim) and v_proj_weight (E×vdim).`,
      'The lecture drew the key’s band first. PyTorch’s order is q, k, v, and that is the order that runs here.',
      'These numbers start random (try “PyTorch init”); training would tune them. Change any of them and watch everything below follow.',
    ],
    qkv: ({ c, lab, explain }) => [
      `Q = X·W_qᵀ + b_q. X is ${c.tgt_len}×${c.embed_dim} and W_q is ${c.embed_dim}×${c.embed_dim}: transposed, its rows meet X’s columns, so ${c.tgt_len}×${c.embed_dim} · ${c.embed_dim}×${c.embed_dim} gives ${c.tgt_len}×${c.embed_dim}${c.bias ? ', and the bias is added to every row' : ''}.`,
      `For example q[${Format.isolate(lab.query[0])}][0] = ${explain('q', null, 0, 0).lines.join(' ')}.`,
      'Each row of Q is what that token is looking for in the others. K and V are made the same way, with W_k and W_v: a key row is what a token offers to be matched against; a value row is what it hands over when it is attended to.',
      c.add_bias_kv || c.add_zero_attn ? `With ${[c.add_bias_kv && 'add_bias_kv (one learned row)', c.add_zero_attn && 'add_zero_attn (one zero row)'].filter(Boolean).join(' and ')}, K and V get extra rows: keys every query can fall back on.` : '',
    ],
    scale: ({ c }) => {
      const hd = c.embed_dim / c.num_heads;
      return [
        `PyTorch divides Q by √head_dim = √${hd} = ${n(Math.sqrt(hd))} before the product. The lecture writes √E; with one head, head_dim is E.`,
        'A dot product of d numbers grows like √d. Dividing keeps the scores in a range where softmax still spreads its weight, instead of putting nearly all of it on one key.',
      ];
    },
    scores: ({ c, lab, stages, masked }) => {
      const S2 = stages.scores.shape[2], hd = c.embed_dim / c.num_heads;
      return [
        `scores = Q_scaled·Kᵀ: ${c.tgt_len}×${hd} · ${hd}×${S2} → ${c.tgt_len}×${S2}${c.num_heads > 1 ? ` for each of the ${c.num_heads} heads, each on its own ${hd} features` : ''}.`,
        `Row i, column j says how well token i’s query matches token j’s key: ${q(lab.query[0])} against ${q(lab.extended[S2 - 1])} scores ${n(stages.scores.data[S2 - 1])}.`,
        masked ? 'Masked pairs are −∞: softmax will give them nothing.' : '',
      ];
    },
    softmax: ({ c, lab, stages }) => {
      const S2 = stages.weights.shape[2];
      const row = Array.from({ length: S2 }, (_, j) => stages.weights.data[j]);
      const shares = row.map((w, j) => `${n(w)} to ${q(lab.extended[j])}`).join(', ');
      return [
        'Softmax turns each row of scores into weights that are positive and sum to 1: exp(s − max) / Σ exp(s − max).',
        row.some(Number.isNaN) ? `Row ${q(lab.query[0])} is NaN: all its keys are masked.` : `Read a row: ${q(lab.query[0])} gives ${shares}. That last number is how much ${q(lab.query[0])} attends to ${q(lab.extended[S2 - 1])}.`,
        c.num_heads > 1 ? `Each of the ${c.num_heads} heads has its own weights; attn_weights${c.average_attn_weights ? ', what the module returns, is their mean' : ' holds them all (average_attn_weights=False)'}.` : '',
      ];
    },
    context: ({ c, lab, stages }) => {
      const S2 = stages.weights.shape[2];
      const mix = Array.from({ length: Math.min(S2, 4) }, (_, j) => `${n(stages.weights.data[j])}·v[${Format.isolate(lab.extended[j])}]`).join(' + ') + (S2 > 4 ? ' + …' : '');
      return [
        `context = weights·V: ${c.tgt_len}×${S2} · ${S2}×${c.embed_dim / c.num_heads} → ${c.tgt_len}×${c.embed_dim / c.num_heads} per head${c.num_heads > 1 ? ', the heads side by side' : ''}.`,
        `Each row is a mix of the value rows, in the proportions of its weights: context[${Format.isolate(lab.query[0])}] = ${mix}.`,
      ];
    },
    output: ({ c }) => [
      `output = context·W_oᵀ${c.bias ? ' + b_o' : ''}: ${c.tgt_len}×${c.embed_dim} · ${c.embed_dim}×${c.embed_dim} → ${c.tgt_len}×${c.embed_dim}, the same shape as X.`,
      'Every token’s row now carries what it gathered from the tokens it attended to. This is what the layer passes on to the next one.',
    ],
  };

  function lesson(session, sectionId) {
    const lab = Catalogue.labels(session.parsed);
    const ctx = {
      c: session.parsed.config, lab, stages: session.stages,
      masked: Boolean(session.case.attn_mask || session.case.key_padding_mask),
      explain: (...at) => Explain.explain({ parsed: session.parsed, stages: session.stages, labels: lab }, ...at),
    };
    return LESSONS[sectionId](ctx).filter(Boolean);
  }

  const api = { lesson, LESSONS };
  if (isNode) module.exports = api;
  else root.AttnLessons = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
