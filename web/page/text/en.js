/* en.js: the page's English, the table every other language copies (and
 * falls back to). Keys: app.* the view's frame, walk.* the walk-through,
 * sec.* the sections, l.* the lessons, x.* the explanations, w.* the widget.
 * {name}: a value the code fills in (numbers come formatted as cells are).
 *
 * A classic script: adds itself to AttnText in a page; module.exports in Node.
 * needs: AttnText */
(function (root) {
  'use strict';

  const table = {
    'app.skip': 'Skip to the matrices',
    'app.footer': 'Every number is computed by the attention core in WebAssembly ({build} build), float32, as torch.nn.MultiheadAttention computes it.',
    'app.every': 'Show every stage',
    'app.showing': 'Showing {stage} and the embeddings. ',

    'w.wait': 'Attention, number by number: it starts when it comes into view…',
    'w.share': 'Export / import',
    'w.train': 'Train this layer…',
    'w.trainit': 'train it',

    'l.emb.1': '{tokens} is {L} token{s}. Each token is a row of E = {E} numbers, its embedding: {first} is {a}, {b}{more}.',
    'l.emb.2': 'Stacked, the rows make X, a {L}×{E} matrix: L×E, L tokens by E features. Attention will turn it into another L×E matrix in which every row has looked at every other.',
    'l.inp.packed': 'nn.MultiheadAttention keeps W_q, W_k and W_v stacked in one in_proj_weight of 3E×E = {E3}×{E}{bias}. Each band is E×E.',
    'l.inp.bias': ', and their biases in in_proj_bias (3E = {E3})',
    'l.inp.apart': 'With kdim or vdim unlike E, nn.MultiheadAttention keeps W_q, W_k and W_v apart: q_proj_weight (E×E), k_proj_weight (E×kdim) and v_proj_weight (E×vdim).',
    'l.inp.2': 'The lecture drew the key’s band first. PyTorch’s order is q, k, v, and that is the order that runs here.',
    'l.inp.3': 'These numbers start random (try “PyTorch init”); training would tune them. Change any of them and watch everything after them follow.',
    'l.qkv.1': 'Q = X·W_qᵀ + b_q. X is {L}×{E} and W_q is {E}×{E}: transposed, its rows meet X’s columns, so the product is {L}×{E}{bias}.',
    'l.qkv.bias': ', and the bias is added to every row',
    'l.qkv.2': 'For example q[{token}][0] = {sum} = {q}.',
    'l.qkv.3': 'Each row of Q is what that token is looking for in the others. K and V are made the same way, with W_k and W_v: a key row is what a token offers to be matched against; a value row is what it hands over when it is attended to.',
    'l.qkv.extra': 'With {which}, K and V get extra rows: keys every query can fall back on.',
    'l.qkv.biaskv': 'add_bias_kv (one learned row)',
    'l.qkv.zero': 'add_zero_attn (one zero row)',
    'l.qkv.both': 'add_bias_kv (one learned row) and add_zero_attn (one zero row)',
    'l.sc.1': 'PyTorch divides Q by √head_dim = √{hd} = {root} before the product: q[0][0] = {q} becomes {qs}. The lecture writes √E; with one head, head_dim is E.',
    'l.sc.2': 'A dot product of d numbers grows like √d. Dividing keeps the scores in a range where softmax still spreads its weight, instead of putting nearly all of it on one key. Below: the first row’s weights as PyTorch computes them, and what they would be without the division.',
    'l.sco.1': 'scores = Q_scaled·Kᵀ: {L}×{hd} · {hd}×{S2} → {L}×{S2}{heads}.',
    'l.sco.heads': ' for each of the {H} heads, each on its own {hd} features',
    'l.sco.2': 'Row i, column j says how well token i’s query matches token j’s key: {a} against {b} scores {s}.',
    'l.sco.masked': 'Masked pairs are −∞: softmax will give them nothing.',
    'l.sm.1': 'Softmax turns each row of scores into weights that are positive and sum to 1: exp(s − max) / Σ exp(s − max).',
    'l.sm.nan': 'Row {a} is NaN: all its keys are masked.',
    'l.sm.read': 'Read a row: {a} gives {shares}. That last number is how much {a} attends to {b}.',
    'l.sm.to': '{w} to {token}',
    'l.sm.heads': 'Each of the {H} heads has its own weights; attn_weights{which}.',
    'l.sm.mean': ', what the module returns, is their mean',
    'l.sm.all': ' holds them all (average_attn_weights=False)',
    'l.ctx.1': 'context = weights·V: {L}×{S2} · {S2}×{hd} → {L}×{hd} per head{side}.',
    'l.ctx.side': ', the heads side by side',
    'l.ctx.2': 'Each row is a mix of the value rows, in the proportions of its weights: context[{token}] = {mix} = {c}, …',
    'l.out.1': 'output = context·W_oᵀ{bias}: {L}×{E} · {E}×{E} → {L}×{E}, the same shape as X: output[0][0] = {o}.',
    'l.out.2': 'Every token’s row now carries what it gathered from the tokens it attended to. This is what the layer passes on to the next one.',

    'x.terms': '… ({n} more terms)',
    'x.more': '… ({n} more)',
    'x.biaskv': 'add_bias_kv appends {bias} as one more row',
    'x.zero': 'add_zero_attn appends a row of zeros',
    'x.masked': 'masked by {masks}: −∞, so softmax gives it weight 0',
    'x.or': '{a} or {b}',
    'x.and': '{a} and {b}',
    'x.add': '{masks} add {n}',
    'x.add2': '{masks} add {n}',
    'x.head': 'head {h}',
    'x.attends': 'how much “{q}” attends to “{k}”',
    'x.allmasked': 'every key of this row is masked: softmax divides 0 by 0',
    'x.nan': 'a NaN or ∞ reached this row of scores',
    'x.nanpt': '= NaN, as PyTorch gives',
    'x.mean': 'the mean over {H} head{s}',
  };

  if (typeof module === 'object' && module.exports) module.exports = table;
  else root.AttnText.add('en', table);
})(typeof globalThis !== 'undefined' ? globalThis : this);
