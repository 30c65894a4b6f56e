// i18n.test.mjs: the words' tables (web/page/text/): every language has
// every key of English and no other, each template with the same
// {placeholders}; and the lookup fills them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Text = require('../web/page/text/text.js');
const placeholders = (template) => [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort(); /* (a language may use one twice) */

for (const lang of Text.LANGUAGES.filter((l) => l !== 'en')) {
  test(`${lang}: every key of en, no other, each with en's placeholders`, () => {
    const en = Text.TABLES.en, other = Text.TABLES[lang];
    assert.deepEqual(Object.keys(other).filter((k) => !(k in en)), [], `keys ${lang} has and en has not`);
    assert.deepEqual(Object.keys(en).filter((k) => !(k in other)), [], `keys en has and ${lang} has not`);
    for (const key of Object.keys(en)) {
      assert.equal(typeof other[key], 'string', key);
      assert.ok(other[key].trim(), `${lang} ${key} is empty`);
      assert.deepEqual(placeholders(other[key]), placeholders(en[key]), `${lang} ${key}: the placeholders`);
    }
  });
}

/* The trained examples' words (web/examples/NAME.json: title, summary,
 * lesson; the other languages under translations): every language has
 * them all, the lesson's sections and sentences as English's, each with
 * English's placeholders. */
test('every trained example has its title, summary and lesson in every language', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const lessonPlaceholders = (sentence) => [...sentence.matchAll(/\{([\w:-]+)\}/g)].map((m) => m[1]).sort();
  const dir = new URL('../web/examples/', import.meta.url);
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const file = JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
    assert.deepEqual(Object.keys(file.translations).sort(), Text.LANGUAGES.filter((l) => l !== 'en').sort(), `${name}: its languages`);
    for (const [lang, words] of Object.entries(file.translations)) {
      assert.deepEqual(Object.keys(words), ['title', 'summary', 'lesson'], `${name} ${lang}`);
      for (const key of ['title', 'summary']) assert.ok(typeof words[key] === 'string' && words[key].trim() && words[key] !== file[key], `${name} ${lang} ${key}`);
      assert.deepEqual(Object.keys(words.lesson), Object.keys(file.lesson), `${name} ${lang}: the lesson's sections`);
      for (const [section, sentences] of Object.entries(file.lesson)) {
        assert.equal(words.lesson[section].length, sentences.length, `${name} ${lang} ${section}: as many sentences`);
        sentences.forEach((sentence, i) => {
          assert.notEqual(words.lesson[section][i], sentence, `${name} ${lang} ${section}[${i}]: translated`);
          assert.deepEqual(lessonPlaceholders(words.lesson[section][i]), lessonPlaceholders(sentence), `${name} ${lang} ${section}[${i}]: the placeholders`);
        });
      }
    }
  }
});

test('t fills placeholders, falls back to English, and pick chooses a language the page has', () => {
  assert.equal(Text.t('es', 'walk.count', { step: 2, steps: 8 }), 'Paso 2 de 8');
  assert.equal(Text.t('en', 'walk.count', { step: 2, steps: 8 }), 'Step 2 of 8');
  assert.equal(Text.t('fr', 'walk.next'), 'Next →');
  assert.equal(Text.pick('es-MX'), 'es');
  assert.equal(Text.pick('ES'), 'es');
  assert.equal(Text.pick('fr'), 'en');
  assert.equal(Text.pick(''), 'en');
  const cite = { text: '0.5', cite: [] };
  assert.deepEqual(Text.parts('es', 'l.sm.to', { w: cite, token: '“I”' }), [cite, ' a ', '“I”']);
  assert.throws(() => Text.t('en', 'no.such.key'), /no key/);
});

/* Errors carry a key of the tables and its values: their message is the
 * English (what the CLI and the JS API print, tests/errors.test.mjs), and
 * the page writes them in its language, phrases within them too. */
test('errors are keyed: the English is their message, and Spanish is written from the same key', () => {
  const Case = require('../web/case.js');
  const Link = require('../web/page/model/link.js');
  const Vocabulary = require('../web/page/model/vocabulary.js');
  const Cases = require('../web/page/model/cases.js');
  const thrown = (f) => { try { f(); } catch (e) { return e; } assert.fail('no error'); };
  const errors = [
    thrown(() => Case.parseCase([1])),
    ...Case.parseCase({ num_heads: 1, query: [[1, 2]], in_proj_bias: [0, 0, 0, 0, 0, 0], bias: false }, { collect: true }).errors,
    thrown(() => Link.decode('#example=lecture&bias=2')),
    thrown(() => Cases.withTokenRemoved({ ...Cases.lectureCase(), query: [[1, 2]], tokens: ['a'] }, 0)),
    thrown(() => Vocabulary.parseSentence(Cases.EXAMPLES.pronoun.vocabulary, 'Tom qq')),
    ...require('../web/page/model/import.js').importStateDict('{"in_proj_weight": 1, "in_proj_weight": 2}', {}).errors,
  ];
  for (const e of errors) {
    assert.ok(e.id && Object.hasOwn(Text.TABLES.en, e.id), `${e.message}: keyed`);
    assert.equal(Text.message('en', e), e.message);
    assert.notEqual(Text.message('es', e), e.message, e.message);
  }
  assert.deepEqual(errors.map((e) => Text.message('es', e)), [
    'un caso debe ser un objeto JSON, no una lista',
    'falta in_proj_weight (3E×E, filas W_q, W_k, W_v)',
    'in_proj_bias: se dio, pero bias es false',
    'falta out_proj.weight (E×E)',
    'bias: se esperaba 0 o 1',
    'hace falta al menos un token',
    '“Tom” y “qq” no están en el vocabulario de este ejemplo (“tom” sí). Sus palabras: ' + Vocabulary.wordsOf(Cases.EXAMPLES.pronoun.vocabulary).join(', ') + '.',
    'JSON mal formado en línea 1, columna 23: la clave "in_proj_weight" aparece dos veces',
  ]);
  assert.equal(Text.message('es', new Error('a plain one')), 'a plain one', 'an error without a key: its message');
});

/* A model file's messages (modelfile.js) are keyed too (mf.*): the English
 * is their message, to the letter the CLI's (tests/modelfile.test.mjs), and
 * the objects stay { key, message } to the API and in JSON; the page writes
 * them, the question for num_heads and the notes in its language. */
const ModelFile = require('../web/page/model/modelfile.js');
const { safetensors, npz, zip, caseTensors } = await import('./tensorfiles.mjs');
const lectureCase = require('../web/page/model/cases.js').lectureCase();
const goodFile = safetensors(caseTensors(lectureCase), { num_heads: '1' });
const damagedFile = goodFile.slice(0, -4); /* its last tensor cut short */

test('a model file\'s errors, question and notes are keyed: the English is their message, and Spanish is written from the same key', async () => {
  const files = [
    [damagedFile, 'damaged.safetensors'], [goodFile.slice(0, 5), 'short.safetensors'], [goodFile, 'x.npz'], [goodFile, 'model.pt'],
    [zip({ 'archive/data.pkl': new Uint8Array([128, 2]) }), 'saved.npz'],
    [npz({ query: { descr: '>f4', shape: [1, 2], data: new Float32Array(2) } }), 'big.npz'],
  ];
  const errors = [];
  for (const [bytes, name] of files) errors.push(...(await ModelFile.readModelFile(bytes, name)).errors);
  const twoModules = safetensors({ ...caseTensors(lectureCase, 'a.'), 'b.out_proj.bias': caseTensors(lectureCase)['out_proj.bias'] }, { num_heads: '1' });
  const asked = [...(await ModelFile.readModelFile(safetensors(caseTensors(lectureCase)), 'bare.safetensors')).missing, ...(await ModelFile.readModelFile(twoModules, 'two.safetensors')).missing];
  assert.equal(Text.message('es', asked[1]), 'module: two.safetensors contiene 2 módulos de atención; ¿cuál? a, b');
  const opened = await ModelFile.readModelFile(safetensors({ ...caseTensors(lectureCase), 'norm.weight': caseTensors(lectureCase)['out_proj.bias'] }), 'layer.safetensors', { options: { num_heads: 1 } });
  for (const e of [...errors, ...asked, ...opened.keyedNotes]) {
    assert.ok(e.id && Object.hasOwn(Text.TABLES.en, e.id), `${e.message}: keyed`);
    assert.equal(Text.message('en', e), e.message);
    assert.notEqual(Text.message('es', e), e.message, e.message);
  }
  for (const e of errors) assert.deepEqual(Object.keys(e), ['key', 'message'], 'the API\'s { key, message }');
  assert.deepEqual(opened.keyedNotes.map((n) => n.message), opened.notes, 'notes: the English strings, as before');
  assert.deepEqual(errors.map((e) => Text.message('es', e)), [
    `query: data_offsets [96,120] se salen del final de los datos (116 bytes): el archivo está truncado`,
    'short.safetensors: 5 bytes es demasiado poco para un archivo safetensors (lleva 8 bytes con el tamaño de la cabecera y luego la cabecera)',
    'x.npz: no es un archivo zip, así que no es un .npz (numpy.savez escribe un zip)',
    'model.pt: se esperaba un archivo .safetensors o .npz (aquí no se puede leer un archivo de torch.save: guarda el state_dict con safetensors o con numpy.savez; véase README.md)',
    'saved.npz: un zip de archive/data.pkl, no de arrays .npy, así que no es un .npz (parece un archivo de torch.save: guarda el state_dict con safetensors o con numpy.savez)',
    'query: dtype >f4: se esperaba <f8, <f4 o <f2 (float64, float32, float16); este es big-endian',
  ]);
  assert.equal(Text.message('es', asked[0]), 'num_heads: bare.safetensors no dice cuántas cabezas hay (un state_dict no lo guarda); debe dividir a embed_dim 2');
  assert.deepEqual(opened.keyedNotes.map((n) => Text.message('es', n)), ['tokens t0 … t2 (el archivo no trae ninguno)',
    'se deja fuera lo que no es parte de un MultiheadAttention: norm.weight', 'add_zero_attn false (el valor por defecto de PyTorch; el archivo no lo dice)']);
});

/* The import's words in a file's terms (mf.imp.*) are its own words with the
 * paste saved in the file, as modelfile.js once rewrote them. */
test('mf.imp.* say what imp.* says, of a file', () => {
  const inFileTerms = (message) => message.replace(/\bthe paste\b/g, 'the file').replace(/\bpaste\b/g, 'save')
    .replace(/"([\w.]+)": \[\[\.\.\.\]\]/g, '$1').replace(/\badd (query|key)\b/g, 'save $1 in the file');
  const keys = Object.keys(Text.TABLES.en).filter((k) => k.startsWith('mf.imp.'));
  assert.ok(keys.length >= 7);
  for (const key of keys) assert.equal(Text.TABLES.en[key], inFileTerms(Text.TABLES.en[key.slice(3)]), key);
});

test('a grad that names no result (a link\'s, sensitivity.js) is keyed: refused in the page\'s language', async () => {
  const { Session: S } = require('../web/page/model/session.js');
  const session = new S({ attention: await (await import('../web/attention.mjs')).createAttention(), state: { case: lectureCase, view: {} } });
  const refused = session.apply({ type: 'view', grad: 'output:7,0' }).error;
  assert.equal(refused.message, 'grad: output:7,0 is outside the 3×2 output; expected output:row,col (row < 3, col < 2) or weights:head,row,col (head < 1, row < 3, col < 3)');
  assert.equal(Text.message('es', refused), 'grad: output:7,0 está fuera de output (3×2); se esperaba output:fila,col (fila < 3, col < 2) o weights:cabeza,fila,col (cabeza < 1, fila < 3, col < 3)');
  assert.match(Text.message('es', session.apply({ type: 'view', grad: 'nope' }).error), /^grad: se esperaba output:fila,col .*, no “nope”$/);
});

/* Words written straight into an element (text:, title:, label:,
 * placeholder:, aria-label, .textContent =) in the views: each should be a
 * key of the tables. */
test('an export names a head in the page\'s language (Markdown and SVG), English by default', () => {
  const Export = require('../web/page/model/export.js');
  const weights = [0.1, 0.9, 0.6, 0.4, 0.3, 0.7, 0.5, 0.5]; /* 2 heads of 2×2 */
  assert.match(Export.markdown('weights', [2, 2, 2], weights, { lang: 'es' }), /^\*\*weights\*\*, cabeza 0 \(2×2\)[^]*\*\*weights\*\*, cabeza 1 \(2×2\)/);
  assert.match(Export.markdown('weights', [2, 2, 2], weights), /^\*\*weights\*\*, head 0 \(2×2\)/);
  const svg = (lang) => [...Export.heatmapSVG('weights', [2, 2, 2], weights, { lang }).matchAll(/>((?:head|cabeza) \d)</g)].map((m) => m[1]);
  assert.deepEqual(svg('es'), ['cabeza 0', 'cabeza 1']);
  assert.deepEqual(svg(), ['head 0', 'head 1']);
});

test('no view writes English words into an element but through the tables', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const files = [...readdirSync(new URL('../web/page/ui/', import.meta.url)).map((f) => `web/page/ui/${f}`),
    'web/widget.js', 'web/page/main.js'];
  const NAMES = ['Adam', 'SGD']; /* the optimisers' names, the same in every language */
  const WRITTEN = /(?:\b(?:text|title|label|placeholder)\s*:|'aria-(?:label|valuetext)'\s*[:,]|\.(?:textContent|title)\s*=)\s*(['`])((?:(?!\1)[^\\]|\\.)*)\1/g;
  const found = [];
  for (const file of files)
    for (const m of readFileSync(new URL(`../${file}`, import.meta.url), 'utf8').matchAll(WRITTEN)) {
      const words = m[2].replace(/\$\{[^}]*\}/g, ' ');
      if (/[A-Za-z]{2,} [A-Za-z]{2,}/.test(words) || (/^[A-Za-z]{3,}$/.test(words.trim()) && !NAMES.includes(words.trim()))) found.push(`${file}: ${m[0].slice(0, 80)}`);
    }
  assert.deepEqual(found, []);
});

/* ---- in Chromium and Firefox: the page with lang=es in its link, the
 * widget with lang="es", and back to English ---- */

const { Session } = require('../web/page/model/session.js');
const Lessons = require('../web/page/model/lessons.js');
const Explain = require('../web/page/model/explain.js');
const Cases = require('../web/page/model/cases.js');
const { createAttention } = await import('../web/attention.mjs');
const { BROWSERS, launch, openPage, PAGE_URL } = await import('./browser.mjs');
const { ROOT } = await import('./helpers.mjs');
const { describe, it, before, after } = await import('node:test');
const { mkdtempSync, writeFileSync } = await import('node:fs');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');
const { pathToFileURL } = await import('node:url');

const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const attention = await createAttention();
/* the lecture in Spanish, computed by the core in Node: what the page must say */
const spanish = new Session({ attention, state: { case: Cases.lectureCase(), view: {} }, lang: 'es' });
const es = (key, values) => Text.t('es', key, values);
const en = (key, values) => Text.t('en', key, values);

test('the labels a case makes (keys of cross-attention, add_zero_attn\'s row) are in the page\'s language', () => {
  const cross = { ...Cases.lectureCase(), key: [[1, 0], [0, 1]], value: [[0.5, 0.5], [1, -1]], add_zero_attn: true };
  const labels = (lang) => new Session({ attention, state: { case: cross, view: {} }, lang }).labels().extended;
  assert.deepEqual(labels('es'), ['clave 0', 'clave 1', 'cero']);
  assert.deepEqual(labels('en'), ['key 0', 'key 1', 'zero']);
});

const dir = mkdtempSync(join(tmpdir(), 'attention-viz-i18n-'));
const WIDGETS = join(dir, 'widgets.html');
writeFileSync(WIDGETS, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Widgets in two languages</title></head>
<body>
<attention-viz id="chosen" lang="es" step="2" controls="none"></attention-viz>
<section lang="es"><p>Una figura en una página en español:</p>
<attention-viz id="inherited" step="3" controls="none"></attention-viz></section>
<script src="${pathToFileURL(join(ROOT, 'dist', 'attention-viz.js')).href}"></script>
</body></html>`);

const FULL = join(dir, 'full.html');
writeFileSync(FULL, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A widget in Spanish with every control</title></head>
<body>
<attention-viz id="full" lang="es" controls="full"></attention-viz>
<script src="${pathToFileURL(join(ROOT, 'dist', 'attention-viz.js')).href}"></script>
</body></html>`);
const Import = require('../web/page/model/import.js');
const Link = require('../web/page/model/link.js');
/* the previous-word example in Spanish, as the core computes it */
const previousWord = new Session({ attention, state: Link.decode('#example=previous_word'), lang: 'es' });
/* model files for the panel: a damaged one, and a layer whose notes say what the page took */
const DAMAGED_FILE = join(dir, 'damaged.safetensors');
writeFileSync(DAMAGED_FILE, damagedFile);
const layerBytes = safetensors({ ...caseTensors(lectureCase), 'norm.weight': caseTensors(lectureCase)['out_proj.bias'] }, { num_heads: '1' });
const LAYER_FILE = join(dir, 'layer.safetensors');
writeFileSync(LAYER_FILE, layerBytes);
/* what Node reads in them: the English, and the keys the page writes in Spanish */
const damagedRead = await ModelFile.readModelFile(damagedFile, 'damaged.safetensors', { base: lectureCase });
const layerRead = await ModelFile.readModelFile(layerBytes, 'layer.safetensors', { base: lectureCase });

for (const name of BROWSERS) {
  describe(`languages in ${name}`, { concurrency: false }, () => {
    let browser;
    before(async () => { browser = await launch(name); });
    after(async () => { await browser?.close(); });

    it('the page with lang=es in its link is in Spanish, its numbers the core’s; a link without lang is in English', async () => {
      const { page, problems } = await openPage(browser, `${PAGE_URL}#example=lecture&step=4&lang=es`);
      const read = () => page.evaluate(() => ({
        lang: document.documentElement.lang, viewLang: document.querySelector('.attn-view').lang,
        h1: document.querySelector('h1').textContent, counter: document.querySelector('.walk-counter').textContent,
        title: document.querySelector('.walk-title').textContent, walk: document.querySelector('[name=walk]').textContent,
        next: document.querySelector('.walk-buttons button:last-child').textContent,
        paragraphs: [...document.querySelectorAll('.walk-body > p')].map((p) => p.textContent),
      }));
      const shown = await read();
      assert.equal(shown.lang, 'es');
      assert.equal(shown.viewLang, 'es');
      assert.equal(shown.h1, es('page.title'));
      assert.equal(shown.counter, es('walk.count', { step: 4, steps: 8 }));
      assert.equal(shown.title, es('sec.scale'));
      assert.equal(shown.walk, es('c.walk'));
      assert.equal(shown.next, es('walk.next'));
      /* the step's text, with the live numbers (q[0][0] and its scaled value) as the core computes them */
      assert.deepEqual(shown.paragraphs, Lessons.lesson(spanish, 'scale').map(Lessons.text));
      assert.match(shown.paragraphs[0], /^PyTorch divide Q por √head_dim/);

      /* a weights cell explained in Spanish, every number of it the core's */
      await page.hover('[data-stage="weights"] [data-row="0"][data-col="1"]');
      await page.waitForSelector('.explain:not([hidden])');
      const box = await page.$eval('.explain', (e) => [...e.querySelectorAll('.explain-body p')].map((p) => p.textContent));
      const want = Explain.explain({ parsed: spanish.parsed, stages: spanish.stages, labels: spanish.labels(), lang: 'es' }, 'weights', 0, 0, 1);
      assert.deepEqual(box, [want.title, ...want.lines]);
      assert.match(want.title.replace(/[\u2066-\u2069]/g, ''), /cuánto atiende «I» a «am»/);

      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'], preload: false })).violations
        .filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id}: ${v.nodes[0].target.join(' ')}`));
      assert.deepEqual(violations, [], 'axe-core, in Spanish');

      /* the link without lang: the page again, in English (the page's own language) */
      await page.evaluate(() => { location.hash = '#example=lecture&step=4'; }); /* (the page loads again, in English) */
      await page.waitForFunction(() => document.documentElement.lang === 'en' && document.documentElement.dataset.ready === 'true', { timeout: 20000 });
      const english = await read();
      assert.equal(english.lang, 'en');
      assert.equal(english.counter, en('walk.count', { step: 4, steps: 8 }));
      assert.equal(english.title, en('sec.scale'));
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('a widget with lang="es" is in Spanish, one in a lang="es" section too; lang="en" turns it to English', async () => {
      const { page, problems } = await openPage(browser, pathToFileURL(WIDGETS).href, { ready: null });
      await page.waitForSelector('#chosen[data-ready]', { timeout: 20000 });
      assert.equal(await page.evaluate(() => scrollY), 0, 'a widget opened on a step does not scroll the page it is in');
      await page.$eval('#inherited', (v) => v.scrollIntoView()); /* (a reader comes to the second: it starts) */
      await page.waitForFunction(() => document.querySelectorAll('attention-viz[data-ready]').length === 2, { timeout: 20000 });
      const read = (id) => page.$eval(id, (v) => ({
        lang: v.shadowRoot.querySelector('.attn-view').lang,
        counter: v.shadowRoot.querySelector('.walk-counter').textContent,
        title: v.shadowRoot.querySelector('.walk-title').textContent,
        paragraphs: [...v.shadowRoot.querySelectorAll('.walk-body > p')].map((p) => p.textContent),
      }));
      let chosen = await read('#chosen');
      assert.equal(chosen.lang, 'es');
      assert.equal(chosen.counter, es('walk.count', { step: 2, steps: 8 }));
      assert.equal(chosen.title, es('sec.in-projection'));
      assert.deepEqual(chosen.paragraphs, Lessons.lesson(spanish, 'in-projection').map(Lessons.text));
      const inherited = await read('#inherited');
      assert.equal(inherited.lang, 'es', 'the host page’s language');
      assert.deepEqual(inherited.paragraphs, Lessons.lesson(spanish, 'qkv').map(Lessons.text), 'the live numbers, in Spanish');
      const scripts = (part) => page.evaluate((p) => [...document.scripts].filter((s) => s.src.endsWith(`/attention-viz-${p}.js`)).length, part);
      assert.equal(await scripts('es'), 1, 'the Spanish table, loaded once');
      assert.equal(await scripts('examples'), 0, 'no trained example without the example list');

      await page.$eval('#chosen', (v) => v.setAttribute('lang', 'en'));
      await page.waitForFunction(() => document.querySelector('#chosen').shadowRoot.querySelector('.attn-view').lang === 'en', { timeout: 10000 });
      chosen = await read('#chosen');
      assert.equal(chosen.counter, en('walk.count', { step: 2, steps: 8 }));
      assert.equal(chosen.title, en('sec.in-projection'));
      await page.$eval('#chosen', (v) => v.setAttribute('lang', 'es'));
      await page.waitForFunction(() => document.querySelector('#chosen').shadowRoot.querySelector('.attn-view').lang === 'es', { timeout: 10000 });
      assert.equal((await read('#chosen')).counter, es('walk.count', { step: 2, steps: 8 }), 'and back');

      /* a trained example named by a state set later: its part loaded, then shown (in Spanish still) */
      await page.$eval('#chosen', (v) => v.setAttribute('state', '#example=previous_word&step=2'));
      await page.waitForFunction(() => document.querySelector('#chosen').app.session.example === 'previous_word', { timeout: 10000 });
      assert.equal(await scripts('examples'), 1);
      chosen = await read('#chosen');
      assert.equal(chosen.lang, 'es');
      /* its own sentences (the file's translations.es), then the pass's, with the live numbers */
      assert.deepEqual(chosen.paragraphs, Lessons.lesson(previousWord, 'in-projection').map(Lessons.text));
      assert.equal(chosen.paragraphs[0], Cases.EXAMPLES.previous_word.words.es.lesson['in-projection'][0]);
      assert.match(chosen.paragraphs[0], /^El entrenamiento ajustó W_q y W_k/);
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('a widget in Spanish: its example list, export panel, import errors and train card (the lazy parts) in Spanish', async () => {
      const { page, problems } = await openPage(browser, pathToFileURL(FULL).href, { width: 1000, height: 900, ready: null });
      await page.waitForFunction(() => document.querySelector('#full').dataset.ready === 'true', { timeout: 20000 });
      const inView = (fn, arg) => page.$eval('#full', fn, arg);
      /* the example list names the trained examples by their Spanish titles */
      await page.waitForFunction(() => document.querySelector('#full').shadowRoot.querySelector('select[name=example] option[value=pronoun]'), { timeout: 10000 });
      assert.equal(await inView((v) => v.shadowRoot.querySelector('select[name=example] option[value=pronoun]').textContent), '¿Quién es «she»?');

      /* the export panel, loaded now (attention-viz-share.js) */
      await inView((v) => v.shadowRoot.querySelector('.share-toggle').click());
      await page.waitForFunction(() => document.querySelector('#full').shadowRoot.querySelector('.share-panel')?.hidden === false, { timeout: 10000 });
      const panel = await inView((v) => {
        const p = v.shadowRoot.querySelector('.share-panel');
        return { label: p.getAttribute('aria-label'), buttons: [...p.querySelectorAll('button')].map((b) => b.textContent),
          labels: [...p.querySelectorAll('label')].map((l) => l.textContent), paste: p.querySelector('.share-paste').placeholder };
      });
      assert.equal(panel.label, es('sh.panel'));
      assert.deepEqual(panel.buttons, ['PNG', 'SVG', 'LaTeX', 'Markdown', es('sh.pt'), es('sh.json'), es('sh.link'), es('sh.import'), es('sh.close')]);
      assert.deepEqual(panel.labels, [es('sh.stage'), es('sh.importTitle'), es('sh.file')]);
      assert.equal(panel.paste, es('sh.paste'));
      /* Markdown: the stage's table, and the status says what it is */
      await inView((v) => [...v.shadowRoot.querySelectorAll('.share-panel button')].find((b) => b.textContent === 'Markdown').click());
      const shown = await inView((v) => ({ status: v.shadowRoot.querySelector('.share-export-status').textContent, output: v.shadowRoot.querySelector('.share-output').value }));
      assert.equal(shown.status, es('sh.md'));
      assert.match(shown.output, /^\*\*weights\*\*, cabeza 0 \(3×3\)\n\n\|   \| I \| am \| good \|/);
      /* a paste with a wrong number: nothing imported, the case format's error in Spanish */
      const paste = JSON.stringify({ in_proj_weight: [[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]], 'out_proj.weight': [[1, 0], [0, 1]], in_proj_bias: [0, 0, 0, 0, 0, 0], 'out_proj.bias': [0, 'a'] });
      const before = await inView((v) => v.app.session.getState().case);
      await inView((v, text) => {
        v.shadowRoot.querySelector('.share-paste').value = text;
        [...v.shadowRoot.querySelectorAll('.share-panel button')].find((b) => b.title === v.app.t('sh.importT')).click();
      }, paste);
      const result = Import.importStateDict(paste, before);
      assert.equal(result.errors.length, 1);
      const refused = await inView((v) => ({ status: v.shadowRoot.querySelector('.share-status').textContent, errors: [...v.shadowRoot.querySelectorAll('.share-errors li')].map((li) => li.textContent) }));
      assert.equal(refused.status, es('sh.problems', { n: 1, s: '' }));
      assert.deepEqual(refused.errors, [`out_proj.bias: ${Text.message('es', result.errors[0])}`]);
      assert.equal(refused.errors[0], 'out_proj.bias: out_proj.bias[1]: se esperaba un número, no "a"');
      assert.deepEqual(await inView((v) => v.app.session.getState().case), before, 'nothing changed');
      /* malformed text: the reader's error (import.js), in Spanish too */
      await inView((v) => {
        v.shadowRoot.querySelector('.share-paste').value = '{"a": 1';
        [...v.shadowRoot.querySelectorAll('.share-panel button')].find((b) => b.title === v.app.t('sh.importT')).click();
      });
      const malformed = Import.importStateDict('{"a": 1', before).errors;
      assert.deepEqual(await inView((v) => [...v.shadowRoot.querySelectorAll('.share-errors li')].map((li) => li.textContent)), malformed.map((e) => Text.message('es', e)));
      assert.equal(Text.message('es', malformed[0]), 'JSON mal formado en línea 1, columna 8: se esperaba "," o "}", pero se encontró el final del texto');
      /* a paste that fits: shown, and the status says in Spanish what it took from the page */
      const good = JSON.stringify({ in_proj_weight: [[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]], 'out_proj.weight': [[1, 0], [0, 1]] });
      await inView((v, text) => {
        v.shadowRoot.querySelector('.share-paste').value = text;
        [...v.shadowRoot.querySelectorAll('.share-panel button')].find((b) => b.title === v.app.t('sh.importT')).click();
      }, good);
      const imported = Import.importStateDict(good, before);
      assert.deepEqual(await inView((v) => v.app.session.getState().case.in_proj_weight), imported.case.in_proj_weight);
      assert.equal(await inView((v) => v.shadowRoot.querySelector('.share-status').textContent),
        es('sh.notes', { done: 'Importado', notes: imported.notes.map((n) => Text.message('es', n)).join('; ') }));
      assert.match(await inView((v) => v.shadowRoot.querySelector('.share-status').textContent), /^Importado: num_heads 1, el de la página \(un state_dict no lo guarda; /);
      /* a damaged model file chosen in the panel: its problem in Spanish (the share part brings the words) */
      await (await page.$('#full >>> .share-panel input[type=file][name=model-file]')).uploadFile(DAMAGED_FILE);
      await page.waitForFunction(() => document.querySelector('#full').shadowRoot.querySelectorAll('.share-errors li').length === 1, { timeout: 20000 });
      assert.deepEqual(await inView((v) => [...v.shadowRoot.querySelectorAll('.share-errors li')].map((li) => li.textContent)), [Text.message('es', damagedRead.errors[0])]);
      assert.equal(await inView((v) => v.shadowRoot.querySelector('.share-status').textContent), es('sh.problems', { n: 1, s: '' }));
      await page.keyboard.press('Escape');

      /* the train card, loaded now (attention-viz-train.js): refused without a target, then three steps */
      await inView((v) => v.shadowRoot.querySelector('.train-load').click());
      await page.waitForFunction(() => document.querySelector('#full').shadowRoot.querySelector('[data-card="train"] .train-step'), { timeout: 10000 });
      const card = () => inView((v) => {
        const c = v.shadowRoot.querySelector('[data-card="train"]');
        return { letters: c.querySelector('.card-letters').textContent, mark: c.querySelector('.train-mark').textContent, go: c.querySelector('.train-go').textContent,
          step: c.querySelector('.train-step').textContent, error: c.querySelector('p.control-error').textContent, marks: c.querySelector('.train-marks').textContent,
          loss: c.querySelector('.train-loss-text').textContent, lesson: c.querySelector('.train-lesson').textContent, steps: c.dataset.steps };
      });
      let train = await card();
      assert.deepEqual([train.letters, train.mark, train.go, train.step, train.marks], [es('tr.letters'), es('tr.mark'), es('tr.train'), es('tr.step'), es('tr.none')]);
      await (await page.$('#full >>> .train-step')).click();
      assert.equal((await card()).error, es('tr.mustMark'), 'no cell marked: the card says so, in Spanish');
      await (await page.$('#full >>> .train-mark')).click();
      assert.equal((await card()).mark, es('tr.marking'));
      await (await page.$('#full >>> [data-stage="weights"] [data-row="0"][data-col="2"]')).click();
      for (let i = 0; i < 3; i++) await (await page.$('#full >>> .train-step')).click();
      await page.waitForFunction(() => document.querySelector('#full').shadowRoot.querySelector('[data-card="train"]').dataset.steps === '3', { timeout: 10000 });
      train = await card();
      assert.equal(train.error, '');
      assert.equal(train.go, es('tr.goOn'));
      assert.match(train.loss, /^3 pasos: pérdida \S+ → \S+$/);
      assert.match(train.lesson, /^Tras 3 pasos de Adam \(tasa de aprendizaje 0\.01\), weights\[.+\]\[.+\] pasó de \S+ a \S+\. Softmax solo atiende a las diferencias entre puntuaciones/);
      assert.match(train.lesson, /: lo que más se movió fue .+, de \S+ a \S+\.$/);
      assert.notDeepEqual((await inView((v) => v.app.session.getState().case)).in_proj_weight, before.in_proj_weight, 'the weights moved');
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('a model file opened on a Spanish page: a damaged one\'s problem and a good one\'s notes in Spanish, from the keys of what Node reads in them', async () => {
      const { page, problems } = await openPage(browser, `${PAGE_URL}#example=lecture&lang=es`);
      await page.click('.share-toggle');
      const reading = es('sh.reading', { name: '' });
      const choose = async (path) => {
        await page.evaluate(() => document.querySelector('.share-status').replaceChildren());
        await (await page.$('.share-panel input[type=file][name=model-file]')).uploadFile(path);
        await page.waitForFunction((r) => { const s = document.querySelector('.share-status').textContent; return s !== '' && !s.startsWith(r); }, { timeout: 30000 }, reading.slice(0, -1));
        return page.evaluate(() => ({ status: document.querySelector('.share-status').textContent, errors: [...document.querySelectorAll('.share-errors li')].map((li) => li.textContent) }));
      };
      /* the damaged file: Node's English (the CLI's), and the page's Spanish of the same error */
      assert.equal(damagedRead.errors.length, 1);
      assert.match(damagedRead.errors[0].message, /^query: data_offsets \[\d+,\d+\] go past the end of the data \(\d+ bytes\): the file is truncated$/);
      const damaged = await choose(DAMAGED_FILE);
      assert.equal(damaged.status, es('sh.problems', { n: 1, s: '' }));
      assert.deepEqual(damaged.errors, [Text.message('es', damagedRead.errors[0])]);
      assert.match(damaged.errors[0], /^query: data_offsets \[\d+,\d+\] se salen del final de los datos \(\d+ bytes\): el archivo está truncado$/);
      /* a layer that opens: what it took from elsewhere, in Spanish */
      const opened = await choose(LAYER_FILE);
      assert.deepEqual(opened.errors, []);
      assert.equal(opened.status, es('sh.notes', { done: es('sh.opened', { name: 'layer.safetensors' }).replace(/\.$/, ''), notes: layerRead.keyedNotes.map((n) => Text.message('es', n)).join('; ') }));
      assert.equal(opened.status, 'Abierto: layer.safetensors: tokens t0 … t2 (el archivo no trae ninguno); se deja fuera lo que no es parte de un MultiheadAttention: norm.weight; add_zero_attn false (el valor por defecto de PyTorch; el archivo no lo dice).');
      assert.equal(layerRead.notes.join('; '), 'tokens t0 … t2 (the file has none); left out, as no part of a MultiheadAttention: norm.weight; add_zero_attn false (PyTorch\'s default; the file does not say)', 'the English, in Node');
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('a link the page cannot read, typed into a Spanish page: the banner and its reason in Spanish', async () => {
      const { page, problems } = await openPage(browser, `${PAGE_URL}#example=lecture&lang=es`);
      await page.evaluate(() => { location.hash = '#example=lecture&lang=es&bias=2'; });
      await page.waitForFunction(() => !document.querySelector('.banner').hidden, { timeout: 10000 });
      let error;
      try { Link.decode('#example=lecture&lang=es&bias=2'); } catch (e) { error = e; }
      assert.equal(error.message, 'bias: expected 0 or 1', 'the English the CLI and the API give');
      const banner = await page.$eval('.banner', (b) => b.textContent);
      assert.equal(banner, es('page.badKept', { error: Text.message('es', error) }));
      assert.match(banner, /\(bias: se esperaba 0 o 1\)/);
      /* a grad that names no result (sensitivity.js), in Spanish too */
      await page.evaluate(() => { location.hash = '#example=lecture&lang=es&grad=output:7,0'; });
      await page.waitForFunction(() => /grad: output:7,0/.test(document.querySelector('.banner').textContent), { timeout: 10000 });
      assert.match(await page.$eval('.banner', (b) => b.textContent), /\(grad: output:7,0 está fuera de output \(3×2\); se esperaba output:fila,col /);
      /* a token renamed to nothing: refused beside it, in Spanish */
      await page.click('input.token', { clickCount: 3 });
      await page.keyboard.press('Backspace');
      await page.waitForFunction(() => !document.querySelector('[id$="-token-0-error"]').hidden, { timeout: 5000 });
      assert.equal(await page.$eval('[id$="-token-0-error"]', (e) => e.textContent), es('err.tokenName'));
      assert.equal(es('err.tokenName'), 'un token necesita un nombre');
      assert.deepEqual(problems, []);
      await page.close();
    });
  });
}
