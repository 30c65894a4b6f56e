/* state.js: the page's state and everything that makes or changes it.
 *
 * The state is { case, view }: `case` is a case in the JSON format the CLI
 * reads (README.md), tokens included; `view` holds what is only about the
 * display (theme, focused stage, controls, walk-through step). One schema
 * drives the URL hash, the controls and the widget's attributes, so a link
 * reproduces the view exactly.
 *
 * A classic script: the global AttnState (needs AttnCase, AttnFormat). */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../case.js') : root.AttnCase;
  const Format = isNode ? require('./format.js') : root.AttnFormat;

  /* What the page will show; past these it says so and keeps the last state. */
  const LIMITS = { tokens: 32, embed_dim: 64, num_heads: 16, hashLength: 200000, tokenLength: 40 };

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

  /* mulberry32: small, seeded, so presets are the same on every machine. */
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

  const round2 = (x) => Math.round(x * 100) / 100 || 0; /* short numbers to read, no -0 */
  const uniform = (random, bound) => (random() * 2 - 1) * bound;
  const matrix = (rows, cols, cell) => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => cell(i, j)));
  const vector = (n, cell) => Array.from({ length: n }, (_, i) => cell(i));

  /* ---- presets ---- */

  function sentenceCase(words, E, H, seed) {
    const random = seededRandom(seed);
    const c = {
      embed_dim: E, num_heads: H, bias: true, add_bias_kv: false, add_zero_attn: false, average_attn_weights: true,
      tokens: words, query: matrix(words.length, E, () => round2(uniform(random, 1))),
    };
    return randomWeights(c, random);
  }

  const PRESETS = {
    lecture: { label: 'I am good (the lecture)', make: lectureCase },
    sentence: {
      label: '8 tokens, E = 16, 2 heads',
      make: () => sentenceCase('the cat sat on the mat because it'.split(' '), 16, 2, 8),
    },
    paragraph: {
      label: '16 tokens, E = 32, 4 heads',
      make: () => sentenceCase('attention lets every word look at every other word and decide how much each one matters'.split(' ').slice(0, 16), 32, 4, 16),
    },
  };

  /* ---- weights ---- */

  /* E of a case, which may leave it to query's width. */
  const embedDim = (c) => c.embed_dim ?? c.query[0].length;

  /* Names of the weights of a case, with their shapes: [rows, cols] or [n]. */
  function weightShapes(c) {
    const E = embedDim(c), kdim = c.kdim ?? E, vdim = c.vdim ?? E;
    const shapes = {};
    if (kdim === E && vdim === E) shapes.in_proj_weight = [3 * E, E];
    else Object.assign(shapes, { q_proj_weight: [E, E], k_proj_weight: [E, kdim], v_proj_weight: [E, vdim] });
    if (c.bias !== false) shapes.in_proj_bias = [3 * E];
    if (c.add_bias_kv) Object.assign(shapes, { bias_k: [E], bias_v: [E] });
    shapes['out_proj.weight'] = [E, E];
    if (c.bias !== false) shapes['out_proj.bias'] = [E];
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
    const normal = (std) => () => f(std * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
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

  /* The case with a token inserted at `at` (a new query row, and key and
   * mask entries in self-attention). */
  function withTokenAdded(c, at, label, random = Math.random) {
    if (!isSelfAttention(c)) throw new Error('tokens can be added only in self-attention');
    const out = { ...c, tokens: [...c.tokens], query: c.query.map((r) => r.slice()) };
    out.tokens.splice(at, 0, label);
    out.query.splice(at, 0, vector(embedDim(c), () => round2(uniform(random, 1))));
    const off = (m) => (typeof m.flat(Infinity)[0] === 'boolean' ? false : 0);
    const grow2d = (m) => {
      const rows = m.map((r) => { const n = r.slice(); n.splice(at, 0, off(m)); return n; });
      rows.splice(at, 0, vector(rows[0].length, () => off(m)));
      return rows;
    };
    if (c.attn_mask) out.attn_mask = Array.isArray(c.attn_mask[0][0]) ? c.attn_mask.map(grow2d) : grow2d(c.attn_mask);
    if (c.key_padding_mask) { out.key_padding_mask = c.key_padding_mask.slice(); out.key_padding_mask.splice(at, 0, off([c.key_padding_mask])); }
    return out;
  }

  function withTokenRemoved(c, at) {
    if (!isSelfAttention(c)) throw new Error('tokens can be removed only in self-attention');
    if (c.query.length <= 1) throw new Error('at least one token is needed');
    const drop = (list) => list.filter((_, i) => i !== at);
    const shrink2d = (m) => drop(m).map(drop);
    const out = { ...c, tokens: drop(c.tokens), query: drop(c.query) };
    if (c.attn_mask) out.attn_mask = Array.isArray(c.attn_mask[0][0]) ? c.attn_mask.map(shrink2d) : shrink2d(c.attn_mask);
    if (c.key_padding_mask) out.key_padding_mask = drop(c.key_padding_mask);
    return out;
  }

  /* num_heads H; a per-head mask keeps its first heads (or repeats the last). */
  function withHeads(c, H) {
    const out = { ...c, num_heads: H };
    if (c.attn_mask && Array.isArray(c.attn_mask[0][0]))
      out.attn_mask = vector(H, (h) => JSON.parse(JSON.stringify(c.attn_mask[Math.min(h, c.attn_mask.length - 1)])));
    return out;
  }

  /* bias on/off, add_bias_kv on/off: the vectors appear (zero) or go. */
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

  /* L×S, true where key j comes after query i: no looking ahead. */
  function causalMask(L, S = L) {
    return matrix(L, S, (i, j) => j > i);
  }

  /* ---- the URL hash ---- */

  const VIEW_KEYS = { theme: ['auto', 'light', 'dark'], controls: ['full', 'compact', 'none'] };
  const FLAGS = ['bias', 'add_bias_kv', 'add_zero_attn', 'average_attn_weights', 'batch_first', 'need_weights'];
  const INTEGERS = ['embed_dim', 'num_heads', 'kdim', 'vdim'];

  /* Nested arrays as text: "," between numbers, ";" between rows, "|"
   * between heads; booleans as T and F. */
  function encodeTensor(value) {
    const cell = (x) => (typeof x === 'boolean' ? (x ? 'T' : 'F') : typeof x === 'string' ? x : Format.dataText(x));
    if (!Array.isArray(value[0])) return value.map(cell).join(',');
    if (!Array.isArray(value[0][0])) return value.map((row) => row.map(cell).join(',')).join(';');
    return value.map(encodeTensor).join('|');
  }

  const VECTOR_KEYS = ['in_proj_bias', 'out_proj.bias', 'bias_k', 'bias_v', 'key_padding_mask'];

  function decodeTensor(key, text) {
    const cell = (t) => {
      if (t === 'T' || t === 'F') return t === 'T';
      if (t === 'NaN' || t === 'Infinity' || t === '-Infinity') return t;
      const x = Number(t);
      if (t === '' || !Number.isFinite(x)) throw new Case.CaseError(key, `${key}: "${t.slice(0, 12)}" in the link is not a number`);
      return x;
    };
    const vectorOf = (t) => t.split(',').map(cell);
    const matrixOf = (t) => t.split(';').map(vectorOf);
    if (VECTOR_KEYS.includes(key)) return vectorOf(text);
    return text.includes('|') ? text.split('|').map(matrixOf) : matrixOf(text);
  }

  function encodeHash({ case: c, view = {} }) {
    const parts = ['v=1'];
    const tokens = c.tokens && (Array.isArray(c.tokens) ? c.tokens : c.tokens.query);
    if (tokens) parts.push('tokens=' + tokens.map(encodeURIComponent).join(','));
    if (c.tokens && c.tokens.key) parts.push('key_tokens=' + c.tokens.key.map(encodeURIComponent).join(','));
    const given = (key) => c[key] !== undefined && c[key] !== null; /* null: absent, as in a case */
    for (const key of Case.OPTION_KEYS) if (given(key)) parts.push(`${key}=${typeof c[key] === 'boolean' ? +c[key] : c[key]}`);
    for (const key of Case.INPUT_KEYS) if (given(key)) parts.push(`${key}=${encodeTensor(c[key])}`);
    for (const key of Object.keys(VIEW_KEYS)) if (view[key] && view[key] !== VIEW_KEYS[key][0]) parts.push(`${key}=${view[key]}`);
    if (view.stage) parts.push(`stage=${encodeURIComponent(view.stage)}`);
    if (view.step !== undefined && view.step !== null) parts.push(`step=${view.step}`);
    return '#' + parts.join('&');
  }

  /* The state in a hash, checked as the core would check it; throws a
   * CaseError naming what is wrong. */
  function decodeHash(hash) {
    const text = hash.replace(/^#/, '');
    if (text.length > LIMITS.hashLength) throw new Case.CaseError('', `the link is ${text.length} characters long, past the ${LIMITS.hashLength} a state can take`);
    const c = {}, view = {};
    let tokens = null, keyTokens = null, version = null;
    for (const part of text.split('&')) {
      const eq = part.indexOf('=');
      if (eq < 0) throw new Case.CaseError('', `"${part.slice(0, 20)}" in the link is not key=value`);
      const key = part.slice(0, eq), value = part.slice(eq + 1);
      let decoded;
      try { decoded = decodeURIComponent(value); } catch { throw new Case.CaseError(key, `${key}: badly escaped`); }
      if (key === 'v') version = value;
      else if (key === 'tokens') tokens = value.split(',').map(decodeURIComponent);
      else if (key === 'key_tokens') keyTokens = value.split(',').map(decodeURIComponent);
      else if (FLAGS.includes(key)) {
        if (value !== '0' && value !== '1') throw new Case.CaseError(key, `${key}: expected 0 or 1`);
        c[key] = value === '1';
      } else if (INTEGERS.includes(key)) {
        if (!/^\d{1,6}$/.test(value)) throw new Case.CaseError(key, `${key}: expected a whole number`);
        c[key] = Number(value);
      } else if (key === 'dropout') c.dropout = Number(value);
      else if (Case.INPUT_KEYS.includes(key)) c[key] = decodeTensor(key, value);
      else if (VIEW_KEYS[key]) {
        if (!VIEW_KEYS[key].includes(value)) throw new Case.CaseError(key, `${key}: expected one of ${VIEW_KEYS[key].join(', ')}`);
        view[key] = value;
      } else if (key === 'stage') view.stage = decoded;
      else if (key === 'step') view.step = Number(value) | 0;
      else throw new Case.CaseError(key, `unknown key "${key.slice(0, 30)}" in the link`);
    }
    if (version !== '1') throw new Case.CaseError('v', version === null ? 'the link has no state version (v=1)' : `state version ${version} is not known`);
    if (tokens) c.tokens = keyTokens ? { query: tokens, key: keyTokens } : tokens;
    check(c);
    return { case: c, view };
  }

  /* Throws a CaseError when the page cannot show c: the core's checks, then
   * the page's own limits. Returns what AttnCase.parseCase made of it. */
  function check(c) {
    const parsed = Case.parseCase(c);
    const { tgt_len: L, src_len: S, embed_dim: E, num_heads: H } = parsed.config;
    if (L > LIMITS.tokens || S > LIMITS.tokens) throw new Case.CaseError('query', `the page shows at most ${LIMITS.tokens} tokens, this has ${Math.max(L, S)}; the CLI takes any size`);
    if (E > LIMITS.embed_dim) throw new Case.CaseError('embed_dim', `the page shows embed_dim up to ${LIMITS.embed_dim}, this has ${E}; the CLI takes any size`);
    if (H > LIMITS.num_heads) throw new Case.CaseError('num_heads', `the page shows at most ${LIMITS.num_heads} heads, this has ${H}`);
    if (!parsed.tokens) throw new Case.CaseError('tokens', 'the page needs tokens: one label per query row');
    for (const t of parsed.tokens.query.concat(parsed.tokens.key || []))
      if (t.length > LIMITS.tokenLength) throw new Case.CaseError('tokens', `a token may have at most ${LIMITS.tokenLength} characters`);
    return parsed;
  }

  /* The preset a case is exactly (compared as links: one order of keys), or
   * 'custom'. The presets' links are made once. */
  let presetLinks = null;
  function presetOf(c) {
    presetLinks = presetLinks || Object.entries(PRESETS).map(([name, p]) => [name, encodeHash({ case: p.make() })]);
    const link = encodeHash({ case: c });
    return (presetLinks.find(([, l]) => l === link) || ['custom'])[0];
  }

  const api = {
    LIMITS, PRESETS, VIEW_KEYS, embedDim, lectureCase, seededRandom, round2, randomWeights, pytorchInit,
    withEmbedDim, withTokenAdded, withTokenRemoved, withHeads, withFlag, causalMask, isSelfAttention, presetOf,
    encodeHash, decodeHash, check,
  };
  if (isNode) module.exports = api;
  else root.AttnState = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
