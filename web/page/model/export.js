/* export.js: a case and its stages in forms to take away: JSON, LaTeX,
 * Markdown, a standalone SVG heatmap, and a PyTorch script that rebuilds the
 * same nn.MultiheadAttention and prints the same stages. Pure: strings in,
 * strings out; nothing touches the DOM.
 *
 *   stagesJSON(aCase, stages)                      -> '{"case": {...}, "stages": {...}}'
 *   latex(name, shape, data, { rowLabels, colLabels, digits = 4 })
 *   markdown(name, shape, data, { rowLabels, colLabels, digits = 4 })
 *   heatmapSVG(name, shape, data, { rowLabels, colLabels, kind, theme, numbers, title })
 *   pytorchSnippet(aCase)                          -> Python 3 source
 *
 * `stages` is what forward() returns: { name: { shape, data } }. A matrix is
 * (shape, data): shape [n] (one row), [rows, cols], or [heads, rows, cols]
 * (one matrix per head); data is row-major (a typed array or an array).
 * Labels are user text (tokens): every output escapes them for its language.
 *
 * A classic script: the global AttnExport in a page, module.exports in Node.
 * needs: AttnCase, AttnFormat, AttnText */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../../case.js') : root.AttnCase;
  const Format = isNode ? require('./format.js') : root.AttnFormat;
  const Text = isNode ? require('../text/text.js') : root.AttnText;
  /* "head 0" in the words of lang (the page's; English by default) */
  const headName = (lang, head) => Text.t(lang || 'en', 'ex.head', { h: head });

  /* ---- shared ---- */

  /* [heads, rows, cols] for a shape of rank 1, 2 or 3; heads is null below rank 3. */
  function dims(shape) {
    if (shape.length === 1) return [null, 1, shape[0]];
    if (shape.length === 2) return [null, shape[0], shape[1]];
    if (shape.length === 3) return shape.slice();
    throw new Error(`expected a shape of rank 1, 2 or 3, got [${shape}]`);
  }

  /* The matrices of a (shape, data): [{ head, rows: [[x]] }], one per head. */
  function matrices(shape, data) {
    const [heads, rows, cols] = dims(shape);
    const out = [];
    for (let h = 0; h < (heads ?? 1); h++)
      out.push({
        head: heads === null ? null : h,
        rows: Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Number(data[(h * rows + i) * cols + j]))),
      });
    return out;
  }

  const shapeText = (shape) => shape.join('×');

  /* Labels as strings, or null when not given (or not the right count). */
  function labels(list, n) {
    if (!Array.isArray(list) || list.length !== n) return null;
    return list.map((t) => String(t));
  }

  /* Characters XML 1.0 does not allow (and lone surrogates): removed from user text. */
  const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
  const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;

  /* A number to `digits` decimals; big ones in scientific notation. */
  function fixed(x, digits) {
    if (Math.abs(x) >= 1e6) {
      const [mantissa, exponent] = x.toExponential(digits).split('e');
      return { mantissa, exponent: Number(exponent) };
    }
    const text = x.toFixed(digits);
    return { text: /^-0\.?0*$/.test(text) ? text.slice(1) : text }; /* no "-0.0000" */
  }

  /* ---- JSON ---- */

  /* A JSON number for a float: the shortest decimal that reads back to the
   * float32 (as the CLI writes), or the string for a non-finite one. */
  function jsonNumber(x) {
    x = Number(x);
    if (!Number.isFinite(x) || Math.fround(x) === x) return Case.jsonNumber(x);
    return x; /* not a float32: keep every digit */
  }

  /* The cells of a typed { shape, data } value that is a bool mask. */
  const isBoolTyped = (v) => v.dtype === 'bool' || v.data instanceof Uint8Array;
  const asBool = (x) => x !== 0 && x !== false;

  /* A case value as JSON-ready data: non-finite numbers as strings, typed
   * { shape, data } values as nested arrays. */
  function caseValue(v) {
    if (typeof v === 'number') return Number.isFinite(v) ? v : Case.jsonNumber(v);
    if (Array.isArray(v)) return v.map(caseValue);
    if (v && typeof v === 'object' && Array.isArray(v.shape) && v.data && typeof v.data.length === 'number')
      return Case.nest(v.data, v.shape, isBoolTyped(v) ? asBool : jsonNumber);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, u]) => [k, caseValue(u)]));
    return v;
  }

  /* The case and every stage as JSON text: one case key a line, one stage a
   * line, stages in the order they are computed (then any others). */
  function stagesJSON(aCase, stages) {
    const c = caseValue(aCase || {});
    const caseLines = Object.keys(c).map((k) => `    ${JSON.stringify(k)}: ${JSON.stringify(c[k])}`);
    const names = Object.keys(stages || {}); /* the core's order: the order they are computed */
    const stageLines = names.map((n) => {
      const { shape, data } = stages[n];
      return `    ${JSON.stringify(n)}: ${JSON.stringify(Case.nest(data, shape, jsonNumber))}`;
    });
    const block = (lines) => (lines.length ? `{\n${lines.join(',\n')}\n  }` : '{}');
    return `{\n  "case": ${block(caseLines)},\n  "stages": ${block(stageLines)}\n}\n`;
  }

  /* ---- LaTeX ---- */

  const LATEX_TEXT = {
    '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', $: '\\$', '&': '\\&', '#': '\\#', '%': '\\%',
    _: '\\_', '^': '\\textasciicircum{}', '~': '\\textasciitilde{}', '<': '\\textless{}', '>': '\\textgreater{}',
    '|': '\\textbar{}', '"': "''",
  };

  /* User text for \text{...}: the special characters escaped, controls dropped. */
  function latexText(s) {
    return String(s).replace(CONTROL, ' ').replace(/[\\{}$&#%_^~<>|"]/g, (ch) => LATEX_TEXT[ch]);
  }

  function latexNumber(x, digits) {
    if (Number.isNaN(x)) return '\\text{NaN}';
    if (x === Infinity) return '\\infty';
    if (x === -Infinity) return '-\\infty';
    const f = fixed(x, digits);
    return f.text ?? `${f.mantissa} \\times 10^{${f.exponent}}`;
  }

  /* A matrix in LaTeX math mode, for inside \[ ... \] (bmatrix needs
   * amsmath). Without labels: a bmatrix (one per head, each after a
   * "\text{head }h" label). With labels: an array with the column labels
   * as a header row and the row labels as a first column, ruled off. */
  function latex(name, shape, data, { rowLabels, colLabels, digits = 4 } = {}) {
    const [, rows, cols] = dims(shape);
    const rl = labels(rowLabels, rows), cl = labels(colLabels, cols);
    const out = [`% ${String(name).replace(CONTROL, ' ')}: ${shapeText(shape)}${shape.length === 3 ? ' (heads × rows × columns), one matrix per head' : ''}`];
    matrices(shape, data).forEach(({ head, rows: m }, index) => {
      if (index > 0) out.push('\\qquad');
      if (head !== null) out.push(`\\text{head }${head}:\\;`);
      const body = m.map((row, i) => [...(rl ? [`\\text{${latexText(rl[i])}}`] : []), ...row.map((x) => latexNumber(x, digits))].join(' & '));
      if (!rl && !cl) {
        out.push('\\begin{bmatrix}', body.join(' \\\\\n'), '\\end{bmatrix}');
        return;
      }
      out.push(`\\begin{array}{${rl ? 'l|' : ''}${'r'.repeat(cols)}}`);
      if (cl) out.push([...(rl ? [''] : []), ...cl.map((t) => `\\text{${latexText(t)}}`)].join(' & ') + ' \\\\', '\\hline');
      out.push(body.join(' \\\\\n'), '\\end{array}');
    });
    return out.join('\n') + '\n';
  }

  /* ---- Markdown ---- */

  /* User text for a table cell: GitHub Markdown's special characters
   * backslash-escaped (| ends a cell; * _ ` [ < & $ : and the rest would
   * format, link, embed HTML or math), line breaks turned to spaces. */
  function markdownText(s) {
    const text = String(s).replace(CONTROL, ' ').replace(/[\\`*_{}[\]()<>#+!|~&$:@-]/g, '\\$&').trim();
    return text === '' ? ' ' : text;
  }

  function markdownNumber(x, digits) {
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return '∞';
    if (x === -Infinity) return '-∞';
    const f = fixed(x, digits);
    return f.text ?? `${f.mantissa}e${f.exponent}`;
  }

  /* A GitHub Markdown table (one per head, each under its own line). The
   * header row is the column labels (or the column numbers), the first
   * column the row labels (or the row numbers); lang: the words' (text/). */
  function markdown(name, shape, data, { rowLabels, colLabels, digits = 4, lang } = {}) {
    const [, rows, cols] = dims(shape);
    const rl = labels(rowLabels, rows) ?? Array.from({ length: rows }, (_, i) => String(i));
    const cl = labels(colLabels, cols) ?? Array.from({ length: cols }, (_, j) => String(j));
    const line = (cells) => `| ${cells.join(' | ')} |`;
    const blocks = matrices(shape, data).map(({ head, rows: m }) => {
      const title = `**${markdownText(name)}**${head === null ? '' : `, ${headName(lang, head)}`} (${shapeText(shape.length === 3 ? shape.slice(1) : shape)})`;
      return [
        title, '',
        line([' ', ...cl.map(markdownText)]),
        line(['---', ...cl.map(() => '---:')]),
        ...m.map((row, i) => line([markdownText(rl[i]), ...row.map((x) => markdownNumber(x, digits))])),
      ].join('\n');
    });
    return blocks.join('\n\n') + '\n';
  }

  /* ---- SVG ---- */

  /* User text for XML text and attribute values. */
  function xmlText(s) {
    return String(s).replace(NOT_XML, '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);
  }

  /* The page's colours (style.css) that are not in AttnFormat. */
  const SVG_THEMES = {
    light: { background: '#ffffff', text: '#1b1d21', muted: '#5b6170', line: '#d9dce3', hatch: ['#c9ccd4', '#eef0f4'] },
    dark: { background: '#1e2127', text: '#e8e9ec', muted: '#a3a8b4', line: '#343842', hatch: ['#3b3f48', '#262a31'] },
  };
  const SEQUENTIAL_STAGES = ['weights', 'attn_weights'];

  /* Rough width of text in px (no DOM to measure with): enough to lay out. */
  const textWidth = (s, size) => [...String(s)].reduce((w, ch) => w + (/[\u1100-\uFFFF]/.test(ch) ? 1 : /[il.,:;'|!]/.test(ch) ? 0.3 : 0.6), 0) * size;
  const px = (x) => Math.round(x * 10) / 10;

  /* A standalone SVG of the matrix as a heatmap, the heads side by side:
   * the page's colours (AttnFormat.cellColours: kind 'sequential' for
   * weights in 0..1, 'diverging' centred on 0 and scaled as the page scales,
   * AttnFormat.niceScale of max |x| over the heads), its
   * cell text (AttnFormat.cellText), NaN hatched and ±∞ dashed as on the
   * page, generic font families only; o.lang: the words' ("head 0"). */
  function heatmapSVG(name, shape, data, o = {}) {
    const [heads, rows, cols] = dims(shape);
    const kind = o.kind === 'sequential' || o.kind === 'diverging' ? o.kind : SEQUENTIAL_STAGES.includes(name) ? 'sequential' : 'diverging';
    const theme = o.theme === 'dark' ? 'dark' : 'light';
    const colours = SVG_THEMES[theme];
    const numbers = o.numbers !== false;
    const all = Array.from(data, Number);
    const scale = kind === 'diverging' ? Format.niceScale(Format.maxAbs(all)) : 1;
    const rl = labels(o.rowLabels, rows), cl = labels(o.colLabels, cols);
    const title = o.title ?? `${name} (${shapeText(shape)})`;
    const id = `attn-nan-${String(name).replace(/[^A-Za-z0-9_-]/g, '_')}`;

    const numberSize = 11, labelSize = 12, titleSize = 14, pad = 12, gap = 24;
    const widest = numbers ? Math.max(...all.map((x) => textWidth(Format.cellText(x), numberSize))) : 0;
    const cellW = Math.max(numbers ? 40 : 18, Math.ceil(widest + 10)), cellH = numbers ? 24 : 18;
    const rowLabelW = rl ? Math.ceil(Math.max(...rl.map((t) => textWidth(t, labelSize)))) + 8 : 0;
    const colWidest = cl ? Math.max(...cl.map((t) => textWidth(t, labelSize))) : 0;
    const rotate = cl && colWidest > cellW - 4; /* long column labels are slanted */
    const colLabelH = !cl ? 0 : rotate ? Math.ceil(colWidest * Math.SQRT1_2 + labelSize) + 4 : labelSize + 8;
    const headLabelH = heads === null ? 0 : labelSize + 8;
    const panelW = rowLabelW + cols * cellW;
    const top = pad + titleSize + 10;
    const gridTop = top + headLabelH + colLabelH;
    const width = Math.ceil(Math.max(pad * 2 + (heads ?? 1) * panelW + ((heads ?? 1) - 1) * gap, pad * 2 + textWidth(title, titleSize)) + (rotate ? colWidest * Math.SQRT1_2 : 0));
    const height = Math.ceil(gridTop + rows * cellH + pad);

    const out = [];
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" role="img" aria-label="${xmlText(title)}">`);
    out.push(`<title>${xmlText(title)}</title>`);
    out.push(`<defs><pattern id="${id}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="${colours.hatch[1]}"/><rect width="4" height="8" fill="${colours.hatch[0]}"/></pattern></defs>`);
    out.push(`<rect width="100%" height="100%" fill="${colours.background}"/>`);
    out.push(`<text x="${pad}" y="${pad + titleSize}" font-size="${titleSize}" font-weight="bold" fill="${colours.text}">${xmlText(title)}</text>`);
    matrices(shape, data).forEach(({ head, rows: m }, index) => {
      const left = pad + index * (panelW + gap), gridLeft = left + rowLabelW;
      out.push(`<g class="head"${head === null ? '' : ` data-head="${head}"`}>`);
      if (head !== null) out.push(`<text x="${gridLeft}" y="${top + labelSize}" font-size="${labelSize}" fill="${colours.muted}">${xmlText(headName(o.lang, head))}</text>`);
      if (cl) cl.forEach((t, j) => {
        const x = px(gridLeft + (j + 0.5) * cellW), y = gridTop - 6;
        out.push(rotate
          ? `<text x="${x}" y="${y}" font-size="${labelSize}" fill="${colours.text}" transform="rotate(-45 ${x} ${y})">${xmlText(t)}</text>`
          : `<text x="${x}" y="${y}" font-size="${labelSize}" fill="${colours.text}" text-anchor="middle">${xmlText(t)}</text>`);
      });
      m.forEach((row, i) => {
        const y = gridTop + i * cellH;
        if (rl) out.push(`<text x="${gridLeft - 6}" y="${px(y + cellH / 2)}" dy="0.35em" font-size="${labelSize}" fill="${colours.text}" text-anchor="end">${xmlText(rl[i])}</text>`);
        row.forEach((x, j) => {
          const cx = gridLeft + j * cellW;
          let fill, ink, stroke = '';
          if (Number.isNaN(x)) { fill = `url(#${id})`; ink = colours.text; }
          else if (!Number.isFinite(x)) { fill = colours.background; ink = colours.muted; stroke = ` stroke="${colours.line}" stroke-dasharray="3 2"`; }
          else ({ background: fill, color: ink } = Format.cellColours(x, kind, scale, theme));
          out.push(`<rect x="${cx}" y="${y}" width="${cellW}" height="${cellH}" fill="${fill}"${stroke}/>`);
          if (numbers) out.push(`<text x="${px(cx + cellW / 2)}" y="${px(y + cellH / 2)}" dy="0.35em" font-size="${numberSize}" fill="${ink}" text-anchor="middle">${xmlText(Format.cellText(x))}</text>`);
        });
      });
      out.push('</g>');
    });
    out.push('</svg>');
    return out.join('\n') + '\n';
  }

  /* ---- PyTorch ---- */

  /* A Python literal for one number of the case (given as a number or as
   * the JSON format's string for a non-finite one) or a mask's boolean. */
  function pyScalar(x) {
    if (x === true || x === false) return x ? 'True' : 'False';
    if (x === 'NaN' || Number.isNaN(x)) return 'nan';
    if (x === 'Infinity' || x === Infinity) return 'inf';
    if (x === '-Infinity' || x === -Infinity) return '-inf';
    if (typeof x !== 'number') throw new Error(`not a number: ${JSON.stringify(x)}`);
    if (Object.is(x, -0)) return '-0.0';
    /* JS's shortest round-trip form reads back the same in Python; whole
     * numbers get a ".0" so that they read as the floats they are */
    return Number.isInteger(x) && Math.abs(x) < 1e21 ? `${x}.0` : String(x);
  }

  /* A case value as nested arrays (typed { shape, data } values unpacked). */
  function nested(v) {
    if (Array.isArray(v)) return v;
    return Case.nest(v.data, v.shape, isBoolTyped(v) ? asBool : Number);
  }

  /* Python list items, wrapped into lines of at most ~88 characters. */
  function pyItems(items, indent) {
    const lines = [];
    let line = '';
    for (const item of items) {
      if (line && line.length + item.length + 2 > 88) { lines.push(line + ','); line = ''; }
      line += (line ? ', ' : '') + item;
    }
    lines.push(line);
    const pad = ' '.repeat(indent + 4);
    return lines.length === 1 ? `[${lines[0]}]` : `[\n${lines.map((l) => pad + l).join('\n')}\n${' '.repeat(indent)}]`;
  }

  /* A nested list as Python source: vectors on one line (wrapped when
   * long), matrices one row a line. */
  function pyList(v, indent) {
    const pad = ' '.repeat(indent + 4);
    const oneLine = (x) => (Array.isArray(x) ? `[${x.map(oneLine).join(', ')}]` : pyScalar(x));
    if (Array.isArray(v[0]) && v.length === 1 && indent + oneLine(v).length <= 88) return oneLine(v); /* one short row */
    if (!Array.isArray(v[0])) return pyItems(v.map(pyScalar), indent);
    return `[\n${v.map((row) => pad + pyList(row, indent + 4)).join(',\n')},\n${' '.repeat(indent)}]`;
  }

  /* A string as a Python literal (JSON's escapes are Python's). */
  const pyString = (s) => JSON.stringify(String(s)).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

  /* Python 3 source that builds the same nn.MultiheadAttention (float64,
   * eval mode), loads the case's weights, runs the module, computes the
   * stages q ... context by hand the way F.multi_head_attention_forward
   * does, checks them against what the module returns, and prints every
   * stage as JSON in the CLI's format. Throws a CaseError for a bad case. */
  function pytorchSnippet(aCase) {
    const { config: c } = Case.parseCase(aCase);
    const E = c.embed_dim, H = c.num_heads;
    const packed = c.kdim === E && c.vdim === E;
    const nExtra = c.add_bias_kv + c.add_zero_attn;
    const has = (k) => aCase[k] !== undefined;
    const tensor = (v, indent, bool) => `torch.tensor(${pyList(nested(v), indent)}${bool ? '' : ', dtype=f64'})`;
    const flatten = (v) => nested(v).flat(Infinity);
    const attnBool = c.attn_mask_kind === Case.MASK.bool;
    const kpmBool = c.key_padding_mask_kind === Case.MASK.bool;
    const tokens = aCase.tokens === undefined ? null : Array.isArray(aCase.tokens) ? aCase.tokens : aCase.tokens.query;
    const S2 = nExtra ? `(S+${nExtra})` : 'S';

    const L = [];
    const add = (...lines) => L.push(...lines);
    add('# One forward pass of torch.nn.MultiheadAttention, every stage printed as JSON',
      '# (the attention visualiser\'s format: non-finite numbers as "NaN", "Infinity", "-Infinity").',
      '# The stages q ... context are computed by hand the way F.multi_head_attention_forward',
      '# does; attn_weights and output are what the module returns, checked against the hand',
      '# computation. Expects PyTorch 1.13 (Debian\'s python3-torch), and merges the masks as',
      '# 1.13 does. The visualiser merges them as PyTorch 2 does: the two differ only where a',
      '# float key_padding_mask meets an attn_mask (PyTorch 2 adds it; 1.13 does not).',
      'import json',
      'import math',
      'import sys',
      'from math import inf, nan',
      '',
      'import torch',
      'import torch.nn.functional as F',
      '',
      'f64 = torch.float64',
      `E, H = ${E}, ${H}  # embed_dim, num_heads`,
      'head_dim = E // H',
      '',
      'mha = torch.nn.MultiheadAttention(',
      `    embed_dim=${E}, num_heads=${H}, bias=${pyScalar(!!c.bias)}, add_bias_kv=${pyScalar(!!c.add_bias_kv)},`,
      `    add_zero_attn=${pyScalar(!!c.add_zero_attn)}, kdim=${c.kdim}, vdim=${c.vdim}, dtype=f64,`,
      ').eval()',
      '',
      '# The weights, under the module\'s own state_dict names and shapes.',
      'state_dict = {');
    const param = (name, comment, value) => add(`    ${pyString(name)}: ${value},${comment ? `  # ${comment}` : ''}`);
    if (packed) {
      add('    # rows W_q, then W_k, then W_v: PyTorch packs q, k, v in that order');
      param('in_proj_weight', '', tensor(aCase.in_proj_weight, 4));
    } else {
      param('q_proj_weight', 'W_q, E×E', tensor(aCase.q_proj_weight, 4));
      param('k_proj_weight', 'W_k, E×kdim', tensor(aCase.k_proj_weight, 4));
      param('v_proj_weight', 'W_v, E×vdim', tensor(aCase.v_proj_weight, 4));
    }
    if (c.bias) param('in_proj_bias', 'b_q, b_k, b_v', tensor(flatten(aCase.in_proj_bias), 4));
    if (c.add_bias_kv) {
      param('bias_k', 'E numbers, as the module\'s 1×1×E', `${tensor(flatten(aCase.bias_k), 4)}.view(1, 1, E)`);
      param('bias_v', 'E numbers, as the module\'s 1×1×E', `${tensor(flatten(aCase.bias_v), 4)}.view(1, 1, E)`);
    }
    param('out_proj.weight', 'W_o', tensor(aCase['out_proj.weight'], 4));
    if (c.bias) param('out_proj.bias', 'b_o', tensor(flatten(aCase['out_proj.bias']), 4));
    add('}',
      'with torch.no_grad():',
      '    mha.load_state_dict(state_dict)',
      '',
      '# The inputs: one row per token.');
    if (tokens) add(`tokens = ${pyItems(tokens.map(pyString), 0)}`);
    add(`query = ${tensor(aCase.query, 0)}  # L×E`);
    if (has('key')) add(`key = ${tensor(aCase.key, 0)}  # S×kdim`);
    if (has('value')) add(`value = ${tensor(aCase.value, 0)}  # S×vdim`);
    if (!has('key') && !has('value')) add('key = value = query  # self-attention');
    else if (!has('key')) add('key = query');
    else if (!has('value')) add('value = query');
    if (has('attn_mask')) add(`attn_mask = ${tensor(aCase.attn_mask, 0, attnBool)}  # ${c.attn_mask_per_head ? 'H×L×S' : 'L×S'}, ${attnBool ? 'True = may not attend' : 'added to the scores'}`);
    else add('attn_mask = None');
    if (has('key_padding_mask')) add(`key_padding_mask = ${tensor(aCase.key_padding_mask, 0, kpmBool)}  # S, ${kpmBool ? 'True = ignore that key' : 'added to the scores'}`);
    else add('key_padding_mask = None');
    add(`average_attn_weights = ${pyScalar(!!c.average_attn_weights)}`,
      'L, S = query.shape[0], key.shape[0]',
      '',
      '# What the module returns.',
      'with torch.no_grad():',
      '    output, attn_weights = mha(query, key, value, attn_mask=attn_mask, key_padding_mask=key_padding_mask,',
      '                               need_weights=True, average_attn_weights=average_attn_weights)',
      '',
      '',
      'def split_heads(x):',
      '    """n×E -> H×n×head_dim: head h takes columns h*head_dim to (h+1)*head_dim - 1"""',
      '    return x.view(x.shape[0], H, head_dim).transpose(0, 1)',
      '',
      '',
      '# Every stage by hand, in the order F.multi_head_attention_forward computes them.',
      'with torch.no_grad():');
    if (packed) add('    W_q, W_k, W_v = mha.in_proj_weight.chunk(3)');
    else add('    W_q, W_k, W_v = mha.q_proj_weight, mha.k_proj_weight, mha.v_proj_weight');
    if (c.bias) add('    b_q, b_k, b_v = mha.in_proj_bias.chunk(3)');
    const b = (x) => (c.bias ? ` + b_${x}` : '');
    add(`    q = query @ W_q.T${b('q')}  # L×E`,
      `    k = key @ W_k.T${b('k')}  # S×E`,
      `    v = value @ W_v.T${b('v')}  # S×E`);
    if (c.add_bias_kv) add('    k = torch.cat([k, mha.bias_k.view(1, E)])  # one more key: bias_k',
      '    v = torch.cat([v, mha.bias_v.view(1, E)])  # one more value: bias_v');
    if (c.add_zero_attn) add('    k = torch.cat([k, torch.zeros(1, E, dtype=f64)])  # one more key: zeros',
      '    v = torch.cat([v, torch.zeros(1, E, dtype=f64)])  # one more value: zeros');
    add(`    q_scaled = q / math.sqrt(head_dim)  # L×E: PyTorch scales q before the product`,
      `    scores = split_heads(q_scaled) @ split_heads(k).transpose(1, 2)  # H×L×${S2}`);

    /* The mask, merged as PyTorch 1.13 merges it (README.md). */
    if (has('attn_mask') || has('key_padding_mask')) {
      const padded = (v) => (nExtra ? `F.pad(${v}, (0, ${nExtra}))` : v);
      const why = (bool) => (nExtra ? `, padded with ${bool ? 'False' : 'zeros'} for the ${nExtra} extra key${nExtra > 1 ? 's' : ''}` : '');
      if (has('attn_mask')) add(`    mask = ${padded('attn_mask')}  # ${c.attn_mask_per_head ? 'H×L×' : 'L×'}${S2}${why(attnBool)}`);
      if (has('key_padding_mask')) {
        const kpm = padded('key_padding_mask');
        if (!has('attn_mask')) add(`    mask = ${kpm}  # ${S2}, the same for every query${why(kpmBool)}`);
        else if (attnBool) add(`    mask = mask.logical_or(${kpm})  # ${kpmBool ? 'bool or bool' : 'a float key_padding_mask masks where it is non-zero'}`);
        else if (kpmBool) add(`    mask = mask.masked_fill(${kpm}, -inf)  # a bool key_padding_mask puts -inf into a float attn_mask`);
        else add('    # PyTorch 1.13 ignores a float key_padding_mask beside a float attn_mask (its',
          '    # masked_fill does nothing with a float mask); PyTorch 2 adds it to the scores.');
      }
      if (attnBool || (!has('attn_mask') && kpmBool))
        add('    mask = torch.zeros(mask.shape, dtype=f64).masked_fill(mask, -inf)  # True -> -inf, False -> 0');
      add('    scores = scores + mask  # masked scores are -inf');
    }
    add(`    weights = torch.softmax(scores, dim=-1)  # H×L×${S2}: each row sums to 1 (a fully masked row is NaN)`,
      `    context = (weights @ split_heads(v)).transpose(0, 1).reshape(L, E)  # L×E: the heads side by side`,
      '    by_hand = {',
      `        "attn_weights": ${c.average_attn_weights ? 'weights.sum(dim=0) / H' : 'weights'},  # ${c.average_attn_weights ? 'the mean over heads' : 'per head'}`,
      `        "output": context @ mha.out_proj.weight.T${c.bias ? ' + mha.out_proj.bias' : ''},  # L×E`,
      '    }',
      'for name, module_says in (("attn_weights", attn_weights), ("output", output)):',
      '    if not torch.allclose(by_hand[name], module_says, rtol=1e-9, atol=1e-12, equal_nan=True):',
      '        print(f"warning: {name} computed by hand differs from what the module returns", file=sys.stderr)',
      '',
      '',
      'def encode(t):',
      '    """A tensor as nested lists, non-finite numbers as "NaN", "Infinity", "-Infinity"."""',
      '    def number(x):',
      '        return "NaN" if math.isnan(x) else "Infinity" if x == inf else "-Infinity" if x == -inf else x',
      '    def walk(x):',
      '        return [walk(y) for y in x] if isinstance(x, list) else number(x)',
      '    return walk(t.tolist())',
      '',
      '',
      'stages = {"q": q, "k": k, "v": v, "q_scaled": q_scaled, "scores": scores, "weights": weights,',
      '          "attn_weights": attn_weights, "context": context, "output": output}',
      'print("{\\n" + ",\\n".join(f"  {json.dumps(name)}: {json.dumps(encode(s))}" for name, s in stages.items()) + "\\n}")');
    return L.join('\n') + '\n';
  }

  const api = { stagesJSON, latex, markdown, heatmapSVG, pytorchSnippet };
  if (isNode) module.exports = api;
  else root.AttnExport = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
