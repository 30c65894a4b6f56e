/* text.js: the page's words, one table per language (en.js, es.js: flat
 * { key: template }), and the lookup. A template's {name} is filled from
 * values; a key a table lacks falls back to English.
 *
 *   t('es', 'walk.next')                      -> 'Siguiente →'
 *   parts('en', 'l.sc.2', { w: segment, ... }) -> ['text', segment, 'text']
 *                                                (objects kept: lessons' links)
 *   pick('es-MX') -> 'es': a language the page has, else 'en'
 *   of(session)   -> t bound to the session's language (session.lang)
 *   message('es', error) -> a keyed error (case.js's CaseError: id, values)
 *                   in that language; another error, its own message
 *   keyed(id, values) -> { message, id, values }: a keyed message (a note,
 *                   an error), message its English
 * A value may be a phrase of the tables, { id, values }: t() writes it in
 * the same language (an error's 'an array', its shape in words).
 *
 * English is in every bundle; the other tables may come later (the
 * widget's attention-viz-es.js): has(lang) says whether one is here.
 * Numbers in templates come formatted by the caller (Format.cellText), so
 * every language shows a cell's number as the cell does.
 *
 * A classic script: the global AttnText in a page, module.exports in Node
 * (with every table); in a page the tables add themselves (text/en.js, ...).
 * needs: (nothing) */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const LANGUAGES = ['en', 'es'];
  const TABLES = {};

  const add = (lang, table) => { TABLES[lang] = { ...TABLES[lang], ...table }; }; /* (a table may come in parts: the widget's lazy ones) */
  const has = (lang) => Boolean(TABLES[lang]);
  const pick = (tag) => {
    const base = String(tag || '').toLowerCase().split('-')[0];
    return LANGUAGES.includes(base) ? base : 'en';
  };

  /* The template split at its placeholders, each filled: strings, and the
   * values as given (a number as its text, a list's items in order). */
  function parts(lang, key, values = {}) {
    const template = (TABLES[lang] && TABLES[lang][key]) ?? TABLES.en[key];
    if (template === undefined) throw new Error(`text: no key "${key}"`);
    return template.split(/\{(\w+)\}/).flatMap((s, i) => (i % 2 ? (typeof values[s] === 'object' ? values[s] : String(values[s] ?? `{${s}}`)) : s))
      .filter((s) => s !== '');
  }

  const t = (lang, key, values) => parts(lang, key, values).map((s) => (typeof s === 'string' ? s : s.id ? t(lang, s.id, s.values) : s.text)).join('');
  const message = (lang, error) => (error.id ? t(lang, error.id, error.values) : error.message);
  const keyed = (id, values = {}) => ({ message: t('en', id, values), id, values });

  function of(session) {
    const bound = (key, values) => t(session.lang, key, values);
    bound.parts = (key, values) => parts(session.lang, key, values);
    bound.message = (error) => message(session.lang, error);
    bound.lang = session.lang;
    return bound;
  }

  const api = { LANGUAGES, TABLES, add, has, pick, parts, t, message, keyed, of };
  if (isNode) {
    module.exports = api;
    add('en', require('./en.js'));
    add('es', require('./es.js'));
  } else root.AttnText = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
