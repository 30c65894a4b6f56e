/* import.js: a PyTorch module's numbers, pasted, as a case.
 *
 *   importStateDict(text, base) -> { case, notes } | { errors: [{ key, message }] }
 *
 * `text` is one object, as JSON or as Python prints it (single quotes, True,
 * False, None, nan, inf; NaN and Infinity bare, as json.dumps writes them):
 *
 *   1. flat: the state_dict's keys, with any of a case's keys beside them
 *        json.dumps({k: v.tolist() for k, v in mha.state_dict().items()})
 *        {"in_proj_weight": [[...]], ..., "query": [[...]], "num_heads": 2, "tokens": [...]}
 *      A case in the JSON format of README.md is a flat paste already.
 *   2. wrapped: {"state_dict": {...}, "inputs": {...}, "options": {...}, "tokens": [...]}
 *        state_dict: in_proj_weight, q/k/v_proj_weight, in_proj_bias, bias_k, bias_v,
 *                    out_proj.weight, out_proj.bias (PyTorch's shapes: bias_k may be 1×1×E)
 *        inputs:     query, key, value, attn_mask, key_padding_mask (and tokens)
 *        options:    embed_dim, num_heads, bias, add_bias_kv, add_zero_attn, kdim, vdim,
 *                    average_attn_weights, dropout, batch_first (the last two are ignored)
 *      Any part may be left out, and flat keys may stand beside the parts.
 *
 * State_dict keys may carry the path of the module in a bigger model
 * ("encoder.layers.0.self_attn.in_proj_weight"), the same path for all.
 * Inputs may have a batch of one (1×L×E or L×1×E; a 1×S key_padding_mask).
 *
 * What is not pasted:
 *   embed_dim, kdim, vdim, bias, add_bias_kv: from the weights' shapes.
 *   num_heads: from `base` (the page's case) when it divides E, else 1.
 *   query, tokens: `base`'s when its query is ?×E; its key, value, masks and
 *     average_attn_weights come along when they fit (a pasted mask or
 *     tokens replace the page's). A pasted query comes without any of the
 *     page's inputs. Without a query that fits, it is an error.
 *   tokens for a pasted query: "t0", "t1", ...
 *   add_zero_attn: false (a state_dict cannot say).
 * `notes` says which of these happened, for the page to show.
 *
 * Every problem is reported, key by key, as far as they can be told apart:
 * malformed text (with line and column), unknown keys, non-numbers, wrong
 * shapes, what is missing. Never throws.
 *
 * A classic script: the global AttnImport (needs AttnCase). */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../case.js') : root.AttnCase;

  const { FLOAT32_MAX } = Case;
  const PARAMS = ['in_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_bias',
    'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias'];
  const INPUTS = ['query', 'key', 'value', 'attn_mask', 'key_padding_mask'];
  const OPTIONS = Case.OPTION_KEYS; /* embed_dim, num_heads, bias, ... */
  const PARTS = { state_dict: PARAMS, inputs: [...INPUTS, 'tokens'], options: OPTIONS };

  /* ---- reading the text: JSON, or a Python literal ---- */

  class SyntaxProblem extends Error {}

  /* Parses text; returns { value } or { error } with the line and column. */
  function parseText(text) {
    let at = 0;
    const where = (pos) => {
      const before = text.slice(0, pos);
      const line = before.split('\n').length, column = pos - before.lastIndexOf('\n');
      return `line ${line}, column ${column}`;
    };
    const shown = (pos) => (pos >= text.length ? 'the end of the text' : JSON.stringify(text.slice(pos, pos + 12).split('\n')[0] || text[pos]));
    const fail = (what, pos = at) => { throw new SyntaxProblem(`malformed JSON at ${where(pos)}: expected ${what}, found ${shown(pos)}`); };
    const space = () => {
      for (;;) {
        while (at < text.length && /\s/.test(text[at])) at++;
        if (text[at] === '#') { while (at < text.length && text[at] !== '\n') at++; continue; } /* a Python comment */
        return;
      }
    };
    const WORDS = { true: true, True: true, false: false, False: false, null: null, None: null,
      NaN: NaN, nan: NaN, Infinity: Infinity, inf: Infinity };

    function string() {
      const quote = text[at], start = at;
      let out = '';
      at++;
      for (;;) {
        if (at >= text.length) fail(`the closing ${quote} of the string that starts at ${where(start)}`);
        const ch = text[at++];
        if (ch === quote) return out;
        if (ch === '\n') fail(`the closing ${quote} of the string`, at - 1);
        if (ch !== '\\') { out += ch; continue; }
        const e = text[at++];
        const simple = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) out += simple[e];
        else if (e === 'u' || e === 'x') {
          const n = e === 'u' ? 4 : 2, hex = text.slice(at, at + n);
          if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) fail(`${n} hex digits after \\${e}`);
          out += String.fromCharCode(parseInt(hex, 16));
          at += n;
        } else fail('an escape such as \\n, \\" or \\u0041', at - 1);
      }
    }

    function value(depth) {
      if (depth > 64) fail('fewer levels of nesting');
      space();
      const ch = text[at];
      if (ch === '{' || ch === '[') {
        const close = ch === '{' ? '}' : ']', items = ch === '{' ? {} : [], seen = new Set();
        at++;
        for (;;) {
          space();
          if (text[at] === close) { at++; return items; }
          if (ch === '{') {
            if (text[at] !== '"' && text[at] !== "'") fail(`a key in quotes or "}"`);
            const keyAt = at, key = string();
            if (seen.has(key)) throw new SyntaxProblem(`malformed JSON at ${where(keyAt)}: the key ${JSON.stringify(key)} appears twice`);
            seen.add(key);
            space();
            if (text[at] !== ':') fail(`":" after the key ${JSON.stringify(key)}`);
            at++;
            items[key] = value(depth + 1);
          } else items.push(value(depth + 1));
          space();
          if (text[at] === ',') { at++; continue; }
          if (text[at] === close) { at++; return items; }
          fail(`"," or "${close}"`);
        }
      }
      if (ch === '"' || ch === "'") return string();
      const number = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
      if (number) { at += number[0].length; return Number(number[0]); }
      const word = /^-?[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(at, at + 40));
      if (word) {
        const negative = word[0].startsWith('-'), name = negative ? word[0].slice(1) : word[0];
        if (name in WORDS && (!negative || Number.isNaN(WORDS[name]) || WORDS[name] === Infinity)) {
          at += word[0].length;
          return negative ? -WORDS[name] : WORDS[name];
        }
        if (/^(tensor|Parameter|OrderedDict|array)$/.test(name))
          throw new SyntaxProblem(`${name}(...) at ${where(at)}: printed tensors are rounded and cut short; paste the numbers as lists instead, e.g. print(json.dumps({k: v.tolist() for k, v in mha.state_dict().items()}))`);
      }
      fail('a value (a number, a string, true, false, null, [...] or {...})');
      return undefined;
    }

    try {
      const v = value(0);
      space();
      if (at < text.length) fail('the end of the text after the value');
      return { value: v };
    } catch (e) {
      if (e instanceof SyntaxProblem) return { error: e.message };
      throw e;
    }
  }

  /* ---- reading values ---- */

  const describe = Case.describe; /* a value in a few words, as case.js says it */

  /* A nested array of numbers (or booleans where `mask`): { shape, cells,
   * kind: 'float' | 'bool' } or { error }. Cells keep the paste's numbers;
   * non-finite ones become the JSON format's strings. */
  function readArray(key, value, mask = false) {
    if (!Array.isArray(value)) return { error: `${key}: expected ${mask ? 'an array of booleans or numbers' : 'an array of numbers'}, got ${describe(value)}` };
    const shape = [];
    for (let level = value; Array.isArray(level); level = level[0]) {
      if (level.length === 0) return { error: `${key}: an empty array has no shape` };
      shape.push(level.length);
    }
    let kind = null;
    const walk = (node, depth, path) => {
      if (depth < shape.length) {
        if (!Array.isArray(node) || node.length !== shape[depth])
          throw `${path}: expected ${shape[depth]} entries like its neighbours, got ${describe(node)}${Array.isArray(node) ? ` of ${node.length}` : ''}`;
        return node.map((x, i) => walk(x, depth + 1, `${path}[${i}]`));
      }
      let cell, cellKind = 'float';
      if (typeof node === 'boolean' && mask) { cell = node; cellKind = 'bool'; }
      else if (typeof node === 'number') {
        if (Number.isFinite(node) && Math.abs(node) > FLOAT32_MAX) throw `${path}: ${node} is beyond float32's range (±3.4e38)`;
        cell = Number.isFinite(node) ? node : Case.jsonNumber(node);
      } else if (node === 'NaN' || node === 'Infinity' || node === '-Infinity') cell = node;
      else throw `${path}: expected a ${mask ? 'boolean or a number' : 'number'}, got ${describe(node)}`;
      if (kind && kind !== cellKind) throw `${path}: ${key} mixes booleans and numbers; use all booleans (true = masked) or all numbers (added to the scores)`;
      kind = cellKind;
      return cell;
    };
    try {
      return { shape, cells: walk(value, 0, key), kind };
    } catch (message) {
      if (typeof message === 'string') return { error: message };
      throw message;
    }
  }

  /* A typed { shape, data } value (what the page may hold) as nested arrays. */
  function plain(v) {
    if (v === undefined || v === null || Array.isArray(v) || typeof v !== 'object' || !Array.isArray(v.shape) || !v.data) return v;
    const bool = v.dtype === 'bool' || v.data instanceof Uint8Array;
    const flat = Array.from(v.data, (x) => (bool ? x !== 0 : Number.isFinite(Number(x)) ? Number(x) : Case.jsonNumber(Number(x))));
    const build = (offset, depth) => {
      const n = v.shape[depth];
      if (depth === v.shape.length - 1) return flat.slice(offset, offset + n);
      const stride = v.shape.slice(depth + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: n }, (_, i) => build(offset + i * stride, depth + 1));
    };
    return build(0, 0);
  }

  const same = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);
  const dimsText = (shape) => shape.join('×');

  /* ---- the import ---- */

  function importStateDict(text, base) {
    try {
      return run(text, base && typeof base === 'object' ? base : {});
    } catch (e) {
      return { errors: [{ key: '', message: `could not import: ${e && e.message ? e.message : String(e)}` }] };
    }
  }

  function run(text, base) {
    const errors = [], notes = [];
    const error = (key, message) => errors.push({ key, message });

    /* 1. the text as an object */
    let top;
    if (typeof text === 'string') {
      if (text.trim() === '') return { errors: [{ key: '', message: 'nothing to import: paste a state_dict as JSON' }] };
      const parsed = parseText(text);
      if (parsed.error) return { errors: [{ key: '', message: parsed.error }] };
      top = parsed.value;
    } else top = text;
    if (!top || typeof top !== 'object' || Array.isArray(top))
      return { errors: [{ key: '', message: `expected an object such as {"in_proj_weight": [[...]], ...}, got ${describe(top)}` }] };

    /* 2. every key, from the top and from the parts, in one place */
    const given = {};
    const from = {};
    const prefixes = new Map(); /* prefix -> first key that had it */
    const put = (key, value, place) => {
      if (key in given) { error(key, `${key}: given twice (${from[key]} and ${place})`); return; }
      given[key] = value;
      from[key] = place;
    };
    const take = (key, value, place, allowed) => {
      if (allowed.includes(key)) return put(key, value, place);
      const m = /^(.+\.)(in_proj_weight|[qkv]_proj_weight|in_proj_bias|bias_[kv]|out_proj\.weight|out_proj\.bias)$/.exec(key);
      if (m && allowed.includes(m[2])) {
        if (prefixes.size && !prefixes.has(m[1]))
          return error(key, `${key}: from another module than ${[...prefixes.values()][0]}; paste one module's state_dict`);
        if (!prefixes.has(m[1])) prefixes.set(m[1], key);
        return put(m[2], value, place);
      }
      error(key, `unknown key "${key}"${place === 'the top' ? '' : ` in ${place}`}; expected ${allowed === ALL ? 'state_dict names (in_proj_weight, out_proj.weight, ...), inputs (query, key, value, attn_mask, key_padding_mask, tokens) or options (num_heads, ...)' : allowed.join(', ')}`);
    };
    const ALL = [...PARAMS, ...INPUTS, ...OPTIONS, 'tokens'];
    for (const [key, value] of Object.entries(top)) {
      if (key in PARTS) {
        if (!value || typeof value !== 'object' || Array.isArray(value)) { error(key, `${key}: expected an object of ${PARTS[key].slice(0, 3).join(', ')}, ..., got ${describe(value)}`); continue; }
        for (const [k, v] of Object.entries(value)) take(k, v, key, PARTS[key]);
      } else take(key, value, 'the top', ALL);
    }
    if (prefixes.size) notes.push(`the weights of ${[...prefixes.keys()][0].slice(0, -1)}`);
    const has = (key) => given[key] !== undefined && given[key] !== null;

    /* 3. options */
    const opt = {};
    for (const key of ['embed_dim', 'num_heads', 'kdim', 'vdim'])
      if (has(key)) {
        if (Number.isInteger(given[key]) && given[key] >= 1) opt[key] = given[key];
        else error(key, `${key}: expected a positive integer, got ${describe(given[key])}`);
      }
    for (const key of ['bias', 'add_bias_kv', 'add_zero_attn', 'average_attn_weights', 'batch_first'])
      if (has(key)) {
        if (typeof given[key] === 'boolean') opt[key] = given[key];
        else error(key, `${key}: expected true or false, got ${describe(given[key])}`);
      }
    if (has('dropout') && !(typeof given.dropout === 'number' && given.dropout >= 0 && given.dropout <= 1))
      error('dropout', `dropout: expected a number from 0 to 1, got ${describe(given.dropout)}`);

    /* 4. every array: rectangular, numbers only */
    const t = {};
    for (const key of [...PARAMS, ...INPUTS]) {
      if (!has(key)) continue;
      const r = readArray(key, given[key], key === 'attn_mask' || key === 'key_padding_mask');
      if (r.error) error(key, r.error);
      else t[key] = r;
    }
    /* a batch of one: 1×L×E (batch_first) or L×1×E; a 1×S key_padding_mask */
    for (const key of ['query', 'key', 'value']) {
      const r = t[key];
      if (!r || r.shape.length !== 3) continue;
      if (r.shape[0] === 1 && (opt.batch_first !== false || r.shape[1] === 1)) t[key] = { ...r, shape: r.shape.slice(1), cells: r.cells[0] };
      else if (r.shape[1] === 1) t[key] = { ...r, shape: [r.shape[0], r.shape[2]], cells: r.cells.map((row) => row[0]) };
      else { error(key, `${key}: a batch of ${dimsText(r.shape)}; the visualiser shows one sequence: paste ${key}[0] (L×E)`); delete t[key]; }
    }
    if (t.key_padding_mask && t.key_padding_mask.shape.length === 2 && t.key_padding_mask.shape[0] === 1)
      t.key_padding_mask = { ...t.key_padding_mask, shape: t.key_padding_mask.shape.slice(1), cells: t.key_padding_mask.cells[0] };
    for (const key of ['bias_k', 'bias_v']) { /* PyTorch's 1×1×E */
      const r = t[key];
      if (r && r.shape.length > 1 && r.shape.slice(0, -1).every((d) => d === 1)) t[key] = { ...r, shape: r.shape.slice(-1), cells: r.cells.flat(r.shape.length - 1) };
    }

    /* 5. embed_dim, from the first thing that tells it */
    const sources = [
      ['embed_dim', () => opt.embed_dim], ['out_proj.weight', () => t['out_proj.weight']?.shape[0]],
      ['in_proj_weight', () => t.in_proj_weight?.shape[1]], ['q_proj_weight', () => t.q_proj_weight?.shape[0]],
      ['out_proj.bias', () => t['out_proj.bias']?.shape[0]], ['query', () => t.query?.shape[1]],
    ];
    let E = null, eFrom = null;
    for (const [key, get] of sources) {
      const e = get();
      if (Number.isInteger(e)) { E = e; eFrom = key; break; }
    }
    if (E === null) {
      if (!errors.length) error('out_proj.weight', 'missing out_proj.weight (E×E): no weights in the paste to take embed_dim from');
      return { errors };
    }
    const whence = { embed_dim: 'embed_dim', 'out_proj.weight': "out_proj.weight's rows", in_proj_weight: "in_proj_weight's columns",
      q_proj_weight: "q_proj_weight's rows", 'out_proj.bias': "out_proj.bias's length", query: "query's columns" }[eFrom];
    const eText = eFrom === 'embed_dim' ? `E = ${E}` : `E = ${E} from ${whence}`;

    /* 6. the weights, their shapes, and the flags they imply */
    const wrongShape = (key, want, what) => {
      const r = t[key];
      if (!r || same(r.shape, want)) return false;
      error(key, `${key}: expected ${what} = ${dimsText(want)} (${eText}), got ${dimsText(r.shape)}`);
      delete t[key];
      return true;
    };
    const missing = (key, why) => error(key, `missing ${key} (${why})`);
    const separate = ['q_proj_weight', 'k_proj_weight', 'v_proj_weight'].filter((k) => has(k));
    let kdim = opt.kdim, vdim = opt.vdim;
    if (has('in_proj_weight') && separate.length) {
      error('in_proj_weight', `in_proj_weight: given with ${separate.join(', ')}; a module has one or the other (in_proj_weight when kdim = vdim = embed_dim)`);
    } else if (separate.length) {
      kdim = kdim ?? t.k_proj_weight?.shape[1] ?? E;
      vdim = vdim ?? t.v_proj_weight?.shape[1] ?? E;
      wrongShape('q_proj_weight', [E, E], 'E×E');
      wrongShape('k_proj_weight', [E, kdim], 'E×kdim');
      wrongShape('v_proj_weight', [E, vdim], 'E×vdim');
      for (const key of ['q_proj_weight', 'k_proj_weight', 'v_proj_weight'])
        if (!has(key)) missing(key, `${key === 'q_proj_weight' ? 'E×E' : key === 'k_proj_weight' ? 'E×kdim' : 'E×vdim'}, given with ${separate.join(', ')}`);
      if (kdim === E && vdim === E && !errors.length)
        notes.push('q_proj_weight, k_proj_weight and v_proj_weight with kdim = vdim = embed_dim: packed into in_proj_weight (rows W_q, W_k, W_v), as the page shows it');
    } else if (has('in_proj_weight')) {
      kdim = kdim ?? E;
      vdim = vdim ?? E;
      if (kdim !== E || vdim !== E) {
        const which = kdim !== E ? 'kdim' : 'vdim';
        error(which, `${which}: ${which === 'kdim' ? kdim : vdim} differs from embed_dim ${E}, so the module has q_proj_weight, k_proj_weight and v_proj_weight, not in_proj_weight`);
      }
      wrongShape('in_proj_weight', [3 * E, E], '3E×E, rows W_q, W_k, W_v');
    } else {
      kdim = kdim ?? E;
      vdim = vdim ?? E;
      missing('in_proj_weight', '3E×E, rows W_q, W_k, W_v; or q_proj_weight, k_proj_weight and v_proj_weight');
    }
    if (!has('out_proj.weight')) missing('out_proj.weight', 'E×E');
    wrongShape('out_proj.weight', [E, E], 'E×E');

    const bias = opt.bias ?? (has('in_proj_bias') || has('out_proj.bias'));
    const biasKV = opt.add_bias_kv ?? (has('bias_k') || has('bias_v'));
    const vector = (key, n, what, on, flag) => {
      if (!on) {
        if (has(key)) error(key, `${key}: given, but ${flag} is false`);
        return;
      }
      if (!has(key)) missing(key, `${what}, since ${opt[flag] !== undefined ? `${flag} is true` : `${flag === 'bias' ? (has('in_proj_bias') ? 'in_proj_bias' : 'out_proj.bias') : (has('bias_k') ? 'bias_k' : 'bias_v')} is given`}`);
      else wrongShape(key, [n], what);
    };
    vector('in_proj_bias', 3 * E, '3E: b_q, b_k, b_v', bias, 'bias');
    vector('out_proj.bias', E, 'E', bias, 'bias');
    vector('bias_k', E, 'E', biasKV, 'add_bias_kv');
    vector('bias_v', E, 'E', biasKV, 'add_bias_kv');

    /* 7. num_heads: not in a state_dict */
    let H = opt.num_heads;
    if (H !== undefined && E % H !== 0) error('num_heads', `embed_dim ${E} (${eFrom === 'embed_dim' ? 'given' : `from ${whence}`}) is not divisible by num_heads ${H}`);
    if (H === undefined) {
      const pageH = base.num_heads;
      if (Number.isInteger(pageH) && pageH >= 1 && E % pageH === 0) {
        H = pageH;
        notes.push(`num_heads ${H}, the page's (a state_dict does not hold it; add "num_heads" to the paste to choose)`);
      } else {
        H = 1;
        notes.push(`num_heads 1 (a state_dict does not hold it${Number.isInteger(pageH) ? `, and the page's ${pageH} does not divide embed_dim ${E}` : ''}; add "num_heads" to the paste to choose)`);
      }
    }

    /* 8. the inputs: the paste's, or the page's when they fit */
    const shapeOf = (v) => readArray('', plain(v), true).shape;
    const pageShape = (key) => (base[key] === undefined ? null : shapeOf(base[key]));
    const inputs = {};
    let borrowed = false;
    const pastedL = t.query ? t.query.shape[0] : null;
    if (t.query) {
      if (!wrongShape('query', [t.query.shape[0], E], 'L×E')) inputs.query = t.query.cells;
    } else if (!has('query')) {
      const q = pageShape('query');
      if (q && q.length === 2 && q[1] === E) {
        inputs.query = plain(base.query);
        borrowed = true;
      } else
        error('query', `missing query: the paste has none, and ${q ? `the page's query is ${dimsText(q)}, which does not fit embed_dim ${E}` : 'the page has none'}; add "query": [[...]] (L×E = ?×${E})`);
    }
    const L = inputs.query ? inputs.query.length : pastedL;
    const keyValue = ['key', 'value'].filter((k) => has(k));
    if (borrowed && keyValue.length)
      error(keyValue[0], `${keyValue.join(' and ')} given without query; paste query too (L×E)`);
    /* pasted masks, once L and S are known */
    const pastedMasks = () => {
      if (t.attn_mask) {
        const r = t.attn_mask;
        if (r.shape.length === 3 ? same(r.shape, [H, L, S]) : same(r.shape, [L, S])) inputs.attn_mask = r.cells;
        else error('attn_mask', `attn_mask: expected L×S = ${L}×${S} or H×L×S = ${H}×${L}×${S}, got ${dimsText(r.shape)}`);
      }
      if (t.key_padding_mask) {
        if (same(t.key_padding_mask.shape, [S])) inputs.key_padding_mask = t.key_padding_mask.cells;
        else error('key_padding_mask', `key_padding_mask: expected S = ${S} (one per key row), got ${dimsText(t.key_padding_mask.shape)}`);
      }
    };

    let S = L;
    if (borrowed) {
      /* the page's key and value, masks, average_attn_weights: when they fit */
      const k = pageShape('key'), v = pageShape('value');
      const pageSelf = !k && !v;
      if (pageSelf && kdim === E && vdim === E) { /* self-attention, as on the page */ }
      else if (k && v && k[1] === kdim && v[1] === vdim && k[0] === v[0]) {
        inputs.key = plain(base.key);
        inputs.value = plain(base.value);
        S = k[0];
      } else {
        const which = kdim !== E ? 'key' : 'value';
        error(which, `missing ${which}: the paste has none, and the page's ${pageSelf ? 'query' : which} does not fit ${which === 'key' ? `kdim ${kdim}` : `vdim ${vdim}`}; add "key": [[...]] (S×kdim) and "value": [[...]] (S×vdim)`);
      }
      const dropped = [];
      pastedMasks();
      const m = has('attn_mask') ? null : pageShape('attn_mask');
      if (m) {
        if ((m.length === 2 && same(m, [L, S])) || (m.length === 3 && same(m, [H, L, S]))) inputs.attn_mask = plain(base.attn_mask);
        else dropped.push('attn_mask');
      }
      const p = has('key_padding_mask') ? null : pageShape('key_padding_mask');
      if (p) {
        if (same(p, [S])) inputs.key_padding_mask = plain(base.key_padding_mask);
        else dropped.push('key_padding_mask');
      }
      const kept = ['query', ...(inputs.key ? ['key', 'value'] : []), ...['attn_mask', 'key_padding_mask'].filter((k) => inputs[k] && !has(k)), ...(has('tokens') ? [] : ['tokens'])];
      notes.push(`the page's ${kept.slice(0, -1).join(', ')}${kept.length > 1 ? ' and ' : ''}${kept[kept.length - 1]} (the paste has no query)`);
      if (dropped.length) notes.push(`the page's ${dropped.join(' and ')} dropped: ${dropped.length > 1 ? 'they do' : 'it does'} not fit num_heads ${H}`);
    } else if (L !== null) {
      if (t.key) S = t.key.shape[0];
      else if (t.value) S = t.value.shape[0];
      if (t.key) { if (!wrongShape('key', [S, kdim], 'S×kdim')) inputs.key = t.key.cells; }
      else if (!has('key') && kdim !== E) missing('key', `S×kdim: kdim ${kdim} differs from embed_dim ${E}, so key cannot be the query`);
      if (t.value) { if (!wrongShape('value', [S, vdim], 'S×vdim, as many rows as key')) inputs.value = t.value.cells; }
      else if (!has('value') && (vdim !== E || S !== L)) missing('value', `S×vdim${vdim !== E ? `: vdim ${vdim} differs from embed_dim ${E}` : `: key has ${S} rows, the query ${L}`}, so value cannot be the query`);
      if (t.key && !has('value') && vdim === E && S === L) error('value', 'missing value: key is given, so give value too (S×vdim)');
      if (t.value && !has('key') && kdim === E && S === L) error('key', 'missing key: value is given, so give key too (S×kdim)');
      pastedMasks();
    }

    /* 9. tokens */
    let tokens;
    if (has('tokens')) {
      const tk = given.tokens;
      const list = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
      if (list(tk)) {
        if (L !== null && tk.length !== L) error('tokens', `tokens: expected ${L} labels (one per query row), got ${tk.length}`);
        tokens = tk;
      } else if (tk && typeof tk === 'object' && !Array.isArray(tk) && list(tk.query) && list(tk.key) && Object.keys(tk).every((k) => k === 'query' || k === 'key')) {
        if (L !== null && tk.query.length !== L) error('tokens', `tokens.query: expected ${L} labels, got ${tk.query.length}`);
        if (S !== null && tk.key.length !== S) error('tokens', `tokens.key: expected ${S} labels, got ${tk.key.length}`);
        tokens = { query: tk.query, key: tk.key };
      } else error('tokens', 'tokens: expected an array of strings (one per query row), or {"query": [...], "key": [...]}');
    } else if (borrowed && base.tokens) {
      const tk = base.tokens;
      const fits = Array.isArray(tk) ? tk.length === L : tk.query?.length === L && tk.key?.length === S;
      tokens = fits ? (Array.isArray(tk) ? tk.slice() : { query: tk.query.slice(), key: tk.key.slice() })
        : Array.isArray(tk) && tk.length === L ? tk.slice() : Array.isArray(tk.query) && tk.query.length === L ? tk.query.slice() : undefined;
    }
    if (tokens === undefined && L !== null) {
      tokens = Array.from({ length: L }, (_, i) => `t${i}`);
      notes.push(`tokens t0 … t${L - 1} (the paste has none)`);
    }

    if (errors.length) return { errors };

    /* 10. the case, in the page's key order, checked as the core will */
    const cells = (key) => t[key].cells;
    const c = { embed_dim: E, num_heads: H, bias, add_bias_kv: biasKV, add_zero_attn: opt.add_zero_attn ?? false };
    const packable = kdim === E && vdim === E;
    if (!packable) { c.kdim = kdim; c.vdim = vdim; }
    const average = opt.average_attn_weights ?? (borrowed && typeof base.average_attn_weights === 'boolean' ? base.average_attn_weights : true);
    c.average_attn_weights = average;
    c.tokens = tokens;
    c.query = inputs.query;
    if (inputs.key) c.key = inputs.key;
    if (inputs.value) c.value = inputs.value;
    if (has('in_proj_weight')) c.in_proj_weight = cells('in_proj_weight');
    else if (packable) c.in_proj_weight = [...cells('q_proj_weight'), ...cells('k_proj_weight'), ...cells('v_proj_weight')];
    else for (const key of ['q_proj_weight', 'k_proj_weight', 'v_proj_weight']) c[key] = cells(key);
    if (bias) c.in_proj_bias = cells('in_proj_bias');
    if (biasKV) { c.bias_k = cells('bias_k'); c.bias_v = cells('bias_v'); }
    c['out_proj.weight'] = cells('out_proj.weight');
    if (bias) c['out_proj.bias'] = cells('out_proj.bias');
    if (inputs.attn_mask) c.attn_mask = inputs.attn_mask;
    if (inputs.key_padding_mask) c.key_padding_mask = inputs.key_padding_mask;
    if (opt.add_zero_attn === undefined) notes.push('add_zero_attn false (a state_dict does not hold it; add "add_zero_attn": true to the paste if the module has it)');
    try {
      Case.parseCase(c);
    } catch (e) {
      if (e instanceof Case.CaseError) return { errors: [{ key: e.key, message: e.message }] };
      throw e;
    }
    return { case: c, notes };
  }

  const api = { importStateDict, parseText };
  if (isNode) module.exports = api;
  else root.AttnImport = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
