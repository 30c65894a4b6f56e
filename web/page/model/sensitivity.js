/* sensitivity.js: what moves one result. A result is one number of `output`
 * (row, col) or of `weights` (head, row, col), named as in a link:
 * "output:0,1", "weights:0,2,1". Its gradient with respect to every input
 * the module trains or receives is one backward pass with a one-hot
 * dL/d result: ∂result/∂cell for every cell at once.
 *
 *   parse('output:0,1')                -> { stage, head, row, col } | null
 *   text(result)                       -> 'output:0,1'
 *   fault(text, shapes)                -> null, or why the text names no
 *                                         result, keyed: { id, values } (s.*,
 *                                         en.js), as a CaseError takes it
 *     shapes: { output: [L, E], weights: [H, L, S'] }
 *   given(result, shapes)              -> what attention.backward() takes
 *   OVERLAID                           -> the inputs that get an overlay
 *   largest(grads, names)              -> { name, index, value } of max |∂|
 *   resultName(result, labels)         -> 'output[I][1]', 'weights[I][good]'
 *   cellName(name, index, shape, labels) -> 'X[am][0]', 'in_proj_weight[3][1]'
 *   effect(grad, cell, result)         -> 'raising X[am][0] by 0.1 raises output[I][1] by about 0.031'
 *
 * A classic script: the global AttnSensitivity in a page, module.exports in Node.
 * needs: AttnFormat, AttnText */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Format = isNode ? require('./format.js') : root.AttnFormat;
  const Text = isNode ? require('../text/text.js') : root.AttnText;
  const STEP = 0.1; /* the nudge the words speak of: ∂ · 0.1 is what it does, near enough */

  /* The inputs whose cells show ∂result/∂cell (not the masks: constants). */
  const OVERLAID = ['query', 'key', 'value', 'in_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight',
    'in_proj_bias', 'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias'];

  const PATTERN = /^(output):(\d{1,4}),(\d{1,4})$|^(weights):(\d{1,4}),(\d{1,4}),(\d{1,4})$/;

  function parse(text) {
    const m = PATTERN.exec(String(text));
    if (!m) return null;
    return m[1] ? { stage: 'output', head: null, row: +m[2], col: +m[3] } : { stage: 'weights', head: +m[5], row: +m[6], col: +m[7] };
  }

  const text = (r) => (r.stage === 'output' ? `output:${r.row},${r.col}` : `weights:${r.head},${r.row},${r.col}`);

  /* Why the text names no result of these shapes, or null when it does: a
   * key of the tables and its values. */
  function fault(value, shapes) {
    const [L, E] = shapes.output, [H, , S2] = shapes.weights;
    const expected = { id: 's.expected', values: { L, E, H, S: S2 } };
    const r = parse(value);
    if (!r) return { id: 's.notResult', values: { expected, got: String(value).slice(0, 30) } };
    const inside = r.stage === 'output' ? r.row < L && r.col < E : r.head < H && r.row < L && r.col < S2;
    return inside ? null : { id: 's.outside', values: { result: text(r), shape: r.stage === 'output' ? `${L}×${E}` : `${H}×${L}×${S2}`, stage: r.stage, expected } };
  }

  /* dL/d output (and dL/d weights): one-hot at the result, so the gradients
   * backward() returns are ∂result/∂ each number. */
  function given(r, shapes) {
    const [L, E] = shapes.output, [H, , S2] = shapes.weights;
    const output = new Float32Array(L * E);
    if (r.stage === 'output') {
      output[r.row * E + r.col] = 1;
      return { output: { shape: [L, E], data: output } };
    }
    const weights = new Float32Array(H * L * S2);
    weights[(r.head * L + r.row) * S2 + r.col] = 1;
    return { output: { shape: [L, E], data: output }, weights: { shape: [H, L, S2], data: weights } };
  }

  /* The cell of these inputs that moves the result most. */
  function largest(grads, names) {
    let best = null;
    for (const name of names) {
      const data = grads[name] && grads[name].data;
      if (!data) continue;
      for (let i = 0; i < data.length; i++)
        if (Number.isFinite(data[i]) && (!best || Math.abs(data[i]) > Math.abs(best.value))) best = { name, index: i, value: data[i] };
    }
    return best;
  }

  /* Names in words; labels: { query, key, extended } (catalogue.js labels()). */
  const isolate = Format.isolate;
  function resultName(r, labels, heads = 1) {
    if (r.stage === 'output') return `output[${isolate(labels.query[r.row])}][${r.col}]`;
    return `weights${heads > 1 ? `[head ${r.head + 1}]` : ''}[${isolate(labels.query[r.row])}][${isolate(labels.extended[r.col])}]`;
  }

  /* A cell of an input: X and key/value rows by their tokens, weights by index. */
  const TITLES = { query: 'X' };
  function cellName(name, index, shape, labels) {
    const title = TITLES[name] || name;
    if (shape.length === 1) return `${title}[${index}]`;
    const row = Math.floor(index / shape[1]), col = index % shape[1];
    const rowName = name === 'query' ? isolate(labels.query[row]) : name === 'key' || name === 'value' ? isolate(labels.key[row]) : row;
    return `${title}[${rowName}][${col}]`;
  }

  /* What nudging a cell by STEP does to the result, in words. */
  function effect(grad, cell, result, lang = 'en') {
    const change = grad * STEP;
    if (!Number.isFinite(change)) return Text.t(lang, 's.nan', { cell, result, d: Format.dataText(grad) });
    if (Math.abs(change) < 5e-5) return Text.t(lang, 's.still', { cell, step: STEP, result, d: Format.cellText(grad) });
    const amount = Number(Math.abs(change).toPrecision(2));
    return Text.t(lang, change > 0 ? 's.raises' : 's.lowers', { cell, step: STEP, result, delta: amount });
  }

  const api = { OVERLAID, STEP, parse, text, fault, given, largest, resultName, cellName, effect };
  if (isNode) module.exports = api;
  else root.AttnSensitivity = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
