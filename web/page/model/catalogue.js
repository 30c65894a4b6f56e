/* catalogue.js: what the page shows, before it is drawn: the sections of the
 * forward pass in the order of the formula, each with its cards (one
 * matrix each, an input or a stage), and how to read a card's numbers.
 * Section N is step N of the walk-through and step=N in a link.
 *
 *   sections({ parsed, case, stages, inputShapes, lang })   (lang: the words', text/)
 *     -> [{ id, number, title, cards: [card] }]
 *   card: { stage, title, formula, shapes, letters, shape, kind, editable,
 *           perHead, rows, cols, rowLabels, colLabels, rowBands, colBands,
 *           source: 'input' | 'stage', summary, big, tokens,
 *           column, beside, vertical, passTitle, biasBeside, feeds }
 *         or { stage: null, custom: 'plane' | 'preview' } (a picture)
 *   column: where the one-screen view (the pass) puts it, 1 to 5, the
 *   formula read left to right (PASS_COLUMNS); beside: the card it sits
 *   next to (a bias beside its weight), drawn `vertical` (one number a
 *   row, as the weight's rows are the features it adds to) under a short
 *   passTitle; biasBeside: on a weight, the bias that sits next to it;
 *   feeds: the stages it is made from, for the connectors.
 *   cardData(session, card) -> [Float32Array], one per head (or one)
 *
 * Shapes are the core's (attn_input_shape, attn_stage_shape): the inputs'
 * from inputShapes, the stages' from the stages themselves. Labels are
 * 'query', 'key' or 'extended' (see labels()) or a list.
 *
 * A classic script: the global AttnCatalogue in a page, module.exports in Node.
 * needs: AttnCase, AttnText */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../../case.js') : root.AttnCase;
  const Text = isNode ? require('../text/text.js') : root.AttnText;

  const range = (n, offset = 0) => Array.from({ length: n }, (_, i) => String(i + offset));
  const headBandsOf = (H, hd, t) => (H > 1 ? Array.from({ length: H }, (_, h) => ({ label: t('x.head', { h: h + 1 }), size: hd })) : null);
  const bands = (names, size) => names.map((label) => ({ label, size }));

  /* The labels of the query rows, of the key rows (S), and of the keys
   * after the extra rows (S'). Keys of cross-attention are numbered ("key
   * 0", in the words of lang), the extra ones named (bias_k, "zero"). */
  function labels(parsed, lang = 'en') {
    const c = parsed.config, t = parsed.tokens;
    const query = t.query;
    const key = t.key || range(c.src_len).map((j) => Text.t(lang, 'lb.key', { j }));
    const extended = key.concat(c.add_bias_kv ? ['bias_k'] : [], c.add_zero_attn ? [Text.t(lang, 'lb.zero')] : []);
    return { query, key, extended };
  }

  /* A card's row or column labels: a name in labels() or the labels themselves. */
  const cardLabels = (spec, lab) => (typeof spec === 'string' ? lab[spec] : spec);

  /* What decides the cards and their matrices: when it changes, the page
   * makes them anew; otherwise it only repaints numbers. */
  function structureOf(parsed, c) {
    return parsed && parsed.config ? JSON.stringify([parsed.config, Boolean(c.key), Boolean(c.value)]) : '';
  }

  function sections({ parsed, case: c, stages, inputShapes, lang = 'en' }) {
    const t = (key, values) => Text.t(lang, key, values);
    const cfg = parsed.config;
    const { embed_dim: E, num_heads: H, tgt_len: L, src_len: S } = cfg;
    const hd = E / H, S2 = stages.scores.shape[2];
    const features = range(E), headBands = headBandsOf(H, hd, t);
    /* every card of an input or a stage: its shape as the core gives it */
    const input = (name, card) => ({ ...card, stage: name, source: 'input', editable: true, shape: inputShapes[name] });
    const stage = (name, card) => ({ ...card, stage: name, source: 'stage', shape: stages[name].shape });
    const packed = Boolean(inputShapes.in_proj_weight);

    const embeddings = [input('query', { title: 'X', formula: t('k.query'), letters: 'L×E', kind: 'diverging', rows: L, cols: E, rowLabels: 'query', colLabels: features, tokens: true })];
    if (c.key) embeddings.push(input('key', { title: 'key', formula: t('k.key'), letters: 'S×kdim', kind: 'diverging', rows: S, cols: cfg.kdim, rowLabels: 'key', colLabels: range(cfg.kdim) }));
    if (c.value) embeddings.push(input('value', { title: 'value', formula: t('k.value'), letters: 'S×vdim', kind: 'diverging', rows: S, cols: cfg.vdim, rowLabels: 'key', colLabels: range(cfg.vdim) }));
    embeddings.push({ stage: null, custom: 'preview' });

    const projection = [];
    if (packed) projection.push(input('in_proj_weight', {
      title: 'in_proj_weight', formula: t('k.inproj'),
      letters: '3E×E', kind: 'diverging', rows: 3 * E, cols: E, rowLabels: [...range(E), ...range(E), ...range(E)], colLabels: features,
      rowBands: bands(['W_q', 'W_k', 'W_v'], E),
    }));
    else projection.push(
      input('q_proj_weight', { title: 'W_{q}', formula: 'q_proj_weight', letters: 'E×E', kind: 'diverging', rows: E, cols: E, rowLabels: features, colLabels: features }),
      input('k_proj_weight', { title: 'W_{k}', formula: 'k_proj_weight', letters: 'E×kdim', kind: 'diverging', rows: E, cols: cfg.kdim, rowLabels: features, colLabels: range(cfg.kdim) }),
      input('v_proj_weight', { title: 'W_{v}', formula: 'v_proj_weight', letters: 'E×vdim', kind: 'diverging', rows: E, cols: cfg.vdim, rowLabels: features, colLabels: range(cfg.vdim) }));
    if (cfg.bias) projection.push(input('in_proj_bias', { title: 'in_proj_bias', formula: '[b_{q}, b_{k}, b_{v}]', letters: '3E', kind: 'diverging', rows: 1, cols: 3 * E, rowLabels: ['b'], colLabels: [...range(E), ...range(E), ...range(E)], colBands: bands(['b_q', 'b_k', 'b_v'], E) }));
    if (cfg.add_bias_kv) projection.push(
      input('bias_k', { title: 'bias_k', formula: t('k.biask'), letters: 'E', kind: 'diverging', rows: 1, cols: E, rowLabels: ['bias_k'], colLabels: features }),
      input('bias_v', { title: 'bias_v', formula: t('k.biasv'), letters: 'E', kind: 'diverging', rows: 1, cols: E, rowLabels: ['bias_v'], colLabels: features }));

    const src = c.key ? 'key' : 'X', valueSrc = c.value ? 'value' : 'X';
    const extraRows = (cfg.add_bias_kv ? t('k.thenbias') : '') + (cfg.add_zero_attn ? t('k.thenzero') : '');
    const b = (name, n) => (cfg.bias ? ` + ${name} ${n}` : '');
    const extra = S2 > S ? t('k.more', { n: S2 - S, s: S2 - S > 1 ? 's' : '', S2, E }) : '';
    const qkv = [
      stage('q', { title: 'Q', formula: `X·W_{q}ᵀ${cfg.bias ? ' + b_{q}' : ''}`, letters: 'L×E', kind: 'diverging', rows: L, cols: E, rowLabels: 'query', colLabels: features, colBands: headBands, shapes: `X ${L}×${E} · W_{q}ᵀ ${E}×${E}${b('b_{q}', E)} → ${L}×${E}` }),
      stage('k', { title: 'K', formula: `${src}·W_{k}ᵀ${cfg.bias ? ' + b_{k}' : ''}${extraRows}`, letters: S2 > S ? "S'×E" : 'S×E', kind: 'diverging', rows: S2, cols: E, rowLabels: 'extended', colLabels: features, colBands: headBands, shapes: `${src} ${S}×${cfg.kdim} · W_{k}ᵀ ${cfg.kdim}×${E}${b('b_{k}', E)} → ${S}×${E}${extra}` }),
      stage('v', { title: 'V', formula: `${valueSrc}·W_{v}ᵀ${cfg.bias ? ' + b_{v}' : ''}${extraRows.replace('bias_k', 'bias_v')}`, letters: S2 > S ? "S'×E" : 'S×E', kind: 'diverging', rows: S2, cols: E, rowLabels: 'extended', colLabels: features, colBands: headBands, shapes: `${valueSrc} ${S}×${cfg.vdim} · W_{v}ᵀ ${cfg.vdim}×${E}${b('b_{v}', E)} → ${S}×${E}${extra}` }),
    ];
    if (E === 2) qkv.push({ stage: null, custom: 'plane' });

    const scaled = [stage('q_scaled', { title: 'Q / √head_dim', formula: t('k.scaled', { hd }), letters: 'L×E', kind: 'diverging', rows: L, cols: E, rowLabels: 'query', colLabels: features, colBands: headBands, shapes: t('k.scaledS', { L, E, hd }) })];

    const scoring = [];
    if (cfg.attn_mask_kind) {
      const isBool = cfg.attn_mask_kind === Case.MASK.bool;
      scoring.push(input('attn_mask', {
        title: 'attn_mask', formula: t(isBool ? 'k.maskB' : 'k.maskF'),
        letters: cfg.attn_mask_per_head ? 'H×L×S' : 'L×S', kind: isBool ? 'bool' : 'diverging', perHead: Boolean(cfg.attn_mask_per_head),
        rows: L, cols: S, rowLabels: 'query', colLabels: 'key',
      }));
    }
    if (cfg.key_padding_mask_kind) {
      const isBool = cfg.key_padding_mask_kind === Case.MASK.bool;
      scoring.push(input('key_padding_mask', { title: 'key_padding_mask', formula: t(isBool ? 'k.padB' : 'k.padF'), letters: 'S', kind: isBool ? 'bool' : 'diverging', rows: 1, cols: S, rowLabels: ['pad'], colLabels: 'key' }));
    }
    scoring.push(stage('scores', { title: 'scores', formula: `Q_{scaled}·Kᵀ ${t('k.perhead')}${scoring.length ? ' + mask' : ''}`, letters: "H×L×S'", kind: 'diverging', perHead: true, rows: L, cols: S2, rowLabels: 'query', colLabels: 'extended', shapes: t('k.scoresS', { L, hd, S2, H, s: H > 1 ? 's' : '' }) }));

    const softmax = [stage('weights', { title: 'weights', formula: t('k.weights'), letters: "H×L×S'", kind: 'sequential', perHead: true, rows: L, cols: S2, rowLabels: 'query', colLabels: 'extended', summary: true, big: true, shapes: t('k.weightsS', { H, L, S2 }) })];
    if (cfg.average_attn_weights) softmax.push(stage('attn_weights', { title: 'attn_weights', formula: H > 1 ? t('k.mean', { H }) : t('k.mean1'), letters: "L×S'", kind: 'sequential', rows: L, cols: S2, rowLabels: 'query', colLabels: 'extended', summary: true }));
    else softmax.push(stage('attn_weights', { title: 'attn_weights', formula: t('k.every'), letters: "H×L×S'", kind: 'sequential', perHead: true, rows: L, cols: S2, rowLabels: 'query', colLabels: 'extended' }));

    const context = [stage('context', { title: 'context', formula: t('k.context'), letters: 'L×E', kind: 'diverging', rows: L, cols: E, rowLabels: 'query', colLabels: features, colBands: headBands, shapes: t('k.contextS', { L, S2, hd, H, E }) })];
    const output = [input('out_proj.weight', { title: 'W_{o}', formula: 'out_proj.weight', letters: 'E×E', kind: 'diverging', rows: E, cols: E, rowLabels: features, colLabels: features })];
    if (cfg.bias) output.push(input('out_proj.bias', { title: 'b_{o}', formula: 'out_proj.bias', letters: 'E', kind: 'diverging', rows: 1, cols: E, rowLabels: ['b_o'], colLabels: features }));
    output.push(stage('output', { title: 'output', formula: t('k.output', { bias: cfg.bias ? ' + b_{o}' : '' }), letters: 'L×E', kind: 'diverging', rows: L, cols: E, rowLabels: 'query', colLabels: features, shapes: `context ${L}×${E} · W_{o}ᵀ ${E}×${E}${b('b_{o}', E)} → ${L}×${E}` }));

    const cards = [...embeddings, ...projection, ...qkv, ...scaled, ...scoring, ...softmax, ...context, ...output];
    for (const card of cards) if (card.stage) Object.assign(card, place(card.stage, c, inputShapes));
    return [
      { id: 'embeddings', cards: embeddings },
      { id: 'in-projection', cards: projection },
      { id: 'qkv', cards: qkv },
      { id: 'scale', cards: scaled },
      { id: 'scores', cards: scoring },
      { id: 'softmax', cards: softmax },
      { id: 'context', cards: context },
      { id: 'output', cards: output },
    ].map((section, i) => ({ ...section, title: t(`sec.${section.id}`), number: i + 1 }));
  }

  /* ---- the pass: every card in the column of the formula it belongs to ---- */

  const PASS_COLUMNS = ['inputs', 'queries, keys and values', 'scores', 'attention', 'context and output'];
  const COLUMN = {
    query: 1, key: 1, value: 1, in_proj_weight: 1, q_proj_weight: 1, k_proj_weight: 1, v_proj_weight: 1, in_proj_bias: 1,
    bias_k: 1, bias_v: 1, 'out_proj.weight': 1, 'out_proj.bias': 1,
    q: 2, k: 2, v: 2,
    q_scaled: 3, attn_mask: 3, key_padding_mask: 3, scores: 3,
    weights: 4, attn_weights: 4,
    context: 5, output: 5,
  };
  const BESIDE = { in_proj_bias: 'in_proj_weight', 'out_proj.bias': 'out_proj.weight' };
  const BESIDE_TITLE = { in_proj_bias: '+ b', 'out_proj.bias': '+ b_{o}' }; /* all a bias beside its weight needs */

  /* column, beside, vertical, biasBeside and feeds of a stage's card. */
  function place(stage, c, inputShapes) {
    const packed = Boolean(inputShapes.in_proj_weight);
    const x = c.key ? 'key' : 'query', xv = c.value ? 'value' : 'query';
    const weight = (band) => (packed ? 'in_proj_weight' : `${band}_proj_weight`);
    const masks = ['attn_mask', 'key_padding_mask'].filter((m) => inputShapes[m]);
    /* (a bias sits beside its weight: the weight's line stands for both) */
    const FEEDS = {
      q: ['query', weight('q')], k: [x, weight('k'), ...(inputShapes.bias_k ? ['bias_k'] : [])],
      v: [xv, weight('v'), ...(inputShapes.bias_v ? ['bias_v'] : [])],
      q_scaled: ['q'], scores: ['q_scaled', 'k', ...masks], weights: ['scores'], attn_weights: ['weights'],
      context: ['weights', 'v'], output: ['context', 'out_proj.weight'],
    };
    const beside = BESIDE[stage] && inputShapes[BESIDE[stage]] ? BESIDE[stage] : null;
    const biasBeside = Object.keys(BESIDE).find((bias) => BESIDE[bias] === stage && inputShapes[bias]) ?? null;
    return { column: COLUMN[stage], beside, vertical: Boolean(beside), passTitle: beside ? BESIDE_TITLE[stage] : null, biasBeside, feeds: FEEDS[stage] || [] };
  }

  /* A card's numbers of the moment: one array per head, or one. They are
   * views of the session's inputs and stages, which change on every edit. */
  function cardData(session, card) {
    const data = card.source === 'input' ? session.parsed.inputs[card.stage] : session.stages[card.stage].data;
    if (!card.perHead) return [data];
    const size = card.rows * card.cols;
    return Array.from({ length: session.parsed.config.num_heads }, (_, h) => data.subarray(h * size, (h + 1) * size));
  }

  /* Every card with a matrix, in the order of the sections. */
  const matrixCards = (sectionList) => sectionList.flatMap((s) => s.cards.filter((card) => card.stage));

  const api = { sections, labels, cardLabels, cardData, matrixCards, structureOf, PASS_COLUMNS };
  if (isNode) module.exports = api;
  else root.AttnCatalogue = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
