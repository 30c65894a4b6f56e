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

/* Words written straight into an element (text:, title:, label:,
 * placeholder:, aria-label, .textContent =) in the views: each should be a
 * key of the tables. */
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
      assert.equal((await read('#chosen')).lang, 'es');
      assert.deepEqual(problems, []);
      await page.close();
    });
  });
}
