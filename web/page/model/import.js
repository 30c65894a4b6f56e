/* import.js: a PyTorch module's numbers, pasted, as a case.
 *
 *   importStateDict(text, base) -> { case, notes: [{ message }] } | { errors: [{ key, message }] }
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
 * Given an object rather than text, its tensors may also be typed
 * { shape, data } values (what a model file gives, modelfile.js): they stay
 * typed, and their data is not copied (only separate q/k/v are packed anew).
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
 * malformed text (with line and column), unknown keys, then what the case
 * format finds (AttnCase.parseCase collecting every error: non-numbers,
 * wrong shapes, what is missing). The format's rules are not written here
 * again: this module only maps a state_dict onto a case. Never throws.
 *
 * Errors and notes are keyed as case.js's errors are: { key, message, id,
 * values } and { message, id, values }, id a key of the words' tables
 * (imp.*) and message its English.
 *
 * A classic script: the global AttnImport in a page, module.exports in Node.
 * needs: AttnText, AttnCase */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../../case.js') : root.AttnCase;
  const Text = isNode ? require('../text/text.js') : root.AttnText;
  /* a note, by its table key, and an error: the key at fault, and the same */
  const keyed = Text.keyed;
  const problem = (key, id, values) => ({ key, ...keyed(id, values) });

  const byGroup = (group) => Case.KEYS.filter((k) => k.group === group).map((k) => k.key);
  const PARAMS = byGroup('param');
  const INPUTS = byGroup('input');
  const OPTIONS = byGroup('option'); /* embed_dim, num_heads, bias, ... */
  const PARTS = { state_dict: PARAMS, inputs: [...INPUTS, 'tokens'], options: OPTIONS };

  /* ---- reading the text: JSON, or a Python literal ---- */

  class SyntaxProblem extends Error {
    constructor(id, values) {
      super(Text.t('en', id, values));
      Object.assign(this, { id, values });
    }
  }

  /* Parses text; returns { value } or { error } with the line and column. */
  function parseText(text) {
    let at = 0;
    const where = (pos) => {
      const before = text.slice(0, pos);
      const line = before.split('\n').length, column = pos - before.lastIndexOf('\n');
      return { id: 'imp.at', values: { line, column } };
    };
    const shown = (pos) => (pos >= text.length ? { id: 'imp.end' } : JSON.stringify(text.slice(pos, pos + 12).split('\n')[0] || text[pos]));
    const fail = (what, values, pos = at) => { throw new SyntaxProblem('imp.json', { at: where(pos), what: { id: what, values }, found: shown(pos) }); };
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
        if (at >= text.length) fail('imp.w.closeAt', { quote, at: where(start) });
        const ch = text[at++];
        if (ch === quote) return out;
        if (ch === '\n') fail('imp.w.close', { quote }, at - 1);
        if (ch !== '\\') { out += ch; continue; }
        const e = text[at++];
        const simple = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) out += simple[e];
        else if (e === 'u' || e === 'x') {
          const n = e === 'u' ? 4 : 2, hex = text.slice(at, at + n);
          if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) fail('imp.w.hex', { n, e });
          out += String.fromCharCode(parseInt(hex, 16));
          at += n;
        } else fail('imp.w.escape', {}, at - 1);
      }
    }

    function value(depth) {
      if (depth > 64) fail('imp.w.nesting');
      space();
      const ch = text[at];
      if (ch === '{' || ch === '[') {
        const close = ch === '{' ? '}' : ']', items = ch === '{' ? {} : [], seen = new Set();
        at++;
        for (;;) {
          space();
          if (text[at] === close) { at++; return items; }
          if (ch === '{') {
            if (text[at] !== '"' && text[at] !== "'") fail('imp.w.key');
            const keyAt = at, key = string();
            if (seen.has(key)) throw new SyntaxProblem('imp.twice', { at: where(keyAt), key: JSON.stringify(key) });
            seen.add(key);
            space();
            if (text[at] !== ':') fail('imp.w.colon', { key: JSON.stringify(key) });
            at++;
            items[key] = value(depth + 1);
          } else items.push(value(depth + 1));
          space();
          if (text[at] === ',') { at++; continue; }
          if (text[at] === close) { at++; return items; }
          fail('imp.w.comma', { close });
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
          throw new SyntaxProblem('imp.printed', { name, at: where(at) });
      }
      fail('imp.w.value');
      return undefined;
    }

    try {
      const v = value(0);
      space();
      if (at < text.length) fail('imp.w.after');
      return { value: v };
    } catch (e) {
      if (e instanceof SyntaxProblem) return { error: problem('', e.id, e.values) };
      throw e;
    }
  }

  /* ---- reading values ---- */

  const described = Case.described; /* a value in a few words, as case.js says it */

  /* The shape of a nested array, or null when it has none (the format
   * reports why, later). */
  function shapeOf(value) {
    try {
      return Case.shapeOf('', value);
    } catch {
      return null;
    }
  }

  /* A typed { shape, data } value (what the page may hold) as nested arrays. */
  function plain(v) {
    if (v === undefined || v === null || Array.isArray(v) || typeof v !== 'object' || !Array.isArray(v.shape) || !v.data) return v;
    const bool = v.dtype === 'bool' || v.data instanceof Uint8Array;
    return Case.nest(v.data, v.shape, (x) => (bool ? x !== 0 : Number.isFinite(Number(x)) ? Number(x) : Case.jsonNumber(Number(x))));
  }

  /* Pasted numbers as a case holds them: json.dumps's bare NaN and Infinity
   * (and Python's nan, inf) as the strings "NaN", "Infinity", "-Infinity".
   * A typed tensor stays as it is. */
  function caseValue(value) {
    if (Array.isArray(value)) return value.map(caseValue);
    if (isTyped(value)) return value;
    return typeof value === 'number' && !Number.isFinite(value) ? Case.jsonNumber(value) : plain(value);
  }

  const isTyped = (v) => Boolean(v) && typeof v === 'object' && !Array.isArray(v) && Array.isArray(v.shape) && ArrayBuffer.isView(v.data);

  /* value without its axis 0 or 1, of size 1: nested arrays, or typed (the
   * same data: dropping an axis of one keeps the row-major order) */
  function dropAxis(value, axis) {
    if (isTyped(value)) return { ...value, shape: value.shape.filter((_, i) => i !== axis) };
    return axis === 0 ? value[0] : value.map((row) => row[0]);
  }

  /* The rows of each part, one part after the other (q, k, v into
   * in_proj_weight): nested arrays, or typed ones into one new Float32Array. */
  function stackRows(parts) {
    if (!parts.every(isTyped)) return parts.flatMap(plain);
    const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
    parts.reduce((at, p) => { data.set(p.data, at); return at + p.data.length; }, 0);
    return { shape: [parts.reduce((n, p) => n + p.shape[0], 0), parts[0].shape[1]], data };
  }

  /* names as "a, b and c" in any language: a phrase of the tables */
  const listed = (names) => (names.length < 2 ? names.join('') : { id: 'x.and', values: { a: names.slice(0, -1).join(', '), b: names[names.length - 1] } });
  const same = (a, b) => Boolean(a) && a.length === b.length && a.every((d, i) => d === b[i]);
  const dimsText = (shape) => shape.join('×');

  /* ---- the import ---- */

  function importStateDict(text, base) {
    try {
      return run(text, base && typeof base === 'object' ? base : {});
    } catch (e) {
      return { errors: [problem('', 'imp.failed', { error: e && e.message ? e.message : String(e) })] };
    }
  }

  function run(text, base) {
    const errors = [], notes = [];
    const error = (key, id, values) => errors.push(problem(key, id, values));

    /* 1. the text as an object */
    let top;
    if (typeof text === 'string') {
      if (text.trim() === '') return { errors: [problem('', 'imp.nothing')] };
      const parsed = parseText(text);
      if (parsed.error) return { errors: [parsed.error] };
      top = parsed.value;
    } else top = text;
    if (!top || typeof top !== 'object' || Array.isArray(top))
      return { errors: [problem('', 'imp.object', { got: described(top) })] };

    /* 2. every key, from the top and from the parts, in one place */
    const given = {};
    const from = {};
    const prefixes = new Map(); /* prefix -> first key that had it */
    const put = (key, value, place) => {
      if (key in given) { error(key, 'imp.twiceKey', { key, first: from[key], second: place }); return; }
      given[key] = value;
      from[key] = place;
    };
    const take = (key, value, place, allowed) => {
      if (allowed.includes(key)) return put(key, value, place);
      const m = /^(.+\.)(in_proj_weight|[qkv]_proj_weight|in_proj_bias|bias_[kv]|out_proj\.weight|out_proj\.bias)$/.exec(key);
      if (m && allowed.includes(m[2])) {
        if (prefixes.size && !prefixes.has(m[1]))
          return error(key, 'imp.module', { key, other: [...prefixes.values()][0] });
        if (!prefixes.has(m[1])) prefixes.set(m[1], key);
        return put(m[2], value, place);
      }
      error(key, 'imp.unknown', { key, where: place === TOP ? '' : { id: 'imp.in', values: { place } }, expected: allowed === ALL ? { id: 'imp.all' } : allowed.join(', ') });
    };
    const ALL = [...PARAMS, ...INPUTS, ...OPTIONS, 'tokens'];
    const TOP = { id: 'imp.top' }; /* the place of a key not in a part */
    for (const [key, value] of Object.entries(top)) {
      if (key in PARTS) {
        if (!value || typeof value !== 'object' || Array.isArray(value)) { error(key, 'imp.part', { key, keys: PARTS[key].slice(0, 3).join(', '), got: described(value) }); continue; }
        for (const [k, v] of Object.entries(value)) take(k, v, key, PARTS[key]);
      } else take(key, value, TOP, ALL);
    }
    if (prefixes.size) notes.push(keyed('imp.n.prefix', { name: [...prefixes.keys()][0].slice(0, -1) }));
    const has = (key) => given[key] !== undefined && given[key] !== null;

    /* 3. batches of one: 1×L×E (batch_first) or L×1×E; a 1×S key_padding_mask */
    const v = {}; /* the pasted values, as the case will hold them */
    for (const key of [...PARAMS, ...INPUTS]) if (has(key)) v[key] = caseValue(given[key]);
    for (const key of ['in_proj_bias', 'bias_k', 'bias_v', 'out_proj.bias']) { /* PyTorch's 1×1×E bias_k: E numbers */
      while (Array.isArray(v[key]) && v[key].length === 1 && Array.isArray(v[key][0])) v[key] = v[key][0];
      while (isTyped(v[key]) && v[key].shape.length > 1 && v[key].shape[0] === 1) v[key] = dropAxis(v[key], 0);
    }
    for (const key of ['query', 'key', 'value']) {
      const shape = shapeOf(v[key]);
      if (!shape || shape.length !== 3) continue;
      if (shape[0] === 1 && (given.batch_first !== false || shape[1] === 1)) v[key] = dropAxis(v[key], 0);
      else if (shape[1] === 1) v[key] = dropAxis(v[key], 1);
      else { error(key, 'imp.batch', { key, shape: dimsText(shape) }); delete v[key]; }
    }
    const padding = shapeOf(v.key_padding_mask);
    if (padding && padding.length === 2 && padding[0] === 1) v.key_padding_mask = dropAxis(v.key_padding_mask, 0);

    /* 4. embed_dim, from the first thing that tells it */
    const width = (key, axis) => { const shape = shapeOf(v[key]); return shape ? shape[axis] : undefined; };
    const sources = [
      ['embed_dim', () => given.embed_dim], ['out_proj.weight', () => width('out_proj.weight', 0)],
      ['in_proj_weight', () => width('in_proj_weight', 1)], ['q_proj_weight', () => width('q_proj_weight', 0)],
      ['out_proj.bias', () => width('out_proj.bias', 0)], ['query', () => width('query', 1)],
    ];
    const eFrom = sources.find(([, get]) => Number.isInteger(get()) && get() >= 1);
    if (!eFrom) {
      if (!errors.length) error('out_proj.weight', 'imp.noE');
      return { errors };
    }
    const E = eFrom[1]();

    /* 5. the weights: in_proj_weight, or the three apart (packed when kdim = vdim = E) */
    const separate = ['q_proj_weight', 'k_proj_weight', 'v_proj_weight'].filter((k) => has(k));
    let kdim = given.kdim ?? (has('k_proj_weight') ? width('k_proj_weight', 1) : E);
    let vdim = given.vdim ?? (has('v_proj_weight') ? width('v_proj_weight', 1) : E);
    let structural = false; /* a state_dict that is not one module's: the format's checks would only repeat it */
    if (has('in_proj_weight') && separate.length) {
      error('in_proj_weight', 'imp.both', { keys: separate.join(', ') });
      structural = true;
    } else if (has('in_proj_weight') && (kdim !== E || vdim !== E)) {
      const which = kdim !== E ? 'kdim' : 'vdim';
      error(which, 'imp.apart', { which, n: which === 'kdim' ? kdim : vdim, E });
      structural = true;
    } else if (separate.length === 3 && kdim === E && vdim === E && ['q_proj_weight', 'k_proj_weight', 'v_proj_weight'].every((k) => same(shapeOf(v[k]), [E, E]))) {
      v.in_proj_weight = stackRows([v.q_proj_weight, v.k_proj_weight, v.v_proj_weight]);
      delete v.q_proj_weight; delete v.k_proj_weight; delete v.v_proj_weight;
      notes.push(keyed('imp.n.packed'));
    }

    /* 6. num_heads: not in a state_dict */
    let H = given.num_heads;
    if (H === undefined || H === null) {
      const pageH = base.num_heads;
      if (Number.isInteger(pageH) && pageH >= 1 && E % pageH === 0) {
        H = pageH;
        notes.push(keyed('imp.n.heads', { H }));
      } else {
        H = 1;
        notes.push(keyed('imp.n.one', { why: Number.isInteger(pageH) ? { id: 'imp.n.divide', values: { H: pageH, E } } : '' }));
      }
    }

    /* 7. the inputs: the paste's, or the page's when they fit */
    const pageShape = (key) => shapeOf(plain(base[key]));
    const borrowed = !has('query') && !v.query && !errors.some((e) => e.key === 'query');
    if (borrowed) {
      const q = pageShape('query');
      if (!q || q.length !== 2 || q[1] !== E) {
        error('query', 'imp.noQuery', { why: q ? { id: 'imp.q.fit', values: { shape: dimsText(q), E } } : { id: 'imp.q.none' }, E });
        return { errors };
      }
      const keyValue = ['key', 'value'].filter((k) => has(k));
      if (keyValue.length) error(keyValue[0], 'imp.withoutQuery', { keys: listed(keyValue) });
      v.query = plain(base.query);
      /* the page's key and value, masks, average_attn_weights: when they fit */
      const L = q[0], k = pageShape('key'), val = pageShape('value');
      const pageSelf = !k && !val;
      let S = L;
      if (pageSelf && kdim === E && vdim === E) { /* self-attention, as on the page */ }
      else if (k && val && k[1] === kdim && val[1] === vdim && k[0] === val[0]) {
        v.key = plain(base.key);
        v.value = plain(base.value);
        S = k[0];
      } else {
        const which = kdim !== E ? 'key' : 'value';
        error(which, 'imp.noKV', { which, own: pageSelf ? 'query' : which, dim: which === 'key' ? `kdim ${kdim}` : `vdim ${vdim}` });
      }
      const dropped = [];
      const m = has('attn_mask') ? null : pageShape('attn_mask');
      if (m) {
        if (same(m, [L, S]) || same(m, [H, L, S])) v.attn_mask = plain(base.attn_mask);
        else dropped.push('attn_mask');
      }
      const p = has('key_padding_mask') ? null : pageShape('key_padding_mask');
      if (p) {
        if (same(p, [S])) v.key_padding_mask = plain(base.key_padding_mask);
        else dropped.push('key_padding_mask');
      }
      const kept = ['query', ...(v.key ? ['key', 'value'] : []), ...['attn_mask', 'key_padding_mask'].filter((key) => v[key] && !has(key)), ...(has('tokens') ? [] : ['tokens'])];
      notes.push(keyed('imp.n.kept', { names: listed(kept) }));
      if (dropped.length) notes.push(keyed(dropped.length > 1 ? 'imp.n.dropped2' : 'imp.n.dropped', { names: listed(dropped), H }));
    } else if (has('key') !== has('value') && kdim === E && vdim === E && (!has('key') || width('key', 0) === width('query', 0))) {
      const [gave, lacks] = has('key') ? ['key', 'value'] : ['value', 'key'];
      error(lacks, 'imp.lacks', { lacks, gave, dim: lacks === 'key' ? 'kdim' : 'vdim' });
    }

    /* 8. tokens: the paste's, the page's with its query, or t0, t1, ... */
    const L = shapeOf(v.query)?.[0];
    let tokens = has('tokens') ? given.tokens : undefined;
    if (tokens === undefined && borrowed && base.tokens) {
      const tk = base.tokens, S = shapeOf(v.key)?.[0] ?? L;
      if (Array.isArray(tk)) tokens = tk.length === L ? tk.slice() : undefined;
      else if (tk && Array.isArray(tk.query) && tk.query.length === L)
        tokens = Array.isArray(tk.key) && tk.key.length === S && v.key ? { query: tk.query.slice(), key: tk.key.slice() } : tk.query.slice();
    }
    if (tokens === undefined && Number.isInteger(L)) {
      tokens = Array.from({ length: L }, (_, i) => `t${i}`);
      notes.push(keyed('imp.n.tokens', { last: L - 1 }));
    }
    if (structural) return { errors };

    /* 9. the case, in the format's key order, checked as the core will check it */
    const c = { embed_dim: E, num_heads: H };
    for (const key of ['bias', 'add_bias_kv', 'add_zero_attn', 'kdim', 'vdim', 'average_attn_weights'])
      if (has(key)) c[key] = given[key];
    c.add_zero_attn = c.add_zero_attn ?? false;
    if (!has('average_attn_weights') && borrowed && typeof base.average_attn_weights === 'boolean') c.average_attn_weights = base.average_attn_weights;
    if (tokens !== undefined) c.tokens = tokens;
    for (const key of [...INPUTS, ...PARAMS]) if (v[key] !== undefined) c[key] = v[key];
    const ordered = Object.fromEntries(Case.KEYS.filter(({ key }) => c[key] !== undefined).map(({ key }) => [key, c[key]]));
    const format = Case.parseCase(ordered, { collect: true });
    for (const e of format.errors || []) if (!errors.some((x) => x.key === e.key)) errors.push(e); /* (keyed: the page writes them in its language) */
    if (errors.length) return { errors };
    if (!has('add_zero_attn')) notes.push(keyed('imp.n.zero'));
    /* bias and add_bias_kv as the module has them (the format infers them from the vectors) */
    const d = Case.dims(ordered);
    ordered.bias = Boolean(d.bias);
    ordered.add_bias_kv = Boolean(d.add_bias_kv);
    return { case: Object.fromEntries(Case.KEYS.filter(({ key }) => ordered[key] !== undefined).map(({ key }) => [key, ordered[key]])), notes };
  }

  const api = { importStateDict, parseText };
  if (isNode) module.exports = api;
  else root.AttnImport = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
