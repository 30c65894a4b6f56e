/* case.js: the case format (README.md) as one table of keys, and what reads
 * and writes it: parsing a case into the core's configuration and flat
 * float32 inputs (stopping at the first error, or collecting every one), and
 * the stages back as JSON. Every error names the key, and the index, at fault.
 *
 * The table (KEYS) is the one place the format is written down: the CLI, the
 * page's link, its controls and the state_dict import all read it.
 *
 * Errors are keyed (CaseError: a key of the words' tables and its values,
 * text/text.js), their message the English one.
 *
 * A classic script: a global AttnCase in a page, module.exports in Node.
 * needs: AttnText */
(function (root) {
  'use strict';

  const Text = typeof module === 'object' && module.exports ? require('./page/text/text.js') : root.AttnText;

  const MASK = { none: 0, bool: 1, float: 2 }; /* the core's ATTN_MASK_* */
  const FLOAT32_MAX = 3.4028234663852886e38;
  /* The smallest |x| that float32 rounds to infinity (2^128 − 2^103): below
   * it a number is in float32's range, if only by rounding to FLOAT32_MAX. */
  const FLOAT32_LIMIT = 3.4028235677973366e38;
  const inFloat32Range = (x) => !(Math.abs(x) >= FLOAT32_LIMIT) || !Number.isFinite(x);

  /* Sizes of a case, resolved from its options and its tensors' shapes
   * (dims()): E, H, L, S, kdim, vdim, and the flags that decide which
   * tensors are used: packed (kdim = vdim = E), bias, add_bias_kv. */

  /* Every key a case may hold, in the order a case is written. Fields:
   *   group   'option' (a module argument), 'label' (display only), 'input'
   *           (a forward() argument) or 'param' (a state_dict entry)
   *   group   ... or 'grad' (dL/d a stage, for the backward pass)
   *   type    'int', 'bool', 'number' (options); 'tokens'; 'float' or
   *           'mask' (tensors: nested arrays); 'grad' (shaped as its stage)
   *   shape   a tensor's dims by their names in dims(); `shapes` when it
   *           may have either of two ranks
   *   what    its shape in words, for messages (with words: a phrase of the
   *           tables, { id }, so that a message in Spanish says it in Spanish)
   *   used    (d) => whether this configuration uses it (default: always)
   *   unused  (d) => why it may not be given, when it is not used (a phrase)
   *   control a checkbox on the page (the module's on/off options)
   *   ignored accepted so that a module's arguments paste whole; in eval
   *           mode, on one unbatched sequence, computing every stage, it
   *           changes nothing
   * A key whose value is null counts as absent (Python's None). */
  const KEYS = [
    { key: 'embed_dim', group: 'option', type: 'int', what: 'E; defaults to the width of query' },
    { key: 'num_heads', group: 'option', type: 'int', required: true, what: { id: 'err.w.heads' } },
    { key: 'bias', group: 'option', type: 'bool', control: true },
    { key: 'add_bias_kv', group: 'option', type: 'bool', control: true },
    { key: 'add_zero_attn', group: 'option', type: 'bool', control: true },
    { key: 'kdim', group: 'option', type: 'int' },
    { key: 'vdim', group: 'option', type: 'int' },
    { key: 'average_attn_weights', group: 'option', type: 'bool', control: true },
    { key: 'dropout', group: 'option', type: 'number', ignored: true },
    { key: 'batch_first', group: 'option', type: 'bool', ignored: true },
    { key: 'need_weights', group: 'option', type: 'bool', ignored: true },
    { key: 'tokens', group: 'label', type: 'tokens' },
    { key: 'query', group: 'input', type: 'float', shape: ['L', 'E'], what: 'L×E (embed_dim)' },
    { key: 'key', group: 'input', type: 'float', shape: ['S', 'kdim'], what: 'S×kdim' },
    { key: 'value', group: 'input', type: 'float', shape: ['S', 'vdim'], what: { id: 'err.w.value' } },
    {
      key: 'in_proj_weight', group: 'param', type: 'float', shape: ['3E', 'E'], what: { id: 'err.w.inproj' }, used: (d) => d.packed,
      unused: () => ({ id: 'err.w.packed' }),
    },
    ...['q', 'k', 'v'].map((x) => ({
      key: `${x}_proj_weight`, group: 'param', type: 'float', shape: ['E', { q: 'E', k: 'kdim', v: 'vdim' }[x]],
      what: { q: 'E×E', k: 'E×kdim', v: 'E×vdim' }[x], used: (d) => !d.packed,
      unused: () => ({ id: 'err.w.apart' }),
    })),
    { key: 'in_proj_bias', group: 'param', type: 'float', shape: ['3E'], what: '3E: b_q, b_k, b_v', used: (d) => d.bias, flag: 'bias' },
    { key: 'bias_k', group: 'param', type: 'float', shape: ['E'], what: 'E', used: (d) => d.add_bias_kv, flag: 'add_bias_kv' },
    { key: 'bias_v', group: 'param', type: 'float', shape: ['E'], what: 'E', used: (d) => d.add_bias_kv, flag: 'add_bias_kv' },
    { key: 'out_proj.weight', group: 'param', type: 'float', shape: ['E', 'E'], what: 'E×E' },
    { key: 'out_proj.bias', group: 'param', type: 'float', shape: ['E'], what: 'E', used: (d) => d.bias, flag: 'bias' },
    { key: 'attn_mask', group: 'input', type: 'mask', shapes: [['L', 'S'], ['H', 'L', 'S']], what: { id: 'err.w.mask' } },
    { key: 'key_padding_mask', group: 'input', type: 'mask', shape: ['S'], what: { id: 'err.w.padding' } },
    /* dL/d output, attn_weights and weights, for the backward pass (the CLI
     * runs it when a case has any of them); their shapes: gradientShapes() */
    { key: 'grad_output', group: 'grad', type: 'grad', stage: 'output' },
    { key: 'grad_attn_weights', group: 'grad', type: 'grad', stage: 'attn_weights' },
    { key: 'grad_weights', group: 'grad', type: 'grad', stage: 'weights' },
  ];
  const KEY = Object.assign(Object.create(null), Object.fromEntries(KEYS.map((k) => [k.key, k])));
  for (const k of KEYS) if (k.flag) k.unused = () => ({ id: 'err.w.flag', values: { flag: k.flag } });

  const keysOf = (test) => KEYS.filter(test).map((k) => k.key);
  const OPTION_KEYS = keysOf((k) => k.group === 'option');
  const INPUT_KEYS = keysOf((k) => k.type === 'float' || k.type === 'mask');
  const PARAM_KEYS = keysOf((k) => k.group === 'param');
  const GRAD_KEYS = keysOf((k) => k.group === 'grad');
  const KNOWN_KEYS = KEYS.map((k) => k.key);

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
    /* key: the top-level key at fault ('' for the case as a whole); with
     * values, id is a key of the words' tables (en.js: err.*) and the
     * message its English (Text.message renders it in another language);
     * without, id is the message itself (English only). */
    constructor(key, id, values) {
      super(values ? Text.t('en', id, values) : id);
      this.name = 'CaseError';
      this.key = key;
      if (values) Object.assign(this, { id, values });
    }
  }
  const fault = (key, id, values = {}) => new CaseError(key, id, values);

  /* A value as an error names it: its JSON text (a long string cut short),
   * or a phrase of the tables for an array or an object ({ id }, which a
   * message's values may hold); describe() gives its English. */
  function described(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return { id: 'err.anArray' };
    if (typeof value === 'string') return JSON.stringify(value.length > 20 ? value.slice(0, 20) + '…' : value);
    if (typeof value === 'object') return { id: 'err.anObject' };
    return String(value);
  }
  const describe = (value) => { const v = described(value); return typeof v === 'string' ? v : Text.t('en', v.id); };

  /* A JSON number, or one of the strings that stand for non-finite numbers. */
  function readNumber(key, path, value) {
    if (typeof value === 'number') {
      if (!inFloat32Range(value))
        throw fault(key, 'err.range', { path, value });
      return value;
    }
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    throw fault(key, 'err.number', { path, got: described(value) });
  }

  const isTyped = (value) => value && !Array.isArray(value) && ArrayBuffer.isView(value.data) && Array.isArray(value.shape);

  /* The shape of a nested array, read from its first entries, and checked
   * to be rectangular: a ragged one is an error that says where, not a
   * shape that mismatches. A typed { shape, data } value (what forward()
   * returns) is taken as it is. */
  function shapeOf(key, value) {
    if (isTyped(value)) {
      const count = value.shape.reduce((n, d) => n * d, 1);
      if (value.data.length !== count)
        throw fault(key, 'err.typed', { key, shape: String(value.shape), count, length: value.data.length });
      return value.shape;
    }
    if (!Array.isArray(value)) throw fault(key, 'err.notArray', { key, got: described(value) });
    const shape = [];
    for (let level = value; Array.isArray(level); level = level[0]) {
      if (level.length === 0) throw fault(key, 'err.empty', { key });
      shape.push(level.length);
    }
    const at = []; /* the indices down to the node checked (its path, built only for a message) */
    const check = (node, depth) => { /* (arrays only: the numbers are read later) */
      if (!Array.isArray(node) || node.length !== shape[depth]) {
        const path = key + at.map((i) => `[${i}]`).join('');
        throw fault(key, Array.isArray(node) ? 'err.entriesOf' : 'err.entries', { path, n: shape[depth], got: described(node), count: node?.length });
      }
      if (depth + 1 < shape.length)
        for (at[depth] = 0; at[depth] < node.length; at[depth]++) check(node[at[depth]], depth + 1);
      at.length = depth;
    };
    check(value, 0);
    return shape;
  }

  /* Flattens value, whose shape must be `want` (numbers, or null for "any"),
   * into a Float32Array; cell() reads one leaf (a number by default). */
  function readTensor(key, value, want, what, cell = readNumber) {
    const got = shapeOf(key, value);
    const fits = got.length === want.length && want.every((d, i) => d === null || d === got[i]);
    if (!fits)
      throw fault(key, 'err.shape', { key, what, want: want.map((d) => d ?? '?').join('×'), got: got.join('×') });
    if (!Array.isArray(value)) /* typed: no copy when it is float32 already */
      return { shape: got, data: value.data instanceof Float32Array ? value.data : Float32Array.from(value.data) };
    const data = new Float32Array(got.reduce((n, d) => n * d, 1));
    let at = 0;
    const walk = (node, depth, path) => { /* (rectangular: shapeOf checked) */
      for (let i = 0; i < node.length; i++) {
        const x = node[i];
        if (depth + 1 < got.length) walk(x, depth + 1, `${path}[${i}]`);
        /* the common case, a plain number, without building its path */
        else if (cell === readNumber && typeof x === 'number' && Math.abs(x) < FLOAT32_LIMIT) data[at++] = x;
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
        throw fault(key, 'err.mixes', { path, key });
      kind = cellKind;
      return typeof v === 'boolean' ? (v ? 1 : 0) : readNumber(k, path, v);
    };
    const tensor = readTensor(key, value, want, what, cell);
    if (!Array.isArray(value)) kind = value.dtype === 'bool' || value.data instanceof Uint8Array ? 'bool' : 'float';
    return { ...tensor, kind: MASK[kind] };
  }

  /* An option's value, checked by its type. */
  function readOption(key, value) {
    const type = KEY[key].type;
    if (type === 'int' && !(Number.isInteger(value) && value >= 1))
      throw fault(key, 'err.int', { key, got: described(value) });
    if (type === 'bool' && typeof value !== 'boolean')
      throw fault(key, 'err.bool', { key, got: described(value) });
    if (type === 'number' && !(typeof value === 'number' && value >= 0 && value <= 1))
      throw fault(key, 'err.unit', { key, got: described(value) });
    return value;
  }

  function readTokens(value, L, S, selfAttention) {
    const list = (key, v, n, what) => {
      if (!Array.isArray(v) || v.some((t) => typeof t !== 'string'))
        throw fault('tokens', 'err.strings', { key });
      if (v.length !== n) throw fault('tokens', 'err.labels', { key, n, what, count: v.length });
      return v.slice();
    };
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const k of Object.keys(value))
        if (k !== 'query' && k !== 'key') throw fault('tokens', 'err.tokensKey', { name: k });
      return { query: list('tokens.query', value.query, L, 'L'), key: list('tokens.key', value.key, S, 'S') };
    }
    const labels = list('tokens', value, L, { id: 'err.perQuery' });
    return { query: labels, key: selfAttention ? labels : null }; /* other keys are not these words */
  }

  /* The shapes of what backward() takes: dL/d output, attn_weights and
   * weights, as [shape, what] under the stage names. */
  function gradientShapes(config) {
    const { embed_dim: E, num_heads: H, tgt_len: L } = config;
    const S2 = config.src_len + config.add_bias_kv + config.add_zero_attn;
    return {
      output: [[L, E], { id: 'err.g.output' }],
      attn_weights: config.average_attn_weights ? [[L, S2], { id: 'err.g.mean' }] : [[H, L, S2], { id: 'err.g.heads' }],
      weights: [[H, L, S2], { id: 'err.g.weights' }],
    };
  }

  /* dL/d output, attn_weights and weights for backward(): given holds any of
   * them (nested arrays or { shape, data }) under `${prefix}${stage}`;
   * returns { stage: { shape, data: Float32Array } } for those given.
   * Anything else in given is an error when prefix is '' (backward()'s own
   * argument); in a case, parseCase checks the keys. */
  function readGradients(given, config, prefix = '') {
    if (!given || typeof given !== 'object' || Array.isArray(given))
      throw fault('', 'err.grads', { got: described(given) });
    const shapes = gradientShapes(config);
    if (!prefix)
      for (const key of Object.keys(given))
        if (!(key in shapes)) throw fault(key, 'err.gradKey', { key, keys: Object.keys(shapes).join(', ') });
    const grads = {};
    for (const [stage, [shape, what]] of Object.entries(shapes)) {
      const key = prefix + stage, value = given[key];
      if (value !== undefined && value !== null) grads[stage] = readTensor(key, value, shape, what);
    }
    return grads;
  }

  /* A tensor key's expected shape as numbers, from the dims by name. */
  function expected(shape, d) {
    return shape.map((name) => (name === '3E' ? 3 * d.E : d[name]));
  }

  /* The sizes and flags of a case (see above), from its options and shapes;
   * a size it cannot tell is undefined. Reads only what it needs. */
  function dims(c, option = (key) => c[key]) {
    const has = (key) => c[key] !== undefined && c[key] !== null;
    const shape = (key) => { /* a malformed tensor tells nothing here: parseCase reports it */
      try { return has(key) ? shapeOf(key, c[key]) : []; } catch { return []; }
    };
    const d = { H: option('num_heads') };
    d.E = has('embed_dim') ? option('embed_dim') : shape('query')[1];
    d.L = shape('query')[0];
    d.kdim = has('kdim') ? option('kdim') : has('key') ? shape('key')[1] : d.E;
    d.vdim = has('vdim') ? option('vdim') : has('value') ? shape('value')[1] : d.E;
    d.S = has('key') ? shape('key')[0] : d.L;
    d.packed = d.kdim === d.E && d.vdim === d.E;
    /* the flags default to whether their vectors are given; why: for messages */
    const flag = (name, vectors) => {
      const vector = vectors.find(has);
      d[name] = has(name) ? option(name) : Boolean(vector);
      d.why[name] = has(name) ? { id: 'err.w.true', values: { name } } : { id: 'err.w.given', values: { name: vector } };
    };
    d.why = {};
    flag('bias', ['in_proj_bias', 'out_proj.bias']);
    flag('add_bias_kv', ['bias_k', 'bias_v']);
    return d;
  }

  /* Reads a case. Returns { config, inputs, tokens, warnings, grads }:
   * config as the core's attn_config fields, inputs as { name: Float32Array }
   * for the inputs this configuration uses, tokens as { query, key } label
   * arrays (or null), warnings as warningsFor(config) gives them, grads as
   * readGradients() gives the case's grad_* keys (null when it has none).
   * Throws a CaseError at the first problem; with { collect: true } it goes
   * on past the problems it can, and returns { errors: [CaseError] } with
   * every one instead (then it never throws a CaseError). */
  function parseCase(c, { collect = false } = {}) {
    const errors = [];
    /* runs step; a CaseError is thrown (or, collecting, kept) and the
     * step's answer is `otherwise` */
    const attempt = (step, otherwise) => {
      try {
        return step();
      } catch (e) {
        if (!collect || !(e instanceof CaseError)) throw e;
        if (!errors.some((x) => x.key === e.key && x.message === e.message)) errors.push(e);
        return otherwise;
      }
    };
    const done = (result) => (collect ? (errors.length ? { errors } : result) : result);
    if (!c || typeof c !== 'object' || Array.isArray(c)) {
      attempt(() => { throw fault('', 'err.object', { got: described(c) }); });
      return done(null);
    }
    for (const key of Object.keys(c))
      if (!KEY[key]) attempt(() => { throw fault(key, 'err.unknown', { key, keys: KNOWN_KEYS.join(', ') }); });
    const has = (key) => c[key] !== undefined && c[key] !== null;
    const missing = (key, why) => fault(key, 'err.missing', { key, why });

    const options = {};
    for (const key of OPTION_KEYS) if (has(key)) options[key] = attempt(() => readOption(key, c[key]), null);
    if (!has('num_heads')) attempt(() => { throw missing('num_heads', KEY.num_heads.what); });
    if (!has('query')) attempt(() => { throw missing('query', { id: 'err.w.embeddings' }); });
    const d = dims(c, (key) => options[key] ?? undefined);
    if (has('query') && !Number.isInteger(d.E)) /* not an L×E array, and no embed_dim to say what it should be */
      attempt(() => { throw fault('query', 'err.queryShape', { got: shapeOf('query', c.query).join('×') }); });
    if (!Number.isInteger(d.H) || !Number.isInteger(d.E) || !has('query')) return done(null);
    if (d.E % d.H !== 0) attempt(() => { throw fault('num_heads', 'err.divisible', { E: d.E, H: d.H }); });

    const inputs = {};
    /* key and value default to query: self-attention */
    const defaultToQuery = (key) => {
      const width = key === 'key' ? 'kdim' : 'vdim';
      if (d[width] !== d.E) throw missing(key, { id: 'err.w.width', values: { width, n: d[width], key } });
      if (key === 'value' && d.S !== d.L) throw missing('value', { id: 'err.w.rows', values: { S: d.S, L: d.L } });
      return inputs.query;
    };
    let attnMaskKind = MASK.none, perHead = 0, paddingKind = MASK.none;
    for (const spec of KEYS) {
      if (spec.type !== 'float' && spec.type !== 'mask') continue;
      const { key } = spec;
      const used = spec.used ? spec.used(d) : true;
      if (!used) {
        if (has(key)) attempt(() => { throw fault(key, 'err.unused', { key, why: spec.unused(d) }); });
        continue;
      }
      if (!has(key)) {
        if (key === 'key' || key === 'value') attempt(() => { inputs[key] = defaultToQuery(key); });
        else if (spec.group === 'param') attempt(() => { throw missing(key, spec.flag ? { id: 'err.w.needed', values: { what: spec.what, why: d.why[spec.flag] } } : spec.what); });
        continue;
      }
      attempt(() => {
        if (spec.type === 'mask') {
          const rank = shapeOf(key, c[key]).length;
          const shape = spec.shapes ? spec.shapes.find((s) => s.length === rank) || spec.shapes[0] : spec.shape;
          const what = spec.shapes ? { id: rank === 3 ? 'err.w.mask3' : 'err.w.mask2' } : spec.what;
          const mask = readMask(key, c[key], expected(shape, d), what);
          inputs[key] = mask.data;
          if (key === 'attn_mask') { attnMaskKind = mask.kind; perHead = rank === 3 ? 1 : 0; }
          else paddingKind = mask.kind;
          return;
        }
        let value = c[key];
        if (spec.shape.length === 1) /* PyTorch's 1×1×E bias_k */
          while (Array.isArray(value) && value.length === 1 && Array.isArray(value[0])) value = value[0];
        const want = expected(spec.shape, d);
        if (key === 'query') want[0] = null;
        if (key === 'key') want[0] = null;
        inputs[key] = readTensor(key, value, want, spec.what).data;
      });
    }
    const tokens = has('tokens') ? attempt(() => readTokens(c.tokens, d.L, d.S, !has('key')), null) : null;
    const config = {
      embed_dim: d.E, num_heads: d.H, kdim: d.kdim, vdim: d.vdim, tgt_len: d.L, src_len: d.S,
      bias: d.bias ? 1 : 0, add_bias_kv: d.add_bias_kv ? 1 : 0, add_zero_attn: options.add_zero_attn ? 1 : 0,
      average_attn_weights: options.average_attn_weights === false ? 0 : 1,
      attn_mask_kind: attnMaskKind, attn_mask_per_head: perHead, key_padding_mask_kind: paddingKind,
    };
    const grads = GRAD_KEYS.some(has) ? attempt(() => readGradients(c, config, 'grad_'), null) : null;
    return done({ config, inputs, tokens, warnings: warningsFor(config), grads });
  }

  /* ---- writing stages as JSON ---- */

  /* A float32 as the shortest decimal that reads back to it, or the string
   * for a non-finite value. */
  function jsonNumber(x) {
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return 'Infinity';
    if (x === -Infinity) return '-Infinity';
    for (let digits = 6; digits < 9; digits++) { /* toPrecision(6) already gives the shortest of up to 6 */
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
      if (depth === shape.length - 1) { /* (a plain loop: Array.from with a function is several times slower on 2.4 M numbers) */
        const row = new Array(n);
        for (let i = 0; i < n; i++) row[i] = cell(data[offset + i]);
        return row;
      }
      const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: n }, (_, i) => build(offset + i * stride, depth + 1));
    };
    return build(0, 0);
  }

  /* { stage: { shape, data } } as JSON text, one stage a line, in the order
   * they come (forward() gives them in the order they are computed); then,
   * given what backward() returned, one line a gradient keyed "grad.<name>"
   * in its order (the inputs', then the stages'). */
  function stagesToJSON(stages, grads = null) {
    const line = (key, { data, shape }) => `  ${JSON.stringify(key)}: ${JSON.stringify(nest(data, shape))}`;
    const lines = Object.keys(stages).map((name) => line(name, stages[name]));
    if (grads) for (const name of Object.keys(grads)) lines.push(line(`grad.${name}`, grads[name]));
    return `{\n${lines.join(',\n')}\n}`;
  }

  /* JSON text as a value, with an error that says where it is malformed. */
  function parseJSON(text, source = 'input') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw fault('', 'err.json', { source, error: e.message });
    }
  }

  const api = {
    KEYS, KEY, parseCase, dims, shapeOf, parseJSON, readGradients, nest, jsonNumber, stagesToJSON, describe, described, warningsFor, CaseError,
    INPUT_KEYS, OPTION_KEYS, PARAM_KEYS, GRAD_KEYS, MASK, FLOAT32_MAX, inFloat32Range,
  };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.AttnCase = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
