/* link.js: the page's state in a URL hash, and back, through the case
 * format's table (AttnCase.KEYS) and the view's keys below.
 *
 *   #example=lecture&step=5                  an example, as it is
 *   #v=1&tokens=I,am,good&embed_dim=2&...    a case of its own: every key
 *   #example=lecture&grad=output:0,1         the lecture, what moves output[0][1] shown
 *   #example=sentence&num_heads=4&stage=weights
 *                                            a partial link: the example
 *                                            (the lecture if none is named)
 *                                            with what the link changes
 *   #example=sentence&attn_mask=causal       attn_mask as a kind (none,
 *                                            causal, bool, float), as the
 *                                            mask control sets it
 *
 * A view's flag may stand alone (#example=pronoun&present is present=1).
 * A link that gives `query` holds a whole case; any other is partial, and
 * its options are applied as the page's controls apply them (num_heads=4
 * keeps the weights, bias=0 drops the biases). Tensors: "," between numbers,
 * ";" between rows, "|" between heads; booleans T and F; non-finite numbers
 * as NaN, Infinity, -Infinity.
 *
 * A classic script: the global AttnLink in a page, module.exports in Node.
 * needs: AttnCase, AttnFormat, AttnCases, AttnSession */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../../case.js') : root.AttnCase;
  const Format = isNode ? require('./format.js') : root.AttnFormat;
  const Cases = isNode ? require('./cases.js') : root.AttnCases;
  const Session = isNode ? require('./session.js') : root.AttnSession;

  /* The view's keys are the session's (VIEW); step counts from 1, as the
   * page's sections do; a flag is 1, a list is names with commas. A key at
   * its default is left out. */
  const VIEW_KEYS = Session.VIEW, VIEW_DEFAULTS = Session.VIEW_DEFAULTS;
  const VERSION = '1';

  const error = (key, id, values = {}) => new Case.CaseError(key, id, values); /* (keyed: text/en.js, err.l.*) */

  /* ---- tensors as text ---- */

  function encodeTensor(value) {
    const cell = (x) => (typeof x === 'boolean' ? (x ? 'T' : 'F') : typeof x === 'string' ? x : Format.dataText(x));
    if (!Array.isArray(value[0])) return value.map(cell).join(',');
    if (!Array.isArray(value[0][0])) return value.map((row) => row.map(cell).join(',')).join(';');
    return value.map(encodeTensor).join('|');
  }

  function decodeTensor(key, text) {
    const cell = (t) => {
      if (t === 'T' || t === 'F') return t === 'T';
      if (t === 'NaN' || t === 'Infinity' || t === '-Infinity') return t;
      const x = Number(t);
      if (t === '' || !Number.isFinite(x)) throw error(key, 'err.l.number', { key, text: t.slice(0, 12) });
      return x;
    };
    const vectorOf = (t) => t.split(',').map(cell);
    const matrixOf = (t) => t.split(';').map(vectorOf);
    const spec = Case.KEY[key];
    if ((spec.shape || spec.shapes[0]).length === 1) return vectorOf(text);
    return text.includes('|') ? text.split('|').map(matrixOf) : matrixOf(text);
  }

  const encodeList = (list) => list.map(encodeURIComponent).join(',');
  const decodeList = (key, text) => text.split(',').map((t) => {
    try { return decodeURIComponent(t); } catch { throw error(key, 'err.l.escaped', { key }); }
  });

  /* ---- the state as a hash ---- */

  /* A state with more numbers than a link can hold (each takes two
   * characters at least, "0,"): its link is only this, which says so. A
   * BERT-size layer (2.4 M numbers) is one; encoding it would take seconds. */
  const TOO_BIG = 'too-big-for-a-link';
  function tooBig(c) {
    const count = (x) => (Array.isArray(x) ? (x.length && Array.isArray(x[0]) ? x.length * count(x[0]) : x.length) : 0);
    let n = 0;
    for (const { key, type } of Case.KEYS) if ((type === 'float' || type === 'mask') && c[key]) n += count(c[key]);
    return 2 * n > Cases.LIMITS.hashLength;
  }

  /* state: { case, view }. An example that is unchanged is written by its
   * name, unless `whole` asks for every key. */
  function encode({ case: c, view = {} }, { whole = false } = {}) {
    if (tooBig(c)) return `#${TOO_BIG}`;
    const parts = [];
    const example = whole ? null : Cases.exampleOf(c);
    if (example) parts.push(`example=${example}`);
    else {
      parts.push(`v=${VERSION}`);
      const given = (key) => c[key] !== undefined && c[key] !== null; /* null: absent, as in a case */
      for (const { key, type, group } of Case.KEYS) {
        if (!given(key) || group === 'grad') continue; /* (the backward pass's, not the page's) */
        if (type === 'tokens') {
          parts.push(`tokens=${encodeList(Cases.queryTokens(c))}`);
          if (c.tokens.key) parts.push(`key_tokens=${encodeList(c.tokens.key)}`);
        } else if (type === 'float' || type === 'mask') parts.push(`${key}=${encodeTensor(c[key])}`);
        else parts.push(`${key}=${typeof c[key] === 'boolean' ? +c[key] : c[key]}`);
      }
    }
    for (const [key, spec] of Object.entries(VIEW_KEYS)) {
      const value = view[key];
      if (value === undefined || value === null || JSON.stringify(value) === JSON.stringify(VIEW_DEFAULTS[key])) continue;
      parts.push(`${key}=${spec.flag ? +value : spec.list ? value.join(',') : spec.result ? value : encodeURIComponent(value)}`);
    }
    return '#' + parts.join('&');
  }

  /* The state a hash holds: { case, view }, the case checked as the page
   * will show it. Throws a CaseError naming what is wrong with the case; a
   * view key that cannot be read, or a key of no meaning, is left out, and
   * its CaseError listed in `problems` (only when there is one): the rest
   * of a link still holds (#example=pronoun&step=0 is the pronoun). */
  function decode(hash) {
    const text = hash.replace(/^#/, '');
    if (text === TOO_BIG) throw error('', 'err.l.big');
    if (text.length > Cases.LIMITS.hashLength) throw error('', 'err.l.long', { n: text.length, max: Cases.LIMITS.hashLength });
    const options = {}, tensors = {}, view = {}, problems = [];
    let tokens = null, keyTokens = null, version = null, example = null, maskKind = null;
    for (const part of text ? text.split('&') : []) {
      const eq = part.indexOf('=');
      if (eq < 0) { /* a bare word: a view's flag is on (#present); else it is left out, as a key of no meaning */
        if (VIEW_KEYS[part]?.flag) view[part] = true;
        else if (Case.KEY[part] || ['v', 'example', 'tokens', 'key_tokens'].includes(part)) throw error(part, 'err.l.pair', { part: part.slice(0, 20) });
        else problems.push(error(part, 'err.l.pair', { part: part.slice(0, 20) }));
        continue;
      }
      const key = part.slice(0, eq), value = part.slice(eq + 1);
      const spec = Case.KEY[key] && Case.KEY[key].group !== 'grad' ? Case.KEY[key] : null;
      if (key === 'v') version = value;
      else if (key === 'example') {
        if (!Object.hasOwn(Cases.EXAMPLES, value)) throw error('example', 'err.l.example', { name: value.slice(0, 30), names: Object.keys(Cases.EXAMPLES).join(', ') });
        example = value;
      } else if (key === 'tokens') tokens = decodeList(key, value);
      else if (key === 'key_tokens') keyTokens = decodeList(key, value);
      else if (spec && spec.group === 'option') {
        if (spec.type === 'bool') {
          if (value !== '0' && value !== '1') throw error(key, 'err.l.bit', { key });
          options[key] = value === '1';
        } else if (spec.type === 'int') {
          if (!/^\d{1,6}$/.test(value)) throw error(key, 'err.l.whole', { key });
          options[key] = Number(value);
        } else options[key] = Number(value);
      } else if (key === 'attn_mask' && /^[a-z]+$/.test(value)) { /* a kind, as the mask control sets it */
        if (!Cases.MASK_KINDS.includes(value)) throw error(key, 'err.l.oneOf', { key, values: Cases.MASK_KINDS.join(', ') });
        maskKind = value;
      } else if (spec) tensors[key] = decodeTensor(key, value);
      else if (Object.hasOwn(VIEW_KEYS, key)) {
        try { view[key] = viewValue(key, value); } catch (e) { if (!(e instanceof Case.CaseError)) throw e; problems.push(e); }
      } else problems.push(error(key, 'err.l.key', { key: key.slice(0, 30) }));
    }
    if (version !== null && version !== VERSION) throw error('v', 'err.l.version', { version });
    const labels = tokens && keyTokens ? { query: tokens, key: keyTokens } : tokens;

    let c;
    if (tensors.query) { /* a case of its own */
      if (example) throw error('example', 'err.l.both');
      c = { ...options, ...(labels ? { tokens: labels } : {}), ...tensors };
      c = Object.fromEntries(Case.KEYS.filter(({ key }) => c[key] !== undefined).map(({ key }) => [key, c[key]]));
    } else { /* partial: the example, changed as the controls would */
      c = Cases.EXAMPLES[example || Cases.DEFAULT_EXAMPLE].make();
      for (const { key } of Case.KEYS) if (key in options) c = Cases.withOption(c, key, options[key]);
      Object.assign(c, tensors);
      if (labels) c.tokens = labels;
    }
    if (maskKind) c = Cases.withOption(c, 'attn_mask', maskKind);
    Cases.check(c);
    return problems.length ? { case: c, view, problems } : { case: c, view };
  }

  function viewValue(key, value) {
    const spec = VIEW_KEYS[key];
    let decoded;
    try { decoded = decodeURIComponent(value); } catch { throw error(key, 'err.l.escaped', { key }); }
    if (spec.values && !spec.values.includes(decoded)) throw error(key, 'err.l.oneOf', { key, values: spec.values.join(', ') });
    if (spec.step) {
      if (!/^\d{1,4}$/.test(decoded) || Number(decoded) < 1) throw error(key, 'err.l.from1', { key });
      return Number(decoded);
    }
    if (spec.flag) {
      if (decoded !== '0' && decoded !== '1') throw error(key, 'err.l.bit', { key });
      return decoded === '1';
    }
    if (spec.list) {
      const names = decoded.split(',').filter(Boolean);
      const unknown = names.find((n) => !spec.list.includes(n));
      if (unknown !== undefined) throw error(key, 'err.l.notOne', { key, name: unknown.slice(0, 20), names: spec.list.join(', ') });
      return names;
    }
    return decoded;
  }

  const api = { VIEW_KEYS, encode, decode, encodeTensor };
  if (isNode) module.exports = api;
  else root.AttnLink = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
