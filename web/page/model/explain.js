/* explain.js: how one computed number was made, with the actual numbers, and
 * which cells it was made from. Pure: reads the parsed case and the stages.
 *
 *   explain({ parsed, stages, labels, lang }, 'q', null, 0, 1)
 *     -> { title, lines: [text], sources: [{ stage, head, row, col }] }
 *
 * The words are lang's (text/: the keys x.*; English when not given); the
 * arithmetic is the same in every language.
 *
 * Token names are isolated (Format.isolate): a right-to-left name keeps
 * the sentence around it in order.
 *
 * A classic script: the global AttnExplain in a page, module.exports in Node.
 * needs: AttnFormat, AttnText */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Format = isNode ? require('./format.js') : root.AttnFormat;
  const Text = isNode ? require('../text/text.js') : root.AttnText;
  const MAX_TERMS = 6; /* longer sums show their first terms and a count */
  const n = (x) => Format.cellText(x);
  const paren = (x) => (x < 0 || Object.is(x, -0) ? `(${n(x)})` : n(x));

  /* "a×b + c×d + … (N more)" */
  function products(pairs, t) {
    const shown = pairs.slice(0, MAX_TERMS).map(([a, b]) => `${paren(a)}×${paren(b)}`);
    if (pairs.length > MAX_TERMS) shown.push(t('x.terms', { n: pairs.length - MAX_TERMS }));
    return shown.join(' + ');
  }

  const range = (count, offset = 0) => Array.from({ length: count }, (_, i) => i + offset);

  /* labels: the page's { query, extended } row and key labels (view.labels()) */
  function explain({ parsed, stages, labels, lang = 'en' }, stage, head, row, col) {
    const t = (key, values) => Text.t(lang, key, values);
    const c = parsed.config, inputs = parsed.inputs;
    const E = c.embed_dim, H = c.num_heads, hd = E / H, L = c.tgt_len, S = c.src_len;
    const S2 = S + c.add_bias_kv + c.add_zero_attn;
    const value = (name, index) => stages[name].data[index];
    const packed = c.kdim === E && c.vdim === E;
    const cells = (name, rows, cols, h = null) => rows.flatMap((r) => cols.map((cc) => ({ stage: name, head: h, row: r, col: cc })));
    const queryLabels = labels.query.map(Format.isolate), keyLabels = labels.extended.map(Format.isolate);

    /* x · W[j]ᵀ + b[j] for one output feature j of a linear layer. */
    const linear = (xName, xData, width, xRow, wName, wData, wRow, bName, bData, bIndex, result) => {
      const pairs = range(width).map((k) => [xData[xRow * width + k], wData[wRow * width + k]]);
      const bias = bData ? ` + ${paren(bData[bIndex])}` : '';
      return {
        lines: [`${products(pairs, t)}${bias}`, `= ${n(result)}`],
        sources: [...cells(xName, [xRow], range(width)), ...cells(wName, [wRow], range(width)),
          ...(bData ? cells(bName, [0], [bIndex]) : [])],
      };
    };

    /* The projection of feature e of k or v (band 1 or 2 of the packed weight). */
    const keyOrValue = (name, band) => {
      const j = row, e = col, source = band === 1 ? 'key' : 'value', width = band === 1 ? c.kdim : c.vdim;
      const title = `${name}[${keyLabels[j]}][${e}]`;
      if (j === S && c.add_bias_kv) {
        const biasName = band === 1 ? 'bias_k' : 'bias_v';
        return { title, lines: [t('x.biaskv', { bias: biasName }), `= ${biasName}[${e}] = ${n(value(name, j * E + e))}`], sources: cells(biasName, [0], [e]) };
      }
      if (j >= S) return { title, lines: [t('x.zero'), '= 0'], sources: [] };
      const xName = inputs[source] !== inputs.query ? source : 'query'; /* self-attention: keys and values come from X */
      const wName = packed ? 'in_proj_weight' : `${name}_proj_weight`;
      const wRow = packed ? band * E + e : e;
      const bias = c.bias ? inputs.in_proj_bias : null;
      const result = linear(xName, inputs[source], width, j, wName, inputs[wName], wRow, 'in_proj_bias', bias, band * E + e, value(name, j * E + e));
      return { title: `${title} = ${source}[${keyLabels[j]}] · W_${name}[${e}]ᵀ${bias ? ` + b_${name}[${e}]` : ''}`, ...result };
    };

    switch (stage) {
      case 'q': {
        const wName = packed ? 'in_proj_weight' : 'q_proj_weight';
        const result = linear('query', inputs.query, E, row, wName, inputs[wName], col, 'in_proj_bias', c.bias ? inputs.in_proj_bias : null, col, value('q', row * E + col));
        return { title: `q[${queryLabels[row]}][${col}] = x[${queryLabels[row]}] · W_q[${col}]ᵀ${c.bias ? ` + b_q[${col}]` : ''}`, ...result };
      }
      case 'k': return keyOrValue('k', 1);
      case 'v': return keyOrValue('v', 2);
      case 'q_scaled': {
        const q = value('q', row * E + col);
        return {
          title: `q_scaled[${queryLabels[row]}][${col}] = q / √head_dim`,
          lines: [`${paren(q)} / √${hd} = ${paren(q)} / ${n(Math.sqrt(hd))}`, `= ${n(value('q_scaled', row * E + col))}`],
          sources: cells('q', [row], [col]),
        };
      }
      case 'scores': {
        const cols = range(hd, head * hd);
        const pairs = cols.map((d) => [value('q_scaled', row * E + d), value('k', col * E + d)]);
        const score = value('scores', (head * L + row) * S2 + col);
        const lines = [products(pairs, t)];
        const sources = [...cells('q_scaled', [row], cols), ...cells('k', [col], cols)];
        const masks = [];
        if (col < S && inputs.attn_mask) {
          masks.push('attn_mask');
          sources.push(...cells('attn_mask', [row], [col], c.attn_mask_per_head ? head : null));
        }
        if (col < S && inputs.key_padding_mask) {
          masks.push('key_padding_mask');
          sources.push(...cells('key_padding_mask', [0], [col]));
        }
        if (score === -Infinity) lines.push(t('x.masked', { masks: masks.length > 1 ? t('x.or', { a: masks[0], b: masks[1] }) : masks[0] }));
        else if (masks.length) lines.push(t(masks.length > 1 ? 'x.add2' : 'x.add', { masks: masks.length > 1 ? t('x.and', { a: masks[0], b: masks[1] }) : masks[0], n: n(score - pairs.reduce((s, [a, b]) => s + a * b, 0)) }));
        lines.push(`= ${n(score)}`);
        return { title: `scores[${t('x.head', { h: head + 1 })}][${queryLabels[row]}][${keyLabels[col]}] = q_scaled · k${masks.length ? ' + mask' : ''}`, lines, sources };
      }
      case 'weights': {
        const rowStart = (head * L + row) * S2;
        const scores = range(S2).map((j) => value('scores', rowStart + j));
        const w = value('weights', rowStart + col);
        const title = `weights[${t('x.head', { h: head + 1 })}][${queryLabels[row]}][${keyLabels[col]}]: ${t('x.attends', { q: queryLabels[row], k: keyLabels[col] })}`;
        const sources = cells('scores', [row], range(S2), head);
        if (Number.isNaN(w)) {
          const allMasked = scores.every((s) => s === -Infinity);
          return { title, sources, lines: [t(allMasked ? 'x.allmasked' : 'x.nan'), t('x.nanpt')] };
        }
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const sum = exps.reduce((a, b) => a + b, 0);
        const terms = scores.slice(0, MAX_TERMS).map((s) => `exp(${paren(s)} − ${paren(max)})`).join(' + ') + (S2 > MAX_TERMS ? ` + ${t('x.more', { n: S2 - MAX_TERMS })}` : '');
        return {
          title, sources,
          lines: [`exp(s − max) / Σ exp(s − max), max = ${n(max)}`, `exp(${paren(scores[col])} − ${paren(max)}) / (${terms})`,
            `= ${Format.fullText(exps[col]).slice(0, 6)} / ${n(sum)} = ${n(w)}`],
        };
      }
      case 'attn_weights': {
        if (!c.average_attn_weights) return explain({ parsed, stages, labels, lang }, 'weights', head, row, col);
        const each = range(H).map((h) => value('weights', (h * L + row) * S2 + col));
        return {
          title: `attn_weights[${queryLabels[row]}][${keyLabels[col]}]: ${t('x.mean', { H, s: H > 1 ? 's' : '' })}`,
          lines: [`(${each.map(n).join(' + ')}) / ${H}`, `= ${n(value('attn_weights', row * S2 + col))}`],
          sources: range(H).map((h) => ({ stage: 'weights', head: h, row, col })),
        };
      }
      case 'context': {
        const h = Math.floor(col / hd);
        const pairs = range(S2).map((j) => [value('weights', (h * L + row) * S2 + j), value('v', j * E + col)]);
        return {
          title: `context[${queryLabels[row]}][${col}] = weights[${t('x.head', { h: h + 1 })}][${queryLabels[row]}] · v[:, ${col}]`,
          lines: [products(pairs, t), `= ${n(value('context', row * E + col))}`],
          sources: [...cells('weights', [row], range(S2), h), ...cells('v', range(S2), [col])],
        };
      }
      case 'output': {
        const result = linear('context', stages.context.data, E, row, 'out_proj.weight', inputs['out_proj.weight'], col, 'out_proj.bias', c.bias ? inputs['out_proj.bias'] : null, col, value('output', row * E + col));
        return { title: `output[${queryLabels[row]}][${col}] = context[${queryLabels[row]}] · W_o[${col}]ᵀ${c.bias ? ` + b_o[${col}]` : ''}`, ...result };
      }
    }
    return null;
  }

  const api = { explain };
  if (isNode) module.exports = api;
  else root.AttnExplain = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
