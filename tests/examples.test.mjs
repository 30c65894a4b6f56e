// examples.test.mjs: the trained examples (web/examples/NAME.json, made by
// tests/fixtures/train_examples.py) through the core: each meets each of its
// claims, a scrambled copy of its in-projection fails them, and a new
// sentence typed from its vocabulary keeps the pattern (claims re-derived for
// it). Also: the files' format, the vocabulary module (web/page/model/
// vocabulary.js), the lessons' placeholders, the CLI on every file, the
// #example=NAME links, the bundle make builds for the page, and the page
// opened on each example's link in Chromium and Firefox.
import { test, describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { createAttention } from '../web/attention.mjs';
import { compareStages, ROOT } from './helpers.mjs';
import { BROWSERS, PAGE_URL, launch, visit, readStages, pageHash } from './browser.mjs';

const require = createRequire(import.meta.url);
const Case = require('../web/case.js');
const Cases = require('../web/page/model/cases.js');
const Link = require('../web/page/model/link.js');
const Catalogue = require('../web/page/model/catalogue.js');
const Vocabulary = require('../web/page/model/vocabulary.js');
const Lessons = require('../web/page/model/lessons.js');
const { Session } = require('../web/page/model/session.js');

const EXAMPLE_DIR = join(ROOT, 'web', 'examples');
const BUNDLE = join(ROOT, 'build', 'attn-examples.js');
const FILES = readdirSync(EXAMPLE_DIR).filter((f) => f.endsWith('.json')).sort();
const examples = FILES.map((file) => ({ name: file.replace(/\.json$/, ''), file: JSON.parse(readFileSync(join(EXAMPLE_DIR, file), 'utf8')) }));
const attention = await createAttention();
const copy = (x) => JSON.parse(JSON.stringify(x));
const plain = (text) => text.replace(/[\u2068\u2069]/g, '');

/* Every claim of an example measured on a case (its targets re-derived for
 * the case's tokens): [{ claim, mean, met }]. */
function claimsOn(file, c) {
  const stages = attention.forward(c);
  return Vocabulary.claimsFor(file.expect, c.tokens).map((claim) => ({ claim, ...Vocabulary.measure(claim, stages) }));
}

/* A seeded shuffle (Fisher-Yates) of an array's copy. */
function shuffled(list, random) {
  const out = list.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

test('there are at least three trained examples, among them previous word, a match, and two heads with two jobs', () => {
  assert.ok(examples.length >= 3, `${examples.length} example files`);
  const patterns = examples.map(({ file }) => file.expect.map((c) => c.pattern));
  assert.ok(examples.some(({ file }) => file.case.num_heads === 1 && file.expect.some((c) => c.pattern === 'previous' && c.min_mean_weight >= 0.8)), 'previous word: one head, at least 0.8');
  assert.ok(examples.some(({ file }) => file.expect.some((c) => c.pattern === 'match' && c.min_mean_weight >= 0.7)), 'find the match: at least 0.7');
  assert.ok(examples.some(({ file }) => file.case.num_heads === 2 && new Set(file.expect.map((c) => c.head)).size === 2
    && new Set(file.expect.map((c) => c.pattern)).size === 2 && file.expect.every((c) => c.min_mean_weight >= 0.7)), 'two heads, two patterns, at least 0.7 each');
  assert.ok(patterns.flat().length >= 4);
});

for (const { name, file } of examples) {
  describe(`example ${name}`, () => {
    const c = file.case;
    const E = c.embed_dim;

    it('is a well-formed example file: the case the page can show, X = word + position in float32, the claims’ targets by their rules', () => {
      assert.deepEqual(Object.keys(file), ['version', 'title', 'summary', 'lesson', 'translations', 'try', 'expect', 'vocabulary', 'case', 'trained']);
      assert.equal(file.version, 1);
      for (const key of ['title', 'summary']) assert.ok(typeof file[key] === 'string' && file[key].length > 0, key);
      const parsed = Cases.check(c);
      assert.ok(parsed.config.embed_dim <= 16 && parsed.config.tgt_len <= 12, 'small enough for numbers to show');
      assert.equal(Cases.maskMode(c), 'causal');
      const { words, positions } = file.vocabulary;
      for (const [word, row] of Object.entries(words)) assert.equal(row.length, E, `words.${word}`);
      for (const row of positions) assert.equal(row.length, E, 'a position row');
      assert.ok(positions.length >= c.tokens.length);
      for (const row of [...Object.values(words), ...positions, ...c.in_proj_weight, c.in_proj_bias, ...c['out_proj.weight'], c['out_proj.bias']])
        for (const x of row) assert.ok(Number.isInteger(Math.round(x * 100)) && Math.abs(x * 100 - Math.round(x * 100)) < 1e-6, `${x}: two decimals`);
      c.query.forEach((row, i) => row.forEach((x, k) => {
        const sum = Math.fround(Math.fround(words[c.tokens[i]][k]) + Math.fround(positions[i][k]));
        assert.equal(Math.fround(x), sum, `query[${i}][${k}] is words.${c.tokens[i]}[${k}] + positions[${i}][${k}] in float32`);
        assert.equal(x, Case.jsonNumber(sum), 'written shortest');
      }));
      assert.deepEqual(Vocabulary.sentenceOf(file.vocabulary, c), c.tokens);
      file.expect.forEach((claim, k) => {
        assert.ok(Number.isInteger(claim.head) && claim.head >= 0 && claim.head < c.num_heads, `claim ${k}: a head of the case`);
        assert.ok(claim.targets.length > 0, `claim ${k} has targets in the example's sentence`);
        assert.deepEqual(claim.targets, Vocabulary.targetsOf(claim, c.tokens), `claim ${k}: targets as its rule gives them`);
      });
      for (const sentence of file.try) assert.doesNotThrow(() => Vocabulary.parseSentence(file.vocabulary, sentence), sentence);
    });

    it('meets each claim through the core', (t) => {
      for (const { claim, mean, met } of claimsOn(file, c)) {
        t.diagnostic(`head ${claim.head}, ${claim.pattern}: mean weight ${mean.toFixed(4)} on ${claim.targets.length} targets (at least ${claim.min_mean_weight})`);
        assert.ok(met, `head ${claim.head}, ${claim.pattern}: ${mean} < ${claim.min_mean_weight}`);
      }
    });

    it('fails each claim with its in-projection weights scrambled (so the test above can fail)', () => {
      const random = Cases.seededRandom(12);
      const flat = shuffled(c.in_proj_weight.flat(), random);
      const scrambled = { ...copy(c), in_proj_weight: c.in_proj_weight.map((row, i) => flat.slice(i * E, (i + 1) * E)) };
      for (const { claim, mean, met } of claimsOn(file, scrambled))
        assert.equal(met, false, `head ${claim.head}, ${claim.pattern}: still ${mean} with scrambled weights`);
    });

    it('keeps the pattern on new sentences typed from its vocabulary, the claims re-derived for each', (t) => {
      const sentences = [...file.try];
      /* previous-word claims hold for any string of the vocabulary (the heads
       * that have them were trained on random strings too) */
      const anyString = file.expect.filter((claim) => claim.pattern === 'previous');
      const random = Cases.seededRandom(7);
      const words = Vocabulary.wordsOf(file.vocabulary);
      const strings = anyString.length ? Array.from({ length: 20 }, () =>
        Array.from({ length: 2 + Math.floor(random() * (file.vocabulary.positions.length - 1)) }, () => words[Math.floor(random() * words.length)]).join(' ')) : [];
      for (const sentence of [...sentences, ...strings]) {
        assert.notEqual(sentence, c.tokens.join(' '), 'a sentence other than the example’s');
        const typed = Vocabulary.sentenceCase(file.vocabulary, sentence, c);
        assert.equal(Cases.maskMode(typed), 'causal', 'the causal mask stays causal');
        const claims = claimsOn(file, typed).filter(({ claim }) => sentences.includes(sentence) || claim.pattern === 'previous');
        for (const { claim, mean, met } of claims) {
          if (sentences.includes(sentence)) assert.ok(claim.targets.length > 0, `${sentence}: claim on head ${claim.head} has targets`);
          assert.ok(met, `“${sentence}”: head ${claim.head}, ${claim.pattern}: ${mean} < ${claim.min_mean_weight}`);
        }
        if (sentences.includes(sentence)) t.diagnostic(`“${sentence}”: ${claims.map(({ mean }) => mean.toFixed(3)).join(', ')}`);
      }
    });

    it('has a lesson for sections of the walk-through, every placeholder filled with live numbers', () => {
      const sections = Catalogue.sections({ parsed: Case.parseCase(c), case: c, stages: attention.forward(c), inputShapes: attention.inputShapes() }).map((s) => s.id);
      const lessons = [file.lesson, ...Object.values(file.translations).map((words) => words.lesson)]; /* (every language's) */
      for (const [section, sentences] of lessons.flatMap(Object.entries)) {
        assert.ok(sections.includes(section), `lesson.${section}: a section of the page (${sections.join(', ')})`);
        for (const sentence of [c.tokens.join(' '), ...file.try]) {
          const typed = Vocabulary.sentenceCase(file.vocabulary, sentence, c);
          const stages = attention.forward(typed);
          const claims = Vocabulary.claimsFor(file.expect, typed.tokens);
          for (const text of sentences) {
            const shown = Vocabulary.renderLesson(text, { claims, tokens: typed.tokens, stages });
            assert.ok(shown !== null && !/[{}]/.test(shown), `${section}, “${sentence}”: ${text}`);
          }
        }
      }
      /* the numbers are the live ones: the weight of the last target, as a cell shows it */
      const claims = Vocabulary.claimsFor(file.expect, c.tokens);
      const [i, j] = claims[0].targets.at(-1);
      const stages = attention.forward(c);
      const weight = stages.weights.data[(claims[0].head * c.tokens.length + i) * c.tokens.length + j];
      assert.equal(plain(Vocabulary.renderLesson('{query} {weight} {key} {head} {min_mean} {targets}', { claims, tokens: c.tokens, stages })),
        `${c.tokens[i]} ${weight.toFixed(2)} ${c.tokens[j]} ${claims[0].head + 1} ${claims[0].min_mean_weight} ${claims[0].targets.length}`);
    });

    it('opens from #example=NAME, and is linked by its name while unchanged', () => {
      const state = Link.decode(`#example=${name}`);
      assert.deepEqual(state.case, c);
      assert.deepEqual(Cases.EXAMPLES[name].make(), c);
      assert.equal(Link.encode(state), `#example=${name}`);
      const edited = copy(c);
      edited.in_proj_weight[0][0] += 0.5;
      assert.notEqual(Link.encode({ case: edited }), `#example=${name}`, 'an edited example is the user’s own');
      assert.equal(Cases.EXAMPLES[name].kind, 'trained');
      for (const key of ['title', 'summary', 'lesson', 'vocabulary', 'expect', 'try']) assert.deepEqual(Cases.EXAMPLES[name][key], file[key], key);
    });

    it('runs in the CLI, which computes the file’s case', () => {
      const run = spawnSync(process.execPath, [join(ROOT, 'web', 'cli.mjs'), join(EXAMPLE_DIR, `${name}.json`)], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stderr, '');
      assert.equal(run.stdout, Case.stagesToJSON(attention.forward(c)) + '\n');
    });
  });
}

test('the vocabulary: an unknown word is named, with the vocabulary; nothing of the case shown changes', () => {
  const { file } = examples.find((e) => e.name === 'pronoun');
  const base = Cases.EXAMPLES.pronoun.make();
  const before = copy(base);
  const words = Vocabulary.wordsOf(file.vocabulary);
  assert.throws(() => Vocabulary.sentenceCase(file.vocabulary, 'tom met the dog', base), (e) => e.name === 'CaseError' && e.key === 'tokens'
    && e.message.startsWith('“the” and “dog” are not in this example’s vocabulary. Its words: ') && e.message.endsWith(`${words.join(', ')}.`));
  assert.throws(() => Vocabulary.sentenceCase(file.vocabulary, 'Tom met anna', base), /“Tom” is not in this example’s vocabulary \(“tom” is\)/);
  assert.throws(() => Vocabulary.sentenceCase(file.vocabulary, '   ', base), /type a sentence: words of the vocabulary \(tom, sam/);
  assert.throws(() => Vocabulary.sentenceCase(file.vocabulary, 'tom '.repeat(file.vocabulary.positions.length + 1), base),
    new RegExp(`has ${file.vocabulary.positions.length + 1} words; this example’s position table has rows for ${file.vocabulary.positions.length}`));
  assert.throws(() => Vocabulary.sentenceCase(file.vocabulary, 'tom left', Cases.withEmbedDim(base, 4)), (e) => e.key === 'embed_dim');
  assert.deepEqual(base, before, 'the case shown is untouched');
});

test('the vocabulary: a sentence keeps the case’s weights and edits, and resizes its masks (causal stays causal)', () => {
  const { file } = examples.find((e) => e.name === 'two_heads');
  const base = copy(file.case);
  base.in_proj_weight[3][1] = 1.25; /* an edit by hand */
  const typed = Vocabulary.sentenceCase(file.vocabulary, 'kate left', base);
  assert.equal(typed.in_proj_weight[3][1], 1.25);
  assert.deepEqual(typed.tokens, ['kate', 'left']);
  assert.deepEqual(typed.attn_mask, [[false, true], [false, false]]);
  assert.deepEqual(typed.query, Vocabulary.embed(file.vocabulary, ['kate', 'left']).sum);
  assert.deepEqual(Vocabulary.sentenceOf(file.vocabulary, typed), ['kate', 'left']);
  assert.equal(Vocabulary.sentenceOf(file.vocabulary, { ...typed, query: [typed.query[0], typed.query[1].map((x, k) => (k ? x : x + 0.01))] }), null, 'X edited by hand');
  assert.deepEqual(Vocabulary.sentenceCase(file.vocabulary, file.case.tokens.join(' '), file.case), file.case, 'its own sentence gives the example back');
  /* other masks keep what fits and mask nothing new */
  const bool = { ...base, attn_mask: base.attn_mask.map((row) => row.map(() => false)), key_padding_mask: base.tokens.map((_, i) => i === 1) };
  bool.attn_mask[0][2] = true;
  const longer = Vocabulary.sentenceCase(file.vocabulary, 'anna called sam because he helped her today', bool);
  assert.deepEqual(longer.attn_mask[0].slice(0, 3), [false, false, true]);
  assert.deepEqual(longer.attn_mask[7], new Array(8).fill(false));
  assert.deepEqual(longer.key_padding_mask, [false, true, false, false, false, false, false, false]);
  const float = Vocabulary.sentenceCase(file.vocabulary, 'tom left', Cases.withMaskMode(base, 'float'));
  assert.deepEqual(float.attn_mask, [[0, '-Infinity'], [0, 0]]);
  assert.equal(Vocabulary.sentenceCase(file.vocabulary, 'tom left', Cases.withMaskMode(base, 'none')).attn_mask, undefined);
  const embedded = Vocabulary.embed(file.vocabulary, ['tom', 'left']);
  assert.deepEqual(embedded.word, [file.vocabulary.words.tom, file.vocabulary.words.left]);
  assert.deepEqual(embedded.position, file.vocabulary.positions.slice(0, 2));
});

test('the claim rules: previous, and match with none, one or several earlier candidates', () => {
  const previous = { pattern: 'previous' };
  assert.deepEqual(Vocabulary.targetsOf(previous, ['a']), []);
  assert.deepEqual(Vocabulary.targetsOf(previous, ['a', 'b', 'c']), [[1, 0], [2, 1]]);
  const match = { pattern: 'match', match: { he: ['tom', 'sam'], her: ['anna'] } };
  assert.deepEqual(Vocabulary.targetsOf(match, 'tom met anna and he thanked her'.split(' ')), [[4, 0], [6, 2]]);
  assert.deepEqual(Vocabulary.targetsOf(match, 'tom met sam and he left'.split(' ')), [], 'two men: ambiguous, no target');
  assert.deepEqual(Vocabulary.targetsOf(match, 'he met tom'.split(' ')), [], 'the name after the pronoun is not a target');
  assert.throws(() => Vocabulary.targetsOf({ pattern: 'next' }, ['a']), /"previous" or "match"/);
});

test('a lesson sentence whose claim has no target in the sentence shown is left out; a bad placeholder throws', () => {
  const { file } = examples.find((e) => e.name === 'pronoun');
  const typed = Vocabulary.sentenceCase(file.vocabulary, 'tom met sam and he smiled', file.case);
  const stages = attention.forward(typed);
  const claims = Vocabulary.claimsFor(file.expect, typed.tokens);
  assert.deepEqual(claims[0].targets, []);
  assert.equal(Vocabulary.renderLesson('“{query}” puts {weight} on “{key}”.', { claims, tokens: typed.tokens, stages }), null);
  assert.equal(Vocabulary.renderLesson('Head {head}, at least {min_mean}, {targets} targets.', { claims, tokens: typed.tokens, stages }), 'Head 1, at least 0.7, 0 targets.');
  assert.throws(() => Vocabulary.renderLesson('{wieght}', { claims, tokens: typed.tokens, stages }), /unknown placeholder \{wieght\}/);
  assert.throws(() => Vocabulary.renderLesson('{mean:3}', { claims, tokens: typed.tokens, stages }), /there is no claim 3/);
});

test('the lessons under a causal mask read the first row that weighs two keys: the what-if (the core’s weights beside softmax(q·kᵀ), masked keys 0), the scores, softmax and context steps', () => {
  const Text = require('../web/page/text/text.js');
  const session = new Session({ attention, state: Link.decode('#example=previous_word'), lang: 'en' });
  const c = session.case, stages = attention.forward(c), [, , S] = stages.scores.shape, E = c.embed_dim;
  const w = Lessons.whatIf(session);
  assert.equal(w.query, c.tokens[1], 'row 0 of a causal mask weighs one key: row 1');
  assert.deepEqual(w.scaled, Array.from(stages.weights.data.subarray(S, 2 * S)));
  const open = (j) => !c.attn_mask[1][j]; /* (a bool mask: true is masked) */
  const dots = Array.from({ length: S }, (_, j) => (open(j) ? Array.from({ length: E }, (_, d) => stages.q.data[E + d] * stages.k.data[j * E + d]).reduce((a, b) => a + b) : -Infinity));
  const exps = dots.map((x) => Math.exp(x - Math.max(...dots))), sum = exps.reduce((a, b) => a + b);
  w.unscaled.forEach((x, j) => assert.ok(Math.abs(x - exps[j] / sum) < 1e-5, `key ${j}: ${x} against ${exps[j] / sum}`));
  assert.deepEqual(w.unscaled.map((x, j) => open(j) || x === 0), Array(S).fill(true), 'a masked key: 0');
  assert.notDeepEqual(w.unscaled.map((x) => x.toFixed(2)), w.scaled.map((x) => x.toFixed(2)), 'the division shows');
  /* the softmax and context lessons read that row too (its first was [1, 0, …]): each number cited is the core's, at row 1 */
  const Format = require('../web/page/model/format.js');
  for (const [section, stage] of [['softmax', 'weights'], ['context', 'weights'], ['scores', 'scores']]) {
    const cited = Lessons.lesson(session, section).flat().filter((x) => x.cite && x.cite[0].stage === stage).map((x) => [x.cite[0].row, x.text, Format.cellText(stages[stage].data[x.cite[0].row * S + x.cite[0].col])]);
    assert.ok(cited.length > 0 && cited.every(([row, text, core]) => row === 1 && text === core), `${section}: ${JSON.stringify(cited)}`);
  }
  assert.doesNotMatch(Lessons.lesson(session, 'scores').map(Lessons.text).join(' '), /scores −∞/, 'the pair it reads is not a masked one');
  /* the lesson promises the table only when there is one: not for one token */
  const said = (s) => Lessons.lesson(s, 'scale').map(Lessons.text).join(' ');
  assert.match(said(session), new RegExp(Text.t('en', 'l.sc.3')));
  const alone = new Session({ attention, state: { case: { ...Cases.lectureCase(), query: [[0.2, 0.1]], tokens: ['I'] }, view: {} }, lang: 'en' });
  assert.equal(Lessons.whatIf(alone), null);
  assert.doesNotMatch(said(alone), /Below/);
});

test('the first lesson quotes a sentence whole up to 16 tokens, a longer one by its first ten and last three, and the first token\'s numbers: two, and how many more', () => {
  const said = (c) => Lessons.lesson(new Session({ attention, state: { case: c, view: {} }, lang: 'en' }), 'embeddings').map(Lessons.text).join(' ').replace(/[\u2068\u2069]/g, ''); /* (without the isolates round each name) */
  const paragraph = Cases.EXAMPLES.paragraph.make();
  assert.match(said(paragraph), new RegExp(`^“${paragraph.tokens.join(' ')}” is 16 tokens\\.`));
  const L = 40, long = { ...Cases.lectureCase(), tokens: Array.from({ length: L }, (_, i) => `t${i}`), query: Array.from({ length: L }, (_, i) => [i / L, 1 - i / L]) };
  assert.match(said(long), /^“t0 t1 t2 t3 t4 t5 t6 t7 t8 t9 … t37 t38 t39” is 40 tokens\. Each token is a row of E = 2 numbers, its embedding: “t0” is 0\.00, 1\.00\./);
  /* E = 32: two of the core's numbers, then 30 more; E = 1: its one number, once */
  const Format = require('../web/page/model/format.js'), first = paragraph.query[0];
  assert.match(said(paragraph), new RegExp(`its embedding: “attention” is ${Format.cellText(first[0])}, ${Format.cellText(first[1])} and 30 more\\. Stacked`));
  const one = { ...Cases.lectureCase(), embed_dim: 1, query: [[0.25], [0.5], [-1]], in_proj_weight: [[1], [2], [3]], in_proj_bias: [0, 0, 0], 'out_proj.weight': [[1]], 'out_proj.bias': [0] };
  assert.match(said(one), /row of E = 1 numbers, its embedding: “I” is 0\.25\. Stacked/);
});

test('the in-projection lesson says where its numbers come from: the lecture’s by hand, a random example’s, a trained one’s (edited too), or the user’s own', () => {
  const from = (session) => Lessons.lesson(session, 'in-projection').map(Lessons.text).at(-1);
  const open = (name) => new Session({ attention, state: Link.decode(`#example=${name}`), lang: 'en' });
  const lecture = open('lecture'), pronoun = open('pronoun');
  assert.match(from(lecture), /^These are the lecture’s numbers, chosen by hand/);
  assert.match(from(open('sentence')), /^These numbers start random/);
  assert.match(from(pronoun), /^These numbers were learned/);
  for (const session of [lecture, pronoun]) session.apply({ type: 'cell', key: 'in_proj_weight', index: 0, value: 0.125 });
  assert.match(from(lecture), /^These are your numbers\./, 'an edited lecture');
  assert.match(from(pronoun), /^These numbers were learned/, 'an edited trained example keeps its lesson');
});

test('make’s bundle holds exactly the example files, for Node and as the page’s global AttnExamples', () => {
  const text = readFileSync(BUNDLE, 'utf8');
  const files = Object.fromEntries(examples.map(({ name, file }) => [name, file]));
  assert.deepEqual(require(BUNDLE), files);
  const page = {};
  vm.runInNewContext(text, page);
  assert.deepEqual(Object.keys(page), ['AttnExamples']);
  assert.deepEqual(JSON.parse(JSON.stringify(page.AttnExamples)), files);
  const html = readFileSync(join(ROOT, 'index.html'), 'utf8');
  assert.ok(html.indexOf('src="build/attn-examples.js"') < html.indexOf('src="web/page/model/cases.js"'), 'index.html loads it before cases.js');
  const trained = Object.entries(Cases.EXAMPLES).filter(([, e]) => e.kind === 'trained').map(([n]) => n);
  assert.deepEqual(trained, examples.map(({ name }) => name), 'every file is a trained example of the page');
});

for (const browserName of BROWSERS) {
  describe(`trained examples in ${browserName}`, { concurrency: false }, () => {
    let browser;
    before(async () => { browser = await launch(browserName); });
    after(async () => { await browser?.close(); });

    for (const { name, file } of examples)
      it(`opens index.html#example=${name} on its case: every stage the core’s`, async () => {
        const problems = await visit(browser, `${PAGE_URL}#example=${name}`, async (page) => {
          assert.deepEqual(compareStages(await readStages(page), attention.forward(file.case)), []);
          assert.equal(await pageHash(page), `#example=${name}`);
        });
        assert.deepEqual(problems, [], 'no console error, page error or dialog');
      });
  });
}
