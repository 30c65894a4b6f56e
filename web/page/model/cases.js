/* cases.js: making and changing cases (the JSON format of README.md): the
 * examples, random and PyTorch-initial weights, and every change a control
 * makes (a size, a flag, a mask, a token added or removed), each keeping
 * whatever still fits. Pure: a case in, a new case out; nothing is changed
 * in place.
 *
 * A classic script: the global AttnCases in a page, module.exports in Node.
 * needs: AttnCase, AttnExamples */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../../case.js') : root.AttnCase;
  /* The trained examples' files, web/examples/NAME.json, as make bundles
   * them into build/attn-examples.js: { NAME: file }. The widget's bundle
   * starts without them: attention-viz-examples.js brings them (addTrained). */
  const fault = (key, id, values = {}) => new Case.CaseError(key, id, values); /* (keyed: text/en.js, err.*) */
  const TRAINED = isNode ? require('../../../build/attn-examples.js') : root.AttnExamples || {};

  /* What the page will show; past these it says so and keeps the last state. */
  const LIMITS = { tokens: 512, embed_dim: 1024, num_heads: 16, hashLength: 200000, tokenLength: 40, exampleCells: 2048 };

  /* The lecture's example: "I am good", E = 2, one head, bias on. The weights
   * are the ones tests/fixtures/make_fixtures.py uses for its lecture case. */
  function lectureCase() {
    return {
      embed_dim: 2, num_heads: 1, bias: true, add_bias_kv: false, add_zero_attn: false,
      average_attn_weights: true,
      tokens: ['I', 'am', 'good'],
      query: [[0.2, 0.1], [0.9, 0.4], [0.7, 0.8]],
      in_proj_weight: [[1.5, -0.5], [0.8, 2.0], [2.0, 1.2], [-1.0, 1.5], [0.5, -1.2], [1.8, 0.7]],
      in_proj_bias: [0.5, -0.5, 1.0, 0.5, -0.5, 1.0],
      'out_proj.weight': [[1.2, -0.7], [0.6, 1.5]],
      'out_proj.bias': [0.5, -1.0],
    };
  }

  /* ---- random numbers ---- */

  /* mulberry32: small, seeded, so examples are the same on every machine. */
  function seededRandom(seed) {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /* A standard normal number, from two of random()'s (Box–Muller). */
  const standardNormal = (random) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const round2 = (x) => Math.round(x * 100) / 100 || 0; /* short numbers to read, no -0 */
  const uniform = (random, bound) => (random() * 2 - 1) * bound;
  const matrix = (rows, cols, cell) => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => cell(i, j)));
  const vector = (n, cell) => Array.from({ length: n }, (_, i) => cell(i));
  /* A deep copy of JSON-like data, as JSON.parse(JSON.stringify(value))
   * makes it (undefined keys dropped, −0 and non-finite numbers as JSON
   * writes them), but without the text: a BERT-size case has 2.4 M numbers. */
  function copy(value) {
    if (Array.isArray(value)) return value.map((x) => (typeof x === 'number' ? jsonCopy(x) : copy(x)));
    if (typeof value === 'number') return jsonCopy(value);
    if (!value || typeof value !== 'object') return value;
    if (typeof value.toJSON === 'function') return JSON.parse(JSON.stringify(value));
    const out = {};
    for (const [key, x] of Object.entries(value)) if (x !== undefined && typeof x !== 'function') out[key] = copy(x);
    return out;
  }
  const jsonCopy = (x) => (Number.isFinite(x) ? x || 0 : null);

  /* ---- examples ---- */

  function sentenceCase(words, E, H, seed) {
    const random = seededRandom(seed);
    const c = {
      embed_dim: E, num_heads: H, bias: true, add_bias_kv: false, add_zero_attn: false, average_attn_weights: true,
      tokens: words, query: matrix(words.length, E, () => round2(uniform(random, 1))),
    };
    return randomWeights(c, random);
  }

  /* A trained example's entry, from its file (README.md, "Trained
   * examples"): what the page needs beside the case. The file's objects are
   * shared: read them, do not change them. words: its title, summary and
   * lesson by language (English the file's own, the others its
   * translations): wordsOf(entry, lang). */
  function trainedExample(file) {
    return {
      label: file.title, kind: 'trained', make: () => copy(file.case),
      title: file.title, summary: file.summary, lesson: file.lesson, vocabulary: file.vocabulary,
      expect: file.expect, try: file.try,
      words: { en: { title: file.title, summary: file.summary, lesson: file.lesson }, ...file.translations },
    };
  }
  const wordsOf = (entry, lang) => entry.words[lang] || entry.words.en;

  /* The examples a link (example=NAME) and the example list open, in the
   * list's order. kind: 'lecture'; 'trained' (web/examples/NAME.json: a
   * head that learned a job, with its vocabulary, lesson and claims); or
   * 'random' (random weights: bigger sizes, no learned pattern). */
  const EXAMPLES = {
    lecture: { label: 'I am good (the lecture)', kind: 'lecture', make: lectureCase },
    sentence: {
      label: '8 tokens, E = 16, 2 heads', kind: 'random',
      make: () => sentenceCase('the cat sat on the mat because it'.split(' '), 16, 2, 8),
    },
    paragraph: {
      label: '16 tokens, E = 32, 4 heads', kind: 'random',
      make: () => sentenceCase('attention lets every word look at every other word and decide how much each one matters'.split(' ').slice(0, 16), 32, 4, 16),
    },
  };
  const DEFAULT_EXAMPLE = 'lecture';

  /* The trained examples' files added to EXAMPLES, after the lecture and
   * before the random ones (the list's order). */
  function addTrained(files) {
    const random = Object.entries(EXAMPLES).filter(([, e]) => e.kind === 'random');
    for (const [name] of random) delete EXAMPLES[name];
    for (const [name, file] of Object.entries(files)) EXAMPLES[name] = trainedExample(file);
    Object.assign(EXAMPLES, Object.fromEntries(random));
    madeExamples = null;
  }

  /* Each example's case and its JSON, made once: name -> { case, text }. */
  let madeExamples = null;
  addTrained(TRAINED);
  const made = () => (madeExamples ||= new Map(Object.entries(EXAMPLES).map(([name, e]) => {
    const c = e.make();
    return [name, { case: c, text: JSON.stringify(c) }];
  })));

  /* The example a case is exactly, or null. */
  function exampleOf(c) {
    if (!Array.isArray(c.query) || c.query.length * (c.query[0]?.length || 0) > LIMITS.exampleCells) return null; /* (no example is as big) */
    const text = JSON.stringify(c);
    for (const [name, example] of made()) if (example.text === text) return name;
    return null;
  }

  /* Example `name`'s case, made once: read it, never change it. */
  const exampleCase = (name) => made().get(name).case;

  /* ---- weights ---- */

  /* E of a case, which may leave it to query's width. */
  const embedDim = (c) => c.embed_dim ?? c.query[0].length;

  /* The weights (state_dict entries) a case uses, with their shapes, from
   * the format's table. */
  function weightShapes(c) {
    const d = Case.dims(c);
    const shapes = {};
    for (const spec of Case.KEYS)
      if (spec.group === 'param' && (!spec.used || spec.used(d)))
        shapes[spec.key] = spec.shape.map((name) => (name === '3E' ? 3 * d.E : d[name]));
    return shapes;
  }

  function fill(shape, cell) {
    return shape.length === 2 ? matrix(shape[0], shape[1], (i, j) => cell(i, j)) : vector(shape[0], (i) => cell(i, 0));
  }

  /* New random weights with two decimals, scaled so attention is not uniform. */
  function randomWeights(c, random = Math.random) {
    const out = { ...c };
    const bound = Math.max(0.5, 2.5 / Math.sqrt(embedDim(c)));
    for (const [name, shape] of Object.entries(weightShapes(c)))
      out[name] = fill(shape, () => round2(uniform(random, name.includes('bias') ? 0.5 : bound)));
    return out;
  }

  /* What nn.MultiheadAttention starts with: xavier_uniform_ in-projection,
   * zero biases, out_proj's kaiming_uniform_(a=√5) = U(±1/√E), and
   * xavier_normal_ bias_k, bias_v. float32 like the module's parameters. */
  function pytorchInit(c, random = Math.random) {
    const out = { ...c };
    const E = embedDim(c), f = Math.fround;
    const xavier = (fanIn, fanOut) => () => f(uniform(random, Math.sqrt(6 / (fanIn + fanOut))));
    const normal = (std) => () => f(std * standardNormal(random));
    for (const [name, shape] of Object.entries(weightShapes(c))) {
      const cell = name === 'in_proj_weight' ? xavier(E, 3 * E)
        : /^[qkv]_proj_weight$/.test(name) ? xavier(shape[1], E)
          : name === 'out_proj.weight' ? () => f(uniform(random, 1 / Math.sqrt(E)))
            : name === 'bias_k' || name === 'bias_v' ? normal(Math.sqrt(2 / (2 * E)))
              : () => 0;
      out[name] = fill(shape, cell);
    }
    return out;
  }

  /* ---- changing sizes, keeping whatever still fits ---- */

  /* value (old shape) re-laid into shape; new entries from fresh(). Packed
   * in_proj weights and biases are resized band by band (q, k, v). */
  function resizeBands(value, oldE, newE, bands, cols, fresh) {
    const rows = [];
    for (let b = 0; b < bands; b++)
      for (let i = 0; i < newE; i++) {
        const old = i < oldE ? value[b * oldE + i] : undefined;
        rows.push(cols === null ? (old ?? fresh()) : vector(cols, (j) => (old && j < old.length ? old[j] : fresh())));
      }
    return rows;
  }

  /* The case with embed_dim E: every weight keeps its top-left block. */
  function withEmbedDim(c, E, random = Math.random) {
    const oldE = embedDim(c), out = { ...c, embed_dim: E };
    const fresh = () => round2(uniform(random, 1));
    const zero = () => 0;
    out.query = c.query.map((row) => vector(E, (j) => (j < row.length ? row[j] : fresh())));
    if (c.in_proj_weight) out.in_proj_weight = resizeBands(c.in_proj_weight, oldE, E, 3, E, fresh);
    if (c.q_proj_weight) out.q_proj_weight = resizeBands(c.q_proj_weight, oldE, E, 1, E, fresh);
    if (c.k_proj_weight) out.k_proj_weight = resizeBands(c.k_proj_weight, oldE, E, 1, c.kdim, fresh);
    if (c.v_proj_weight) out.v_proj_weight = resizeBands(c.v_proj_weight, oldE, E, 1, c.vdim, fresh);
    if (c.in_proj_bias) out.in_proj_bias = resizeBands(c.in_proj_bias, oldE, E, 3, null, zero);
    for (const name of ['bias_k', 'bias_v', 'out_proj.bias'])
      if (c[name]) out[name] = resizeBands(c[name], oldE, E, 1, null, zero);
    out['out_proj.weight'] = resizeBands(c['out_proj.weight'], oldE, E, 1, E, fresh);
    if (c.kdim === oldE) out.kdim = E;
    if (c.vdim === oldE) out.vdim = E;
    if (!c.key) { delete out.kdim; delete out.vdim; }
    return out;
  }

  const isSelfAttention = (c) => !c.key && !c.value;

  /* The token labels of the query rows. */
  const queryTokens = (c) => (Array.isArray(c.tokens) ? c.tokens : c.tokens.query);

  /* The case with a token inserted at `at` (a new query row, and key and
   * mask entries in self-attention). A causal mask stays causal. */
  function withTokenAdded(c, at, label, random = Math.random) {
    if (!isSelfAttention(c)) throw fault('tokens', 'st.addNo');
    const out = { ...c, tokens: [...queryTokens(c)], query: c.query.map((r) => r.slice()) };
    out.tokens.splice(at, 0, label);
    out.query.splice(at, 0, vector(embedDim(c), () => round2(uniform(random, 1))));
    const off = (m) => (typeof m.flat(Infinity)[0] === 'boolean' ? false : 0);
    const grow2d = (m) => {
      const rows = m.map((r) => { const n = r.slice(); n.splice(at, 0, off(m)); return n; });
      rows.splice(at, 0, vector(rows[0].length, () => off(m)));
      return rows;
    };
    if (c.attn_mask) out.attn_mask = maskMode(c) === 'causal' ? causalMask(out.query.length) : perHeadMask(c) ? c.attn_mask.map(grow2d) : grow2d(c.attn_mask);
    if (c.key_padding_mask) { out.key_padding_mask = c.key_padding_mask.slice(); out.key_padding_mask.splice(at, 0, off([c.key_padding_mask])); }
    return out;
  }

  function withTokenRemoved(c, at) {
    if (!isSelfAttention(c)) throw fault('tokens', 'err.removeNo');
    if (c.query.length <= 1) throw fault('tokens', 'err.oneToken');
    const drop = (list) => list.filter((_, i) => i !== at);
    const shrink2d = (m) => drop(m).map(drop);
    const out = { ...c, tokens: drop(queryTokens(c)), query: drop(c.query) };
    if (c.attn_mask) out.attn_mask = maskMode(c) === 'causal' ? causalMask(out.query.length) : perHeadMask(c) ? c.attn_mask.map(shrink2d) : shrink2d(c.attn_mask);
    if (c.key_padding_mask) out.key_padding_mask = drop(c.key_padding_mask);
    return out;
  }

  /* The case with its query tokens renamed. */
  function withTokens(c, tokens) {
    return { ...c, tokens: Array.isArray(c.tokens) || !c.tokens ? tokens.slice() : { ...c.tokens, query: tokens.slice() } };
  }

  /* num_heads H; a per-head mask keeps its first heads (or repeats the last). */
  function withHeads(c, H) {
    const out = { ...c, num_heads: H };
    if (perHeadMask(c)) out.attn_mask = vector(H, (h) => copy(c.attn_mask[Math.min(h, c.attn_mask.length - 1)]));
    return out;
  }

  /* bias on/off, add_bias_kv on/off: the vectors appear (zero) or go;
   * add_zero_attn and average_attn_weights are only flags. */
  function withFlag(c, flag, on) {
    const out = { ...c, [flag]: on };
    const E = embedDim(c);
    if (flag === 'bias') {
      if (on) { out.in_proj_bias = c.in_proj_bias ?? vector(3 * E, () => 0); out['out_proj.bias'] = c['out_proj.bias'] ?? vector(E, () => 0); }
      else { delete out.in_proj_bias; delete out['out_proj.bias']; }
    }
    if (flag === 'add_bias_kv') {
      if (on) { out.bias_k = c.bias_k ?? vector(E, () => 0); out.bias_v = c.bias_v ?? vector(E, () => 0); }
      else { delete out.bias_k; delete out.bias_v; }
    }
    return out;
  }

  /* ---- masks ---- */

  /* L×S, true where key j comes after query i: no looking ahead. */
  function causalMask(L, S = L) {
    return matrix(L, S, (i, j) => j > i);
  }

  const perHeadMask = (c) => Boolean(c.attn_mask) && Array.isArray(c.attn_mask[0][0]);

  /* What attn_mask is: 'none', 'causal' (the bool L×S causal mask), 'bool'
   * (any other bool mask) or 'float'. */
  function maskMode(c) {
    const m = c.attn_mask;
    if (!m) return 'none';
    const first = perHeadMask(c) ? m[0] : m;
    if (typeof first[0][0] !== 'boolean') return 'float';
    const causal = !perHeadMask(c) && first.every((row, i) => row.every((x, j) => x === j > i));
    return causal ? 'causal' : 'bool';
  }

  /* attn_mask's kinds, as maskMode names them (the mask control's, a link's attn_mask=causal) */
  const MASK_KINDS = ['none', 'causal', 'bool', 'float'];

  /* The case with attn_mask of the kind asked for; the current mask's cells
   * are kept where the kinds allow it (bool true becomes −∞ as a float). */
  function withMaskMode(c, mode) {
    const out = { ...c };
    const L = c.query.length, S = c.key ? c.key.length : L;
    const current = c.attn_mask && (perHeadMask(c) ? c.attn_mask[0] : c.attn_mask);
    const isBool = current && typeof current[0][0] === 'boolean';
    if (mode === 'none') delete out.attn_mask;
    else if (mode === 'causal') out.attn_mask = causalMask(L, S);
    else if (mode === 'bool') out.attn_mask = isBool ? copy(current) : matrix(L, S, () => false);
    else if (mode === 'float') out.attn_mask = current ? current.map((r) => r.map((x) => (isBool ? (x ? '-Infinity' : 0) : x))) : matrix(L, S, () => 0);
    else throw fault('attn_mask', 'err.maskKind', { mode });
    return out;
  }

  /* The case with a bool key_padding_mask (nothing padded) or none. */
  function withPadding(c, on) {
    const out = { ...c };
    if (on) out.key_padding_mask = c.key_padding_mask ?? new Array(c.key ? c.key.length : c.query.length).fill(false);
    else delete out.key_padding_mask;
    return out;
  }

  /* The case with option `key` set to value, as the page's controls set it.
   * A size past the page's limits is refused before anything is made. */
  function withOption(c, key, value) {
    const limit = LIMITS[key];
    if (limit && value > limit) throw fault(key, 'err.upTo', { key, limit });
    switch (key) {
      case 'embed_dim': return withEmbedDim(c, value);
      case 'num_heads': return withHeads(c, value);
      case 'bias': case 'add_bias_kv': case 'add_zero_attn': case 'average_attn_weights': return withFlag(c, key, value);
      case 'attn_mask': return withMaskMode(c, value);
      case 'key_padding_mask': return withPadding(c, value);
      default: return { ...c, [key]: value };
    }
  }

  /* ---- what the page can show ---- */

  /* Throws a CaseError when the page cannot show c: the format's checks,
   * then the page's own limits. Returns what AttnCase.parseCase made of it. */
  function check(c) {
    const parsed = Case.parseCase(c);
    const { tgt_len: L, src_len: S, embed_dim: E, num_heads: H } = parsed.config;
    if (L > LIMITS.tokens || S > LIMITS.tokens) throw fault('query', 'err.bigTokens', { n: LIMITS.tokens, count: Math.max(L, S) });
    if (E > LIMITS.embed_dim) throw fault('embed_dim', 'err.bigE', { n: LIMITS.embed_dim, count: E });
    if (H > LIMITS.num_heads) throw fault('num_heads', 'err.bigH', { n: LIMITS.num_heads, count: H });
    if (!parsed.tokens) throw fault('tokens', 'err.needTokens');
    for (const t of parsed.tokens.query.concat(parsed.tokens.key || []))
      if (t.length > LIMITS.tokenLength) throw fault('tokens', 'err.tokenLength', { n: LIMITS.tokenLength });
    return parsed;
  }

  const api = {
    LIMITS, EXAMPLES, DEFAULT_EXAMPLE, addTrained, lectureCase, exampleOf, exampleCase, seededRandom, standardNormal, round2, copy, embedDim, weightShapes,
    randomWeights, pytorchInit, withEmbedDim, withTokenAdded, withTokenRemoved, withTokens, withHeads, withFlag,
    causalMask, MASK_KINDS, maskMode, withMaskMode, withPadding, withOption, isSelfAttention, queryTokens, check, wordsOf,
  };
  if (isNode) module.exports = api;
  else root.AttnCases = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
