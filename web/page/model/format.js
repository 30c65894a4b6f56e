/* format.js: how numbers look on the page (text and colour) and how typed
 * text becomes a number. A classic script: the global AttnFormat. */
(function (root) {
  'use strict';

  const FLOAT32_MAX = 3.4028234663852886e38;

  /* Short text for a cell: two decimals, fewer for big numbers. */
  function cellText(x) {
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return '∞';
    if (x === -Infinity) return '−∞';
    const a = Math.abs(x);
    const text = a >= 1e4 ? x.toExponential(1) : a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
    return text.replace('-', '−').replace(/^−(0\.0+|0)$/, '$1'); /* no "−0.00" */
  }

  /* The full float32 value in at most 9 digits, as few as read back the same
   * from 7 on (Number() drops trailing zeros: 0.5000000 reads as 0.5, and a
   * number typed with up to 7 digits comes back as typed). */
  function fullText(x) {
    if (!Number.isFinite(x)) return cellText(x);
    for (let digits = 7; digits <= 9; digits++) {
      const short = Number(x.toPrecision(digits));
      if (Math.fround(short) === Math.fround(x)) return String(short);
    }
    return String(x);
  }

  /* The value for data-value and links: full precision, and the JSON
   * format's strings for the non-finite ones. */
  function dataText(x) {
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return 'Infinity';
    if (x === -Infinity) return '-Infinity';
    return fullText(x);
  }

  /* Text typed into a cell: { value } or { error } saying what is wrong. */
  function parseNumber(text) {
    const t = String(text).trim().replace('−', '-').replace(/,/g, '.');
    if (t === '') return { error: 'empty: type a number' };
    if (/^[+-]?(inf|infinity|∞)$/i.test(t)) return { value: t.startsWith('-') ? -Infinity : Infinity };
    if (/^nan$/i.test(t)) return { value: NaN };
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return { error: `not a number: "${t.length > 12 ? t.slice(0, 12) + '…' : t}"` };
    const value = Number(t);
    if (Math.abs(value) > FLOAT32_MAX) return { error: 'out of range: float32 holds at most ±3.4e38' };
    return { value };
  }

  /* Colour-blind-safe palettes as stops (ColorBrewer YlGnBu, viridis, and a
   * blue–orange diverging pair), per theme. */
  const PALETTES = {
    light: {
      sequential: ['#ffffd9', '#edf8b1', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#253494', '#081d58'],
      diverging: ['#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fee0b6', '#fdb863', '#e08214', '#b35806'],
    },
    dark: {
      sequential: ['#1b1530', '#440154', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#fde725'],
      diverging: ['#4393c3', '#2f6f9f', '#23506f', '#1d3547', '#202124', '#4a3318', '#7a4f12', '#b8730f', '#fdb863'],
    },
  };

  const hexToRgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

  /* The colour at t in [0, 1] along the stops, as [r, g, b]. */
  function interpolate(stops, t) {
    const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x));
    const a = hexToRgb(stops[i]), b = hexToRgb(stops[i + 1]);
    return a.map((c, k) => Math.round(c + (b[k] - c) * (x - i)));
  }

  /* Each palette as 256 ready colours: painting looks them up. */
  const STEPS = 256;
  const tables = {};
  function table(kind, theme) {
    const key = `${kind}-${theme}`;
    if (!tables[key]) {
      const stops = PALETTES[theme === 'dark' ? 'dark' : 'light'][kind];
      tables[key] = Array.from({ length: STEPS }, (_, i) => {
        const [r, g, b] = interpolate(stops, i / (STEPS - 1));
        const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        return { background: `rgb(${r}, ${g}, ${b})`, color: luminance > 0.5 ? '#111' : '#f4f4f4' };
      });
    }
    return tables[key];
  }

  /* Which of the 256 colours a finite value gets. kind: 'sequential' (0..1,
   * weights) or 'diverging' (signed, centred on 0, `scale` at the ends: niceScale). */
  function colourIndex(x, kind, scale) {
    const t = kind === 'sequential' ? x : 0.5 + x / (2 * (scale || 1));
    return Math.round(Math.min(1, Math.max(0, t)) * (STEPS - 1));
  }

  /* Background and text colour of a cell. */
  function cellColours(x, kind, scale, theme) {
    return table(kind, theme)[colourIndex(x, kind, scale)];
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
    for (const x of data) if (Number.isFinite(x) && Math.abs(x) > m) m = Math.abs(x);
    return m;
  }

  const api = { cellText, fullText, dataText, parseNumber, cellColours, colourIndex, colourTable: table, maxAbs, niceScale };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.AttnFormat = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
