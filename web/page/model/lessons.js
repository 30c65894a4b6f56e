/* lessons.js: what the walk-through says at each section of the page, in the
 * lecture's order, with the numbers of the moment. One lesson per section
 * of catalogue.js, under the section's id.
 *
 *   lesson(session, sectionId) -> [paragraph], a paragraph [segment]
 *   segment: a string, or { text, cite: [{ stage, head, row, col }] }: a
 *   number (or a name) the page shows as a link that lights those cells
 *   whatIf(session) -> the softmax of the row the lessons read (readRow)
 *   with and without ÷√head_dim (the scaling step's "what if"), or null
 *
 * Token names are isolated (Format.isolate), so that a right-to-left name
 * keeps a sentence in order. The sentences are the session's language's
 * (text/: the keys l.*); a trained example's own are as its file has them.
 *
 * A classic script: the global AttnLessons in a page, module.exports in Node.
 * needs: AttnFormat, AttnText, AttnVocabulary, AttnExplain */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Format = isNode ? require('./format.js') : root.AttnFormat;
  const Explain = isNode ? require('./explain.js') : root.AttnExplain;
  const Vocabulary = isNode ? require('./vocabulary.js') : root.AttnVocabulary;
  const Text = isNode ? require('../text/text.js') : root.AttnText;

  const n = (x) => Format.cellText(x);
  const q = (name) => `“${Format.isolate(name)}”`;

  /* A number of a stage, as a link to its cell. */
  const cite = (value, stage, head, row, col) => ({ text: n(value), cite: [{ stage, head, row, col }] });
  const plural = (count) => (count > 1 ? 's' : '');
  /* A sentence as the lesson quotes it: whole up to QUOTED_TOKENS tokens (the paragraph's 16); a longer one
   * (a model file's 128) by its first and last few, so that a phone's sheet is not a list of tokens. */
  const QUOTED_TOKENS = 16;
  const quoted = (tokens) => q(tokens.length <= QUOTED_TOKENS ? tokens.join(' ') : [...tokens.slice(0, 10), '…', ...tokens.slice(-3)].join(' '));

  /* Each lesson: ctx -> paragraphs (empty ones are dropped). ctx: { c, lab,
   * stages, at(stage, head, row, col) -> its value, explain, masked, origin
   * (Session.origin: where the numbers come from), p(key,
   * values) -> a paragraph of the language's table, t(key, values) -> text }. */
  const LESSONS = {
    embeddings: ({ c, lab, at, p, t }) => {
      /* the first token's first two numbers, and how many more (E = 1: its one number) */
      const shown = Array.from({ length: Math.min(2, c.embed_dim) }, (_, j) => cite(at('query', null, 0, j), 'query', null, 0, j));
      const numbers = [...shown.flatMap((x, j) => (j ? [', ', x] : [x])), c.embed_dim > 2 ? t('l.emb.more', { n: c.embed_dim - 2 }) : ''];
      return [
        p('l.emb.1', { tokens: quoted(lab.query), L: c.tgt_len, s: plural(c.tgt_len), E: c.embed_dim, first: q(lab.query[0]), numbers }),
        p('l.emb.2', { L: c.tgt_len, E: c.embed_dim }),
      ];
    },
    'in-projection': ({ c, p, t, origin }) => [
      c.kdim === c.embed_dim && c.vdim === c.embed_dim
        ? p('l.inp.packed', { E3: 3 * c.embed_dim, E: c.embed_dim, bias: c.bias ? t('l.inp.bias', { E3: 3 * c.embed_dim }) : '' })
        : p('l.inp.apart'),
      p('l.inp.2'),
      p('l.inp.3', { from: t(`l.inp.from.${origin ?? 'own'}`) }), /* (where these numbers come from) */
    ],
    qkv: ({ c, lab, at, explain, p, t }) => [
      p('l.qkv.1', { L: c.tgt_len, E: c.embed_dim, bias: c.bias ? t('l.qkv.bias') : '' }),
      p('l.qkv.2', { token: Format.isolate(lab.query[0]), sum: explain('q', null, 0, 0).lines[0], q: cite(at('q', null, 0, 0), 'q', null, 0, 0) }),
      p('l.qkv.3'),
      c.add_bias_kv || c.add_zero_attn ? p('l.qkv.extra', { which: t(c.add_bias_kv && c.add_zero_attn ? 'l.qkv.both' : c.add_bias_kv ? 'l.qkv.biaskv' : 'l.qkv.zero') }) : [],
    ],
    scale: (ctx) => {
      const { c, at, p } = ctx;
      const hd = c.embed_dim / c.num_heads;
      return [
        p('l.sc.1', { hd, root: n(Math.sqrt(hd)), q: cite(at('q', null, 0, 0), 'q', null, 0, 0), qs: cite(at('q_scaled', null, 0, 0), 'q_scaled', null, 0, 0) }),
        p('l.sc.2'),
        readRow(ctx) >= 0 ? p('l.sc.3') : [], /* (the what-if's table below it, of that row: walkthrough.js) */
      ];
    },
    scores: (ctx) => {
      const { c, lab, stages, at, masked, p, t } = ctx, i = Math.max(0, readRow(ctx));
      const S2 = stages.scores.shape[2], hd = c.embed_dim / c.num_heads;
      let j = S2 - 1; /* (its last key; under a mask, its last one not masked) */
      while (j > 0 && at('scores', 0, i, j) === -Infinity) j--;
      return [
        p('l.sco.1', { L: c.tgt_len, hd, S2, heads: c.num_heads > 1 ? t('l.sco.heads', { H: c.num_heads, hd }) : '' }),
        p('l.sco.2', { a: q(lab.query[i]), b: q(lab.extended[j]), s: cite(at('scores', 0, i, j), 'scores', 0, i, j) }),
        masked ? p('l.sco.masked') : [],
      ];
    },
    softmax: (ctx) => {
      const { c, lab, stages, at, p, t } = ctx, i = Math.max(0, readRow(ctx));
      const S2 = stages.weights.shape[2];
      const row = Array.from({ length: S2 }, (_, j) => at('weights', 0, i, j));
      const shares = row.flatMap((w, j) => [j ? ', ' : '', ...p('l.sm.to', { w: cite(w, 'weights', 0, i, j), token: q(lab.extended[j]) })]);
      return [
        p('l.sm.1'),
        row.some(Number.isNaN) ? p('l.sm.nan', { a: q(lab.query[i]) })
          : p('l.sm.read', { a: q(lab.query[i]), shares, b: q(lab.extended[S2 - 1]) }),
        c.num_heads > 1 ? p('l.sm.heads', { H: c.num_heads, which: t(c.average_attn_weights ? 'l.sm.mean' : 'l.sm.all') }) : [],
      ];
    },
    context: (ctx) => {
      const { c, lab, stages, at, p, t } = ctx, i = Math.max(0, readRow(ctx));
      const S2 = stages.weights.shape[2], shown = Math.min(S2, 4), hd = c.embed_dim / c.num_heads;
      const mix = Array.from({ length: shown }, (_, j) => [j ? ' + ' : '', cite(at('weights', 0, i, j), 'weights', 0, i, j), `·v[${Format.isolate(lab.extended[j])}]`]).flat();
      return [
        p('l.ctx.1', { L: c.tgt_len, S2, hd, side: c.num_heads > 1 ? t('l.ctx.side') : '' }),
        p('l.ctx.2', { token: Format.isolate(lab.query[i]), mix: [...mix, S2 > shown ? ' + …' : ''], c: cite(at('context', null, i, 0), 'context', null, i, 0) }),
      ];
    },
    output: ({ c, at, p }) => [
      p('l.out.1', { bias: c.bias ? ' + b_o' : '', L: c.tgt_len, E: c.embed_dim, o: cite(at('output', null, 0, 0), 'output', null, 0, 0) }),
      p('l.out.2'),
    ],
  };

  function context(session) {
    const lab = session.labels(), stages = session.stages, c = session.parsed.config;
    const at = (stage, head, row, col) => {
      const data = stages[stage] ? stages[stage].data : session.parsed.inputs[stage];
      const shape = stages[stage] ? stages[stage].shape : session.inputShapes[stage];
      const cols = shape[shape.length - 1], rows = shape.length === 1 ? 1 : shape[shape.length - 2];
      return data[((head ?? 0) * rows + row) * cols + col];
    };
    return {
      c, lab, stages, at,
      p: (key, values) => Text.parts(session.lang, key, values),
      t: (key, values) => Text.t(session.lang, key, values),
      masked: Boolean(session.case.attn_mask || session.case.key_padding_mask),
      origin: session.origin(),
      explain: (...where) => Explain.explain({ parsed: session.parsed, stages, labels: lab, lang: session.lang }, ...where),
    };
  }

  /* A trained example's own sentences first (what its head learned, with
   * the live numbers of the sentence shown), then the pass's. */
  function lesson(session, sectionId) {
    const trained = session.trained(), own = [];
    const sentences = trained && session.trainedWords().lesson[sectionId];
    if (sentences) {
      const tokens = session.labels().query;
      const claims = Vocabulary.claimsFor(trained.expect, tokens);
      for (const text of sentences) {
        const line = Vocabulary.renderLesson(text, { claims, tokens, stages: session.stages });
        if (line) own.push([line]);
      }
    }
    return [...own, ...LESSONS[sectionId](context(session)).filter((paragraph) => paragraph.length)];
  }

  /* The query row the lessons read (in the first head): the first that
   * weighs two keys or more (a causal mask leaves the first row one), its
   * scores finite or masked (−∞); -1 when no row does. */
  function readRow({ stages }) {
    const [, L, S2] = stages.scores.shape;
    const row = (i) => Array.from(stages.scores.data.subarray(i * S2, (i + 1) * S2));
    const weighs = (scores) => scores.filter(Number.isFinite).length >= 2 && scores.every((x) => Number.isFinite(x) || x === -Infinity);
    return Array.from({ length: L }, (_, i) => i).findIndex((i) => weighs(row(i)));
  }

  /* The read row's softmax of its scores as PyTorch computes them (scaled),
   * and of the same dot products without the division, to show what
   * ÷√head_dim does; a masked key (−∞) gets 0 in both. null with no row to read. */
  const whatIf = (session) => whatIfOf(context(session));

  function whatIfOf(ctx) {
    const { c, lab, stages } = ctx, i = readRow(ctx);
    if (i < 0) return null;
    const S2 = stages.scores.shape[2], E = c.embed_dim, hd = E / c.num_heads;
    const row = Array.from(stages.scores.data.subarray(i * S2, (i + 1) * S2));
    /* q·k without the division, plus what the mask added to the score */
    const dot = (q, j) => Array.from({ length: hd }, (_, d) => q[i * E + d] * stages.k.data[j * E + d]).reduce((a, b) => a + b, 0);
    const unscaled = row.map((score, j) => dot(stages.q.data, j) + (score - dot(stages.q_scaled.data, j)));
    const softmax = (x) => {
      const max = Math.max(...x), exps = x.map((v) => Math.exp(v - max)), sum = exps.reduce((a, b) => a + b, 0);
      return exps.map((v) => v / sum);
    };
    return { query: lab.query[i], keys: lab.extended.slice(0, S2), scaled: Array.from(stages.weights.data.subarray(i * S2, (i + 1) * S2)), unscaled: softmax(unscaled), root: Math.sqrt(hd) };
  }

  /* A paragraph as plain text (for tests and screen readers). */
  const text = (paragraph) => paragraph.map((s) => (typeof s === 'string' ? s : s.text)).join('');

  const api = { lesson, whatIf, text, LESSONS };
  if (isNode) module.exports = api;
  else root.AttnLessons = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
