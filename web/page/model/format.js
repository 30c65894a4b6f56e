/* format.js: how numbers look on the page, and how typed text becomes one.
 *   text:    cellText (short, for a cell), fullText / dataText (every digit
 *            float32 has, for editing, data-value and links)
 *   parsing: parseNumber, strict: a complete number in float32's range, or
 *            an error that says what is wrong; nothing is guessed
 *   colour:  palettes of 256 colours, each with the text colour (black or
 *            white) that contrasts with it best, always 4.5:1 or more; the
 *            page paints with CSS classes made from them (paletteCSS), so a
 *            change of theme repaints every cell at once, and each
 *            heatmap's legend with them
 *
 * A classic script: the global AttnFormat in a page, module.exports in Node.
 * needs: AttnCase, AttnText */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../../case.js') : root.AttnCase;
  const Text = isNode ? require('../text/text.js') : root.AttnText;

  /* ---- text ---- */

  /* Short text for a cell: two decimals, fewer for big numbers. */
  function cellText(x) {
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return '∞';
    if (x === -Infinity) return '−∞';
    const a = Math.abs(x);
    const text = a >= 1e4 ? x.toExponential(1) : a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
    return text.replace('-', '−').replace(/^−(0\.0+|0)$/, '$1'); /* no "−0.00" */
  }

  /* The float32 value x as the shortest decimal that reads back to it
   * (1.234 stays 1.234, not 1.23399996757507). */
  function fullText(x) {
    if (!Number.isFinite(x)) return cellText(x);
    return String(Case.jsonNumber(Math.fround(x)));
  }

  /* The value for data-value and links: fullText, with the JSON format's
   * strings for the non-finite ones. */
  function dataText(x) {
    return Number.isFinite(x) ? fullText(x) : Case.jsonNumber(x);
  }

  /* ---- parsing ---- */

  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  const INFINITY = /^([+-]?)(inf|infinity|∞)$/i;
  const shown = (t) => `"${t.length > 14 ? t.slice(0, 14) + '…' : t}"`;

  /* Text typed into a cell: { value } (a double; the core rounds it to
   * float32) or { error } saying what is wrong. Accepted: a decimal number
   * with an optional exponent (1.234, -0.0005, .5, 1e-3, 2.), NaN, inf or ∞,
   * with a sign ("−" too) and spaces around. Anything else, including a
   * prefix of a number ("1e", "-") and a comma ("1,000"), is an error. */
  function parseNumber(text, lang = 'en') {
    const t = String(text).trim().replace(/^−/, '-');
    if (t === '') return { error: Text.t(lang, 'f.empty') };
    if (/^nan$/i.test(t)) return { value: NaN };
    const inf = INFINITY.exec(t);
    if (inf) return { value: inf[1] === '-' ? -Infinity : Infinity };
    if (!NUMBER.test(t)) {
      if (/^[+-]?[\d.]*,[\d.,]*$/.test(t)) return { error: Text.t(lang, 'f.comma', { text: shown(t) }) };
      return { error: Text.t(lang, 'f.nan', { text: shown(t) }) };
    }
    const value = Number(t);
    if (!Case.inFloat32Range(value)) return { error: Text.t(lang, 'f.range', { text: shown(t) }) };
    return { value };
  }

  /* x + step, as a person adding decimals would get it (1.234 + 0.1 is
   * 1.334), then in float32. For ↑/↓ in a cell. */
  function nudge(x, step) {
    const sum = Number((Number(fullText(x)) + step).toPrecision(12));
    return Case.inFloat32Range(sum) ? sum : x;
  }

  /* ---- colour ---- */

  /* Colour-blind-safe palettes as stops (ColorBrewer YlGnBu, viridis, a
   * blue–orange diverging pair, and ColorBrewer's purple–green PRGn for
   * gradients, ∂result/∂cell: an overlay unlike any value's colours), per theme. */
  const PALETTES = {
    light: {
      sequential: ['#ffffd9', '#edf8b1', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#253494', '#081d58'],
      diverging: ['#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fee0b6', '#fdb863', '#e08214', '#b35806'],
      gradient: ['#762a83', '#9970ab', '#c2a5cf', '#e7d4e8', '#f7f7f7', '#d9f0d3', '#a6dba0', '#5aae61', '#1b7837'],
    },
    dark: {
      sequential: ['#1b1530', '#440154', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#fde725'],
      diverging: ['#4393c3', '#2f6f9f', '#23506f', '#1d3547', '#202124', '#4a3318', '#7a4f12', '#b8730f', '#fdb863'],
      gradient: ['#c2a5cf', '#9970ab', '#6a3d7a', '#3b2540', '#202124', '#23402a', '#2f6b3a', '#5aae61', '#a6dba0'],
    },
  };
  const KINDS = ['sequential', 'diverging', 'gradient'];
  const THEMES = ['light', 'dark'];

  const hexToRgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

  /* The colour at t in [0, 1] along the stops, as [r, g, b]. */
  function interpolate(stops, t) {
    const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x));
    const a = hexToRgb(stops[i]), b = hexToRgb(stops[i + 1]);
    return a.map((c, k) => Math.round(c + (b[k] - c) * (x - i)));
  }

  /* WCAG 2 relative luminance and contrast ratio. */
  function luminance([r, g, b]) {
    const channel = (c) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  }
  function contrast(a, b) {
    const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (high + 0.05) / (low + 0.05);
  }

  const BLACK = [0, 0, 0], WHITE = [255, 255, 255];

  /* Each palette as 256 ready colours: { rgb, background, color, contrast }.
   * Black or white text, whichever contrasts more: one of them always
   * reaches 4.58:1 against any colour. */
  const STEPS = 256;
  const tables = {};
  function colourTable(kind, theme) {
    const key = `${kind}-${theme}`;
    if (!tables[key]) tables[key] = tableOf(PALETTES[theme === 'dark' ? 'dark' : 'light'][kind]);
    return tables[key];
  }

  /* The 256 colours along any stops (hex), e.g. a host page's own ends. */
  function tableOf(stops) {
    return Array.from({ length: STEPS }, (_, i) => {
      const rgb = interpolate(stops, i / (STEPS - 1));
      const onBlack = contrast(rgb, BLACK), onWhite = contrast(rgb, WHITE);
      return { rgb, background: `rgb(${rgb.join(', ')})`, color: onBlack >= onWhite ? '#000' : '#fff', contrast: Math.max(onBlack, onWhite) };
    });
  }

  /* Which of the 256 colours a finite value gets. kind: 'sequential' (0..1,
   * weights) or 'diverging' or 'gradient' (signed, centred on 0, `scale` at the ends: niceScale). */
  function colourIndex(x, kind, scale) {
    const t = kind === 'sequential' ? x : 0.5 + x / (2 * (scale || 1));
    return Math.round(Math.min(1, Math.max(0, t)) * (STEPS - 1));
  }

  /* Background and text colour of a cell, for pictures made outside the page. */
  function cellColours(x, kind, scale, theme) {
    return colourTable(kind, theme)[colourIndex(x, kind, scale)];
  }

  /* The class that paints a cell: "c-s17" (sequential), "c-d200", "c-g3" (gradient). */
  const colourClass = (kind, index) => `c-${kind[0]}${index}`;

  /* The stylesheet of those classes, for `scope` (the view's root
   * selector): the light palette by default and in print, the dark one when
   * the view's theme is dark, or auto and the system's is. palettes: stops
   * in place of PALETTES ({ light: { sequential, diverging }, dark: ... }). */
  function paletteCSS(scope, palettes = PALETTES) {
    const table = (kind, theme) => (palettes === PALETTES ? colourTable(kind, theme) : tableOf(palettes[theme][kind]));
    const rules = (theme, prefix) => KINDS.flatMap((kind) => [
      ...table(kind, theme).map((c, i) => `${prefix} .${colourClass(kind, i)}{background-color:${c.background};color:${c.color}}`),
      `${prefix} .legend-${kind} .legend-bar{background:linear-gradient(to right, ${palettes[theme][kind].join(', ')})}`, /* a heatmap's legend */
    ]).join('\n');
    return [
      rules('light', scope),
      `@media screen { ${rules('dark', `${scope}[data-theme="dark"]`)} }`,
      `@media screen and (prefers-color-scheme: dark) { ${rules('dark', `${scope}[data-theme="auto"]`)} }`,
    ].join('\n');
  }

  /* The scale of a diverging heatmap: max |x| rounded up to a step of about
   * 25% (1, 1.25, 1.6, 2, 2.5, 3.2, 4, 5, 6.4, 8 × 10^k), so that a small
   * change of the largest value does not recolour the whole matrix. */
  const SCALE_STEPS = [1, 1.25, 1.6, 2, 2.5, 3.2, 4, 5, 6.4, 8, 10];
  function niceScale(max) {
    if (!(max > 0) || !Number.isFinite(max)) return 1;
    const base = 10 ** Math.floor(Math.log10(max));
    return SCALE_STEPS.find((step) => step * base >= max * (1 - 1e-12)) * base;
  }

  /* The largest finite |x|: niceScale of it is the scale of a diverging heatmap. */
  function maxAbs(data) {
    let m = 0;
    for (let k = 0; k < data.length; k++) { /* (indexed: an iterator over millions of numbers is several times slower) */
      const a = Math.abs(data[k]);
      if (a > m && a !== Infinity) m = a; /* (NaN is never > m) */
    }
    return m;
  }

  /* Text of user origin (a token) inside a sentence: isolated, so that a
   * right-to-left name does not reorder the words around it (U+2068 FIRST
   * STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE). */
  const isolate = (text) => `\u2068${text}\u2069`;

  const api = {
    cellText, fullText, dataText, parseNumber, nudge, isolate,
    PALETTES, KINDS, THEMES, colourTable, tableOf, colourIndex, colourClass, cellColours, paletteCSS, contrast, maxAbs, niceScale,
  };
  if (isNode) module.exports = api;
  else root.AttnFormat = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
