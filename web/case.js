/* case.js: reads and checks a case (the JSON format of README.md) into the
 * core's configuration and flat float32 inputs, and writes stages back as
 * JSON. Every error names the key, and the index, that is wrong.
 *
 * A classic script: a global AttnCase in a page, module.exports in Node. */
(function (root) {
  'use strict';

  /* Keys a case may hold. dropout, batch_first and need_weights are accepted
   * so that a module's arguments can be pasted whole; in eval mode on one
   * unbatched sequence, with every stage computed, they change nothing. A key
   * whose value is null counts as absent (Python's None). */
  const OPTION_KEYS = ['embed_dim', 'num_heads', 'bias', 'add_bias_kv', 'add_zero_attn',
    'kdim', 'vdim', 'average_attn_weights', 'dropout', 'batch_first', 'need_weights'];
  const INPUT_KEYS = ['query', 'key', 'value', 'in_proj_weight', 'q_proj_weight', 'k_proj_weight',
    'v_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias',
    'attn_mask', 'key_padding_mask'];
  /* dL/d output, attn_weights and weights, for the backward pass (the CLI
   * runs it when a case has any of them) */
  const GRAD_KEYS = ['grad_output', 'grad_attn_weights', 'grad_weights'];
  const KNOWN_KEYS = [...OPTION_KEYS, ...INPUT_KEYS, 'tokens', ...GRAD_KEYS];
  const STAGE_NAMES = ['q', 'k', 'v', 'q_scaled', 'scores', 'weights', 'attn_weights', 'context', 'output'];

  const MASK = { none: 0, bool: 1, float: 2 }; /* the core's ATTN_MASK_* */
  const FLOAT32_MAX = 3.4028234663852886e38;

  /* PyTorch 2's own warning (F._canonical_mask) when the two masks' types
   * differ; the masks still merge (README.md). */
  const MISMATCHED_MASKS = 'Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for both instead.';
  const NO_WARNINGS = Object.freeze([]);
  const MISMATCHED = Object.freeze([MISMATCHED_MASKS]);

  /* The warnings PyTorch 2 gives for a configuration (attn_config's fields),
   * as an array of strings: empty, or the mismatched-masks one. */
  function warningsFor(config) {
    const a = config.attn_mask_kind, p = config.key_padding_mask_kind;
    return a && p && a !== p ? MISMATCHED : NO_WARNINGS;
  }

  class CaseError extends Error {
    /* key: the top-level key at fault ('' for the case as a whole) */
    constructor(key, message) {
      super(message);
      this.name = 'CaseError';
      this.key = key;
    }
  }

  function describe(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'an array';
    if (typeof value === 'string') return JSON.stringify(value.length > 20 ? value.slice(0, 20) + '…' : value);
    if (typeof value === 'object') return 'an object';
    return String(value);
  }

  /* A JSON number, or one of the strings that stand for non-finite numbers. */
  function readNumber(key, path, value) {
    if (typeof value === 'number') {
      if (Math.abs(value) > FLOAT32_MAX && Number.isFinite(value))
        throw new CaseError(key, `${path}: ${value} is beyond float32's range (±3.4e38)`);
      return value;
    }
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    throw new CaseError(key, `${path}: expected a number, got ${describe(value)}`);
  }

  /* The shape of a nested array, checking that it is rectangular. A typed
   * { shape, data } value (what forward() returns) is taken as it is. */
  function shapeOf(key, value) {
    if (value && !Array.isArray(value) && ArrayBuffer.isView(value.data) && Array.isArray(value.shape)) {
      const count = value.shape.reduce((n, d) => n * d, 1);
      if (value.data.length !== count)
        throw new CaseError(key, `${key}: shape [${value.shape}] holds ${count} numbers but data has ${value.data.length}`);
      return value.shape;
    }
    if (!Array.isArray(value)) throw new CaseError(key, `${key}: expected an array, got ${describe(value)}`);
    const shape = [];
    for (let level = value; Array.isArray(level); level = level[0]) {
      if (level.length === 0) throw new CaseError(key, `${key}: an empty array has no shape`);
      shape.push(level.length);
    }
    return shape;
  }

  /* Flattens value, whose shape must be `want` (numbers, or null for "any"),
   * into a Float32Array; cell() reads one leaf (a number by default). */
  function readTensor(key, value, want, what, cell = readNumber) {
    const got = shapeOf(key, value);
    const fits = got.length === want.length && want.every((d, i) => d === null || d === got[i]);
    if (!fits)
      throw new CaseError(key, `${key}: expected ${what} = ${want.map((d) => d ?? '?').join('×')}, got ${got.join('×')}`);
    if (!Array.isArray(value)) /* typed: no copy when it is float32 already */
      return { shape: got, data: value.data instanceof Float32Array ? value.data : Float32Array.from(value.data) };
    const data = new Float32Array(got.reduce((n, d) => n * d, 1));
    let at = 0;
    const walk = (node, depth, path) => {
      if (!Array.isArray(node) || node.length !== got[depth])
        throw new CaseError(key, `${path}: expected ${got[depth]} entries like its neighbours, got ${describe(node)}${Array.isArray(node) ? ` of ${node.length}` : ''}`);
      for (let i = 0; i < node.length; i++) {
        const x = node[i];
        if (depth + 1 < got.length) walk(x, depth + 1, `${path}[${i}]`);
        /* the common case, a plain number, without building its path */
        else if (cell === readNumber && typeof x === 'number' && !(Math.abs(x) > FLOAT32_MAX)) data[at++] = x;
        else data[at++] = cell(key, `${path}[${i}]`, x);
      }
    };
    walk(value, 0, key);
    return { shape: got, data };
  }

  /* Mask cells: all booleans (bool mask) or all numbers (float mask). */
  function readMask(key, value, want, what) {
    let kind = null;
    const cell = (k, path, v) => {
      const cellKind = typeof v === 'boolean' ? 'bool' : 'float';
      if (kind && cellKind !== kind)
        throw new CaseError(key, `${path}: ${key} mixes booleans and numbers; use all booleans (true = masked) or all numbers (added to the scores)`);
      kind = cellKind;
      return typeof v === 'boolean' ? (v ? 1 : 0) : readNumber(k, path, v);
    };
    const tensor = readTensor(key, value, want, what, cell);
    if (!Array.isArray(value)) kind = value.dtype === 'bool' || value.data instanceof Uint8Array ? 'bool' : 'float';
    return { ...tensor, kind: MASK[kind] };
  }

  function readInteger(key, value) {
    if (!Number.isInteger(value) || value < 1)
      throw new CaseError(key, `${key}: expected a positive integer, got ${describe(value)}`);
    return value;
  }

  function readBoolean(key, value) {
    if (typeof value !== 'boolean') throw new CaseError(key, `${key}: expected true or false, got ${describe(value)}`);
    return value;
  }

  function readTokens(value, L, S, selfAttention) {
    const list = (key, v, n, what) => {
      if (!Array.isArray(v) || v.some((t) => typeof t !== 'string'))
        throw new CaseError('tokens', `${key}: expected an array of strings`);
      if (v.length !== n) throw new CaseError('tokens', `${key}: expected ${n} labels (${what}), got ${v.length}`);
      return v.slice();
    };
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const k of Object.keys(value))
        if (k !== 'query' && k !== 'key') throw new CaseError('tokens', `tokens: unknown key "${k}" (expected "query" and "key")`);
      return { query: list('tokens.query', value.query, L, 'L'), key: list('tokens.key', value.key, S, 'S') };
    }
    const labels = list('tokens', value, L, 'one per query row');
    return { query: labels, key: selfAttention ? labels : null }; /* other keys are not these words */
  }

  /* The shapes of what backward() takes: dL/d output, attn_weights and
   * weights, as [shape, what] under the stage names. */
  function gradientShapes(config) {
    const { embed_dim: E, num_heads: H, tgt_len: L } = config;
    const S2 = config.src_len + config.add_bias_kv + config.add_zero_attn;
    return {
      output: [[L, E], 'L×E, the shape of output'],
      attn_weights: config.average_attn_weights ? [[L, S2], 'L×S\', the shape of attn_weights (the mean over heads)']
        : [[H, L, S2], 'H×L×S\', the shape of attn_weights (per head)'],
      weights: [[H, L, S2], 'H×L×S\', the shape of weights'],
    };
  }

  /* dL/d output, attn_weights and weights for backward(): given holds any of
   * them (nested arrays or { shape, data }) under `${prefix}${stage}`;
   * returns { stage: { shape, data: Float32Array } } for those given.
   * Anything else in given is an error when prefix is '' (backward()'s own
   * argument); in a case, parseCase checks the keys. */
  function readGradients(given, config, prefix = '') {
    if (!given || typeof given !== 'object' || Array.isArray(given))
      throw new CaseError('', `the gradients must be an object like { output: … }, got ${describe(given)}`);
    const shapes = gradientShapes(config);
    if (!prefix)
      for (const key of Object.keys(given))
        if (!(key in shapes)) throw new CaseError(key, `unknown gradient "${key}"; backward takes ${Object.keys(shapes).join(', ')}`);
    const grads = {};
    for (const [stage, [shape, what]] of Object.entries(shapes)) {
      const key = prefix + stage, value = given[key];
      if (value !== undefined && value !== null) grads[stage] = readTensor(key, value, shape, what);
    }
    return grads;
  }

  /* Reads a case. Returns { config, inputs, tokens, warnings, grads }: config
   * as the core's attn_config fields, inputs as { name: Float32Array } for the
   * inputs this configuration uses, tokens as { query, key } label arrays (or
   * null), warnings as warningsFor(config) gives them, grads as
   * readGradients() gives the case's grad_* keys (null when it has none). */
  function parseCase(c) {
    if (!c || typeof c !== 'object' || Array.isArray(c))
      throw new CaseError('', `a case must be a JSON object, got ${describe(c)}`);
    for (const key of Object.keys(c))
      if (!KNOWN_KEYS.includes(key)) throw new CaseError(key, `unknown key "${key}"; a case holds: ${KNOWN_KEYS.join(', ')}`);
    const has = (key) => c[key] !== undefined && c[key] !== null;
    const missing = (key, why) => new CaseError(key, `missing ${key} (${why})`);

    for (const key of ['bias', 'add_bias_kv', 'add_zero_attn', 'average_attn_weights', 'batch_first', 'need_weights'])
      if (has(key)) readBoolean(key, c[key]);
    if (has('dropout') && !(typeof c.dropout === 'number' && c.dropout >= 0 && c.dropout <= 1))
      throw new CaseError('dropout', `dropout: expected a number from 0 to 1, got ${describe(c.dropout)}`);
    if (!has('num_heads')) throw missing('num_heads', 'a positive integer that divides embed_dim');
    const H = readInteger('num_heads', c.num_heads);
    if (!has('query')) throw missing('query', 'the L×E embeddings');
    const queryShape = shapeOf('query', c.query);
    const E = has('embed_dim') ? readInteger('embed_dim', c.embed_dim) : queryShape[1];
    if (!Number.isInteger(E)) throw new CaseError('query', `query: expected L×E = ?×embed_dim, got ${queryShape.join('×')}`);
    if (E % H !== 0) throw new CaseError('num_heads', `embed_dim ${E} is not divisible by num_heads ${H}`);

    const inputs = {};
    const query = readTensor('query', c.query, [null, E], 'L×E (embed_dim)');
    inputs.query = query.data;
    const L = query.shape[0];
    /* key and value default to query: self-attention */
    const kdim = has('kdim') ? readInteger('kdim', c.kdim) : has('key') ? shapeOf('key', c.key)[1] : E;
    const vdim = has('vdim') ? readInteger('vdim', c.vdim) : has('value') ? shapeOf('value', c.value)[1] : E;
    if (!has('key') && kdim !== E) throw missing('key', `kdim ${kdim} differs from embed_dim, so key cannot default to query`);
    if (!has('value') && vdim !== E) throw missing('value', `vdim ${vdim} differs from embed_dim, so value cannot default to query`);
    const key = has('key') ? readTensor('key', c.key, [null, kdim], 'S×kdim') : query;
    const S = key.shape[0];
    if (!has('value') && S !== L) throw missing('value', `key has ${S} rows, so value cannot default to query's ${L}`);
    const value = has('value') ? readTensor('value', c.value, [S, vdim], 'S×vdim (as many rows as key)') : query;
    inputs.key = key.data;
    inputs.value = value.data;

    const weight = (name, shape, what) => {
      if (!has(name)) throw missing(name, what);
      inputs[name] = readTensor(name, c[name], shape, what).data;
    };
    const packed = kdim === E && vdim === E;
    if (packed) {
      for (const name of ['q_proj_weight', 'k_proj_weight', 'v_proj_weight'])
        if (has(name)) throw new CaseError(name, `${name}: not used when kdim = vdim = embed_dim; give in_proj_weight (rows W_q, W_k, W_v) instead`);
      weight('in_proj_weight', [3 * E, E], '3E×E, rows W_q, W_k, W_v');
    } else {
      if (has('in_proj_weight')) throw new CaseError('in_proj_weight', `in_proj_weight: not used when kdim or vdim differs from embed_dim; give q_proj_weight, k_proj_weight and v_proj_weight instead`);
      weight('q_proj_weight', [E, E], 'E×E');
      weight('k_proj_weight', [E, kdim], 'E×kdim');
      weight('v_proj_weight', [E, vdim], 'E×vdim');
    }
    weight('out_proj.weight', [E, E], 'E×E');

    /* bias and add_bias_kv default to whether their vectors are given */
    const bias = has('bias') ? c.bias : has('in_proj_bias') || has('out_proj.bias');
    const biasKV = has('add_bias_kv') ? c.add_bias_kv : has('bias_k') || has('bias_v');
    const vector = (name, n, what, on, flag) => {
      if (!on) {
        if (has(name)) throw new CaseError(name, `${name}: given, but ${flag} is false`);
        return;
      }
      if (!has(name)) throw missing(name, `${what}, needed because ${flag} is true`);
      let v = c[name];
      while (Array.isArray(v) && v.length === 1 && Array.isArray(v[0])) v = v[0]; /* PyTorch's 1×1×E bias_k */
      inputs[name] = readTensor(name, v, [n], what).data;
    };
    vector('in_proj_bias', 3 * E, '3E: b_q, b_k, b_v', bias, 'bias');
    vector('out_proj.bias', E, 'E', bias, 'bias');
    vector('bias_k', E, 'E', biasKV, 'add_bias_kv');
    vector('bias_v', E, 'E', biasKV, 'add_bias_kv');

    let attnMaskKind = MASK.none, perHead = 0, paddingKind = MASK.none;
    if (has('attn_mask')) {
      const rank = shapeOf('attn_mask', c.attn_mask).length;
      const mask = rank === 3 ? readMask('attn_mask', c.attn_mask, [H, L, S], 'H×L×S (num_heads × query rows × key rows)')
        : readMask('attn_mask', c.attn_mask, [L, S], 'L×S (query rows × key rows)');
      inputs.attn_mask = mask.data;
      attnMaskKind = mask.kind;
      perHead = rank === 3 ? 1 : 0;
    }
    if (has('key_padding_mask')) {
      const mask = readMask('key_padding_mask', c.key_padding_mask, [S], 'S (one per key row)');
      inputs.key_padding_mask = mask.data;
      paddingKind = mask.kind;
    }

    const config = {
      embed_dim: E, num_heads: H, kdim, vdim, tgt_len: L, src_len: S,
      bias: bias ? 1 : 0, add_bias_kv: biasKV ? 1 : 0, add_zero_attn: c.add_zero_attn ? 1 : 0,
      average_attn_weights: c.average_attn_weights === false ? 0 : 1,
      attn_mask_kind: attnMaskKind, attn_mask_per_head: perHead, key_padding_mask_kind: paddingKind,
    };
    const tokens = has('tokens') ? readTokens(c.tokens, L, S, !has('key')) : null;
    const grads = GRAD_KEYS.some(has) ? readGradients(c, config, 'grad_') : null;
    return { config, inputs, tokens, warnings: warningsFor(config), grads };
  }

  /* ---- writing stages as JSON ---- */

  /* A float32 as the shortest decimal that reads back to it, or the string
   * for a non-finite value. */
  function jsonNumber(x) {
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return 'Infinity';
    if (x === -Infinity) return '-Infinity';
    for (let digits = 6; digits < 9; digits++) {
      const short = Number(x.toPrecision(digits));
      if (Math.fround(short) === x) return short;
    }
    return Number(x.toPrecision(9));
  }

  /* Flat data (any array-like) of the given shape as nested arrays, each
   * value through cell: JSON numbers unless told otherwise. */
  function nest(data, shape, cell = jsonNumber) {
    const build = (offset, depth) => {
      const n = shape[depth];
      if (depth === shape.length - 1) return Array.from({ length: n }, (_, i) => cell(data[offset + i]));
      const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: n }, (_, i) => build(offset + i * stride, depth + 1));
    };
    return build(0, 0);
  }

  /* { stage: { shape, data } } as JSON text, one stage a line; then, given
   * what backward() returned, one line a gradient keyed "grad.<name>", the
   * inputs' first, then the stages'. */
  function stagesToJSON(stages, grads = null) {
    const line = (key, { data, shape }) => `  ${JSON.stringify(key)}: ${JSON.stringify(nest(data, shape))}`;
    const lines = STAGE_NAMES.map((name) => line(name, stages[name]));
    if (grads) for (const name of [...INPUT_KEYS, ...STAGE_NAMES]) if (grads[name]) lines.push(line(`grad.${name}`, grads[name]));
    return `{\n${lines.join(',\n')}\n}`;
  }

  /* JSON text as a value, with an error that says where it is malformed. */
  function parseJSON(text, source = 'input') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new CaseError('', `${source}: malformed JSON: ${e.message}`);
    }
  }

  const api = { parseCase, parseJSON, readGradients, nest, jsonNumber, stagesToJSON, describe, warningsFor, CaseError, STAGE_NAMES, INPUT_KEYS, OPTION_KEYS, GRAD_KEYS, MASK, FLOAT32_MAX };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.AttnCase = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
