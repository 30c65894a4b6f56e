/* vocabulary.js: a trained example's vocabulary, the sentences made of it,
 * its claims about attention and its lesson's live numbers. Pure: a value
 * in, a new value out; nothing is changed in place.
 *
 * A trained example (web/examples/NAME.json; Cases.EXAMPLES[NAME] with kind
 * 'trained') has a vocabulary { words: { word: [E numbers] }, positions:
 * [[E numbers], one per place] }: the row of X for word w at place i is
 * words[w] + positions[i], added in float32 as PyTorch adds them. Its
 * claims, `expect`, are [{ head, pattern, match?, targets, min_mean_weight }]
 * (README.md, "Trained examples").
 *
 *   wordsOf(vocabulary) -> ['the', 'cat', ...]: its words, in its order
 *   parseSentence(vocabulary, text) -> ['the', 'cat', ...]
 *       text: words separated by spaces (or an array of words); a CaseError (key 'tokens') names every
 *       unknown word and lists the vocabulary, or says the sentence is empty
 *       or longer than the position table
 *   embed(vocabulary, words) -> { word, position, sum }: three L×E tables,
 *       each word's row, each place's row, and X, their float32 sum (the
 *       first step the page shows)
 *   sentenceCase(vocabulary, text, base) -> case
 *       base (the case shown: weights, options and edits kept) with the
 *       sentence's tokens and X; a causal attn_mask stays causal, another
 *       mask keeps what fits and masks nothing new. Throws a CaseError as
 *       parseSentence does, or when base cannot take a sentence (its own
 *       key and value, or an embed_dim unlike the vocabulary's)
 *   sentenceOf(vocabulary, c) -> words, or null: c's tokens when its X is
 *       exactly word + position of them (null once X is edited by hand, or
 *       a token is not a word of the vocabulary)
 *   targetsOf(claim, words) -> [[query row, key column], ...] by the
 *       claim's rule (below), for any sentence
 *   claimsFor(expect, words) -> the claims with their targets for words
 *   measure(claim, stages) -> { mean, weights, met }: the weights of the
 *       claim's head at its targets in stages.weights (H×L×S'), their mean,
 *       and whether it is at least min_mean_weight (mean and met are null
 *       when the sentence gives the claim no target)
 *   renderLesson(text, { claims, tokens, stages }) -> text, or null
 *       a lesson sentence with its placeholders filled in (below)
 *
 * Claim rules (`pattern`):
 *   previous  every row after the first, on the token just before it:
 *             [[1, 0], [2, 1], ...]
 *   match     each token that is a key of the claim's `match` ({ word:
 *             [words] }, e.g. a pronoun and the names it can refer to), on
 *             the one earlier token whose word is in its list; a row with
 *             no such token, or more than one (ambiguous), has no target
 *
 * Lesson placeholders: {field}, {field:c} or {field:c:t}, where c is the
 * claim's index in `expect` (default 0) and t a target's index in that
 * claim's targets for the sentence shown (default -1, the last; negative
 * counts from the end). Fields:
 *   query, key   the token of the target's query row, of its key column
 *   weight       the live weight of the claim's head at the target
 *   mean         the live mean weight over the claim's targets
 *   min_mean     the claim's min_mean_weight, as written
 *   head         the claim's head as the page numbers heads (head 0 is 1)
 *   targets      how many targets the claim has in the sentence shown
 * Live numbers are written as a cell shows them (two decimals). A sentence
 * whose placeholder has nothing to show (the claim has no target in the
 * sentence typed) is left out: renderLesson gives null. An unknown field or
 * claim throws: the example file is wrong.
 *
 * A classic script: the global AttnVocabulary in a page, module.exports in Node.
 * needs: AttnCase, AttnFormat, AttnCases */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../../case.js') : root.AttnCase;
  const Format = isNode ? require('./format.js') : root.AttnFormat;
  const Cases = isNode ? require('./cases.js') : root.AttnCases;

  const error = (key, id, values = {}) => new Case.CaseError(key, id, values); /* (keyed: text/en.js, err.v.*) */
  const f32 = Math.fround;
  const quoted = (words) => words.map((w) => `“${w}”`);
  const listed = (items) => (items.length < 2 ? items.join('') : { id: 'x.and', values: { a: items.slice(0, -1).join(', '), b: items[items.length - 1] } });

  /* ---- sentences ---- */

  const wordsOf = (vocabulary) => Object.keys(vocabulary.words);

  function parseSentence(vocabulary, text) {
    const words = Array.isArray(text) ? text.slice() : String(text).trim().split(/\s+/).filter(Boolean);
    const known = wordsOf(vocabulary);
    if (!words.length) throw error('tokens', 'err.v.type', { words: known.join(', ') });
    const unknown = [...new Set(words.filter((w) => !Object.hasOwn(vocabulary.words, w)))];
    if (unknown.length) {
      const hints = unknown.filter((w) => Object.hasOwn(vocabulary.words, w.toLowerCase())).map((w) => `“${w.toLowerCase()}”`);
      const hint = hints.length ? { id: hints.length > 1 ? 'err.v.hint2' : 'err.v.hint', values: { words: listed(hints) } } : '';
      throw error('tokens', unknown.length > 1 ? 'err.v.unknown2' : 'err.v.unknown', { words: listed(quoted(unknown)), hint, known: known.join(', ') });
    }
    const places = vocabulary.positions.length;
    if (words.length > places) throw error('tokens', 'err.v.long', { n: words.length, places });
    return words;
  }

  /* X[i] = words[word_i] + positions[i], in float32, as the shortest
   * decimal that reads back to it (the JSON format's numbers). */
  function embed(vocabulary, words) {
    const word = words.map((w) => vocabulary.words[w].slice());
    const position = words.map((_, i) => vocabulary.positions[i].slice());
    const sum = word.map((row, i) => row.map((x, k) => Case.jsonNumber(f32(f32(x) + f32(position[i][k])))));
    return { word, position, sum };
  }

  /* A mask's L×L block (or each head's) resized to n×n: what fits is kept,
   * new cells mask nothing. */
  function resizeSquare(m, n, off) {
    return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (m[i] && j < m[i].length ? m[i][j] : off)));
  }

  function sentenceCase(vocabulary, text, base) {
    const words = parseSentence(vocabulary, text);
    if (base.key || base.value) throw error('tokens', 'err.v.self');
    const E = vocabulary.positions[0].length;
    if (Cases.embedDim(base) !== E) throw error('embed_dim', 'err.v.E', { E, n: Cases.embedDim(base) });
    const L = words.length;
    const out = { ...base, tokens: words.slice(), query: embed(vocabulary, words).sum };
    const mode = Cases.maskMode(base);
    if (mode === 'causal') out.attn_mask = Cases.causalMask(L);
    else if (mode !== 'none') {
      const off = mode === 'bool' ? false : 0;
      const perHead = Array.isArray(base.attn_mask[0][0]);
      out.attn_mask = perHead ? base.attn_mask.map((m) => resizeSquare(m, L, off)) : resizeSquare(base.attn_mask, L, off);
    }
    if (base.key_padding_mask) {
      const off = typeof base.key_padding_mask[0] === 'boolean' ? false : 0;
      out.key_padding_mask = Array.from({ length: L }, (_, i) => (i < base.key_padding_mask.length ? base.key_padding_mask[i] : off));
    }
    return out;
  }

  function sentenceOf(vocabulary, c) {
    const words = c.tokens ? Cases.queryTokens(c) : [];
    if (!c.query || !words.length || c.query.length !== words.length || words.length > vocabulary.positions.length) return null;
    if (!words.every((w) => Object.hasOwn(vocabulary.words, w))) return null;
    const { sum } = embed(vocabulary, words);
    const same = sum.every((row, i) => row.length === c.query[i].length && row.every((x, k) => f32(x) === f32(c.query[i][k])));
    return same ? words.slice() : null;
  }

  /* ---- claims ---- */

  function targetsOf(claim, words) {
    if (claim.pattern === 'previous') return words.slice(1).map((_, i) => [i + 1, i]);
    if (claim.pattern === 'match') {
      const targets = [];
      words.forEach((word, i) => {
        if (!Object.hasOwn(claim.match, word)) return;
        const earlier = [];
        for (let j = 0; j < i; j++) if (claim.match[word].includes(words[j])) earlier.push(j);
        if (earlier.length === 1) targets.push([i, earlier[0]]);
      });
      return targets;
    }
    throw new Error(`a claim's pattern is "previous" or "match", not "${claim.pattern}"`);
  }

  const claimsFor = (expect, words) => expect.map((claim) => ({ ...claim, targets: targetsOf(claim, words) }));

  function measure(claim, stages) {
    const [, L, S] = stages.weights.shape;
    const weights = claim.targets.map(([i, j]) => stages.weights.data[(claim.head * L + i) * S + j]);
    if (!weights.length) return { mean: null, weights, met: null };
    const mean = weights.reduce((a, b) => a + b, 0) / weights.length;
    return { mean, weights, met: mean >= claim.min_mean_weight };
  }

  /* ---- lessons ---- */

  const PLACEHOLDER = /\{([a-z_]+)(?::(-?\d+))?(?::(-?\d+))?\}/g;
  const TARGET_FIELDS = ['query', 'key', 'weight'];
  const FIELDS = [...TARGET_FIELDS, 'mean', 'min_mean', 'head', 'targets'];

  function renderLesson(text, { claims, tokens, stages }) {
    let missing = false;
    const filled = text.replace(PLACEHOLDER, (whole, field, c = '0', t = '-1') => {
      if (!FIELDS.includes(field)) throw new Error(`lesson: unknown placeholder ${whole} (fields: ${FIELDS.join(', ')})`);
      const claim = claims[Number(c)];
      if (!claim) throw new Error(`lesson: ${whole}: there is no claim ${c}`);
      if (field === 'min_mean') return String(claim.min_mean_weight);
      if (field === 'head') return String(claim.head + 1);
      if (field === 'targets') return String(claim.targets.length);
      const index = Number(t) < 0 ? claim.targets.length + Number(t) : Number(t);
      const target = claim.targets[index];
      if (!target) { missing = true; return whole; }
      if (field === 'mean') return Format.cellText(measure(claim, stages).mean);
      if (field === 'query') return Format.isolate(tokens[target[0]]);
      if (field === 'key') return Format.isolate(tokens[target[1]]);
      return Format.cellText(measure({ ...claim, targets: [target] }, stages).mean);
    });
    return missing ? null : filled;
  }

  const api = {
    wordsOf, parseSentence, embed, sentenceCase, sentenceOf, targetsOf, claimsFor, measure, renderLesson, FIELDS,
  };
  if (isNode) module.exports = api;
  else root.AttnVocabulary = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
