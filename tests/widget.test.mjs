// widget.test.mjs: `make dist`'s two files in Chromium and Firefox: two
// <attention-viz> in one blank page opened from disk, working independently
// and lazily, and the iframe page driven by its hash.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { createAttention } from '../web/attention.mjs';
import Format from '../web/page/model/format.js';
import Link from '../web/page/model/link.js';
import Cases from '../web/page/model/cases.js';
import { loadFixtures, compareStages, ROOT } from './helpers.mjs';
import { BROWSERS, launch, openPage, readStages } from './browser.mjs';

const DIST_JS = join(ROOT, 'dist', 'attention-viz.js');
const DIST_HTML = join(ROOT, 'dist', 'attention-viz.html');
const DIST_SCROLLY = join(ROOT, 'dist', 'attention-viz-scrolly.html');
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const attention = await createAttention();
const fixtures = loadFixtures();
const twoHeads = fixtures.find((f) => f.name === 'two_heads');
const lecture = fixtures.find((f) => f.name === 'lecture');

const dir = mkdtempSync(join(tmpdir(), 'attention-viz-'));
const escapeAttribute = (text) => text.replace(/&/g, '&amp;').replace(/'/g, '&#39;');
const BLOG = join(dir, 'blog.html');
writeFileSync(BLOG, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A post about attention</title></head>
<body>
<h1>A post about attention</h1>
<p>The lecture's sentence, attention weights only:</p>
<attention-viz id="one" stage="weights" controls="compact"></attention-viz>
<p>Two heads, dark, its own case as JSON:</p>
<attention-viz id="two" theme="dark" state='${escapeAttribute(JSON.stringify(twoHeads.case))}'></attention-viz>
<div style="height: 6000px"></div>
<attention-viz id="far" tokens="far below the fold" build="scalar"></attention-viz>
<script src="${pathToFileURL(DIST_JS).href}"></script>
</body></html>`);

const NARROW = join(dir, 'narrow.html');
writeFileSync(NARROW, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A narrow column</title></head>
<body style="margin: 0">
<main style="width: 320px; margin: 0 auto">
<p>A widget in a column 320 px wide:</p>
<attention-viz id="narrow" controls="full" build="simd"></attention-viz>
</main>
<script src="${pathToFileURL(DIST_JS).href}"></script>
</body></html>`);

/* a host page that sizes its iframe from the page's height messages (README.md) */
const IFRAME_HOST = join(dir, 'iframe-host.html');
const writeIframeHost = (hash) => writeFileSync(IFRAME_HOST, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>An iframe</title></head>
<body style="margin: 0">
<iframe id="viz" title="Attention, number by number" src="${pathToFileURL(DIST_HTML).href}${hash}" style="width: 100%; border: 0; height: 150px"></iframe>
<script>
window.heights = [];
addEventListener('message', (event) => {
  const frame = document.getElementById('viz');
  if (event.source !== frame.contentWindow || event.data?.type !== 'attention-viz:height') return;
  frame.style.height = event.data.height + 'px';
  window.heights.push(event.data.height);
});
</script>
</body></html>`);

/* a post whose figures are below the fold: one with a poster inside (the
 * CLI's SVG of its weights), one empty */
const POSTER_SVG = execFileSync(process.execPath, [join(ROOT, 'web', 'cli.mjs'), '--svg', 'weights', join(ROOT, 'tests', 'fixtures', 'lecture.json')], { encoding: 'utf8' });
const POSTERS = join(dir, 'posters.html');
writeFileSync(POSTERS, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Figures below the fold</title></head>
<body style="margin: 0"><main style="width: 700px">
<p>Scroll down.</p><div style="height: 3000px"></div>
<attention-viz id="poster" stage="weights" controls="none">${POSTER_SVG}</attention-viz>
<div style="height: 3000px"></div>
<attention-viz id="empty" stage="weights" controls="none" tokens="a b c d e f"></attention-viz>
<div style="height: 3000px"></div>
</main><script src="${pathToFileURL(DIST_JS).href}"></script></body></html>`);

/* a page that themes its figures from outside: palette ends, font, cell
 * size as custom properties, parts */
const THEMED = join(dir, 'themed.html');
writeFileSync(THEMED, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Themed</title>
<style>
  #themed { --attention-viz-low: white; --attention-viz-high: rgb(128, 0, 0); --attention-viz-font: Georgia, serif; --attention-viz-cell-scale: 1.5; }
  #themed::part(footer) { color: rgb(1, 2, 3); }
  #themed::part(controls) { display: none; }
</style></head>
<body>
<attention-viz id="plain" stage="weights"></attention-viz>
<attention-viz id="themed" stage="weights"></attention-viz>
<script src="${pathToFileURL(DIST_JS).href}"></script>
</body></html>`);

/* a blog's 300-px column with three figures: 8 tokens and no controls; a
 * poster in a compact one; every control far below */
const COLUMN = join(dir, 'column.html');
writeFileSync(COLUMN, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>A column</title></head>
<body style="margin: 0"><main style="width: 300px; margin: 0 auto">
<p>Eight tokens:</p>
<attention-viz id="eight" stage="weights" controls="none" tokens="one two three four five six seven eight"></attention-viz>
<p>Compact, with a poster:</p>
<attention-viz id="compact" stage="weights" controls="compact" tokens="a b c d e f"><p id="poster-text">The weights of six tokens.</p></attention-viz>
<div style="height: 3000px"></div>
<attention-viz id="full" stage="weights" tokens="un deux trois quatre cinq six sept huit"></attention-viz>
</main><script src="${pathToFileURL(DIST_JS).href}"></script></body></html>`);

/* Everything of an element that reaches past its sides or scrolls sideways. */
function overflowOf(selector) {
  const v = document.querySelector(selector), box = v.getBoundingClientRect();
  const name = (n) => `${n.tagName.toLowerCase()}.${n.className?.baseVal ?? n.className}`.slice(0, 60);
  const nodes = [...v.shadowRoot.querySelectorAll('*')].filter((n) => !n.closest('[hidden], details:not([open]) > :not(summary)')); /* what is shown */
  return [
    ...nodes.filter((n) => { const r = n.getBoundingClientRect(); return r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1); }).map((n) => `spills: ${name(n)}`),
    ...nodes.filter((n) => n.scrollWidth > n.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(n).overflowX)).map((n) => `scrolls: ${name(n)}`),
  ];
}

/* issue 15: what a blog post loads for its figures, gzip -9 */
const BUDGET = 70_000;
const gzipped = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
it(`dist/attention-viz.js is at most ${BUDGET / 1000} KB gzipped, with no build inlined, nor the export panel, nor the train card, nor the page-only CSS`, () => {
  const wasmHex = (build) => readFileSync(join(ROOT, 'build', `attn-${build}.wasm`)).subarray(0, 4096).toString('hex');
  const text = readFileSync(DIST_JS, 'utf8');
  assert.ok(!text.includes('Copy as PyTorch'), 'not the export panel');
  assert.ok(!text.includes('Start from the output now'), 'not the train card');
  for (const rule of [':not(.is-embedded)', '.canvas-matrix', '.plane-grid', '.backdrop-box'])
    assert.ok(!text.includes(rule), `not the page's CSS a widget never matches: ${rule}`);
  assert.ok(text.includes('.attn-view .matrix'), 'the rest of it');
  for (const build of ['relaxed', 'simd', 'scalar']) {
    assert.ok(!text.includes(wasmHex(build)), `the ${build} build is not inlined`);
    assert.ok(readFileSync(join(ROOT, 'dist', `attention-viz-${build}.js`), 'utf8').includes(wasmHex(build)), `attention-viz-${build}.js holds it`);
  }
  assert.ok(gzipped(DIST_JS) <= BUDGET, `${gzipped(DIST_JS)} bytes gzipped`);
});

const only = (stages, names) => Object.fromEntries(names.filter((n) => stages[n]).map((n) => [n, stages[n]]));

for (const name of BROWSERS) {
  describe(`dist in ${name}`, { concurrency: false }, () => {
    let browser;
    before(async () => {
      assert.ok(existsSync(DIST_JS) && existsSync(DIST_HTML), 'make dist has run');
      browser = await launch(name);
    });
    after(async () => { await browser?.close(); });

    const open = (url) => openPage(browser, url, { width: 1200, ready: null });

    it('two widgets in one page from disk work independently, show what a host sets in answer to change, and a far one waits for the viewport', async () => {
      const { page, problems } = await open(pathToFileURL(BLOG).href);
      await page.waitForFunction(() => document.querySelectorAll('attention-viz[data-ready]').length === 2, { timeout: 20000 });
      /* the builds' scripts the widget added (Firefox's driver reports no file:// requests) */
      const loaded = (build) => page.evaluate((b) => [...document.scripts].filter((s) => s.src.endsWith(`/attention-viz-${b}.js`)).length, build);
      assert.equal(await loaded('scalar'), 0, 'the scalar build is loaded only when chosen');
      const relaxed = await page.$eval('#one', (v) => v.shadowRoot.querySelector('.footer').textContent.includes('relaxed-SIMD'));
      assert.equal(await loaded('relaxed'), relaxed ? 1 : 0, 'the relaxed build, once, when the engine takes it');
      assert.equal(await page.$eval('#far', (v) => v.dataset.ready), undefined, 'the widget below the fold has not started');
      assert.deepEqual(await page.evaluate(() => Object.keys(window).filter((k) => /^Attn/.test(k))), [], 'nothing leaks into the page’s globals');

      const one = await readStages(page, '#one'), two = await readStages(page, '#two');
      assert.deepEqual(compareStages(one, only(lecture.stages, ['weights'])), []);
      assert.deepEqual(compareStages(two, twoHeads.stages), []);
      assert.equal(await page.$eval('#one', (v) => getComputedStyle(v.shadowRoot.querySelector('[data-card="q"]')).display), 'none', 'stage="weights" shows that stage alone');
      assert.equal(await page.$eval('#two', (v) => v.shadowRoot.querySelector('.attn-view').dataset.theme), 'dark');

      // an edit in one changes that one only, and it says so
      await page.$eval('#one', (v) => { v.changes = 0; v.addEventListener('change', () => { v.changes++; }); });
      await (await page.$('#one >>> [data-stage="query"] [data-row="1"][data-col="0"]')).click();
      await (await page.$('#one >>> [data-stage="query"] [data-row="1"][data-col="0"] input')).evaluate((i) => i.select());
      await page.keyboard.type('-1');
      await page.keyboard.press('Enter');
      const edited = JSON.parse(JSON.stringify(lecture.case));
      edited.query[1][0] = -1;
      assert.deepEqual(compareStages(await readStages(page, '#one'), only(attention.forward(edited), ['weights'])), []);
      assert.deepEqual(compareStages(await readStages(page, '#two'), twoHeads.stages), [], 'the other widget is untouched');
      assert.ok(await page.$eval('#one', (v) => v.changes) > 0, 'change events fire');
      // a host answering change with an attribute: that is shown too
      await page.$eval('#one', (v) => v.addEventListener('change', (e) => { if (e.detail.case.query[1][0] === 0.5) v.setAttribute('step', '3'); }));
      await (await page.$('#one >>> [data-stage="query"] [data-row="1"][data-col="0"]')).click();
      await (await page.$('#one >>> [data-stage="query"] [data-row="1"][data-col="0"] input')).evaluate((i) => i.select());
      await page.keyboard.type('0.5');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('#one').shadowRoot.querySelector('.walk').dataset.step === '3', { timeout: 5000 });
      assert.equal(await page.$eval('#one', (v) => v.shadowRoot.querySelector('.banner').hidden), true, 'no message');
      await page.$eval('#one', (v) => v.removeAttribute('step'));

      // attributes are live
      await page.$eval('#two', (v) => v.setAttribute('heads', '4'));
      const withFour = { ...twoHeads.case, num_heads: 4 };
      assert.deepEqual(compareStages(await readStages(page, '#two'), attention.forward(withFour)), []);
      await page.$eval('#two', (v) => v.setAttribute('heads', '3'));
      assert.match(await page.$eval('#two', (v) => v.shadowRoot.querySelector('.banner').textContent), /heads: 3 does not divide embed_dim 4/);

      await page.$eval('#far', (v) => v.scrollIntoView());
      await page.waitForFunction(() => document.querySelector('#far').dataset.ready === 'true', { timeout: 20000 });
      assert.deepEqual(await page.$eval('#far', (v) => [...v.shadowRoot.querySelectorAll('[data-stage="query"] input.token')].map((i) => i.value)), ['far', 'below', 'the', 'fold']);
      assert.match(await page.$eval('#far', (v) => v.shadowRoot.querySelector('.footer').textContent), /scalar build/, 'build="scalar" runs the scalar build');
      assert.equal(await loaded('scalar'), 1, 'loaded once, from beside attention-viz.js');
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('repaints every cell when its theme attribute changes, and keeps its panels inside itself in a 320-px column', async () => {
      const { page, problems } = await openPage(browser, pathToFileURL(NARROW).href, { width: 800, height: 900, ready: null });
      await page.waitForFunction(() => document.querySelector('#narrow').dataset.ready === 'true', { timeout: 20000 });
      const painted = (theme) => page.$eval('#narrow', (v) => [...v.shadowRoot.querySelectorAll('td[class*="c-"]')].map((td) => [td.className.match(/c-([sd])(\d+)/).slice(1), getComputedStyle(td).backgroundColor]))
        .then((cells) => cells.filter(([[kind, index], colour]) => Format.colourTable(kind === 's' ? 'sequential' : 'diverging', theme)[Number(index)].background !== colour));
      assert.deepEqual(await painted('light'), []);
      await page.$eval('#narrow', (v) => v.setAttribute('theme', 'dark'));
      assert.deepEqual(await painted('dark'), [], 'the theme attribute repaints every cell');
      assert.equal(await page.$eval('#narrow', (v) => getComputedStyle(v.shadowRoot.querySelector('[data-control="present"]')).display), 'none', 'no projector box: a widget is as wide as its column');
      /* the export panel and a pinned explanation stay inside the element */
      const inside = (selector) => page.$eval('#narrow', (v, sel) => {
        const box = v.getBoundingClientRect(), r = v.shadowRoot.querySelector(sel).getBoundingClientRect();
        return r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
      }, selector);
      await page.$eval('#narrow', (v) => v.shadowRoot.querySelector('.share-toggle').click());
      await page.waitForFunction(() => document.querySelector('#narrow').shadowRoot.querySelector('.share-panel')?.hidden === false, { timeout: 10000 }); /* attention-viz-share.js, loaded now */
      assert.equal(await inside('.share-panel'), true, 'the export panel');
      await page.keyboard.press('Escape');
      await (await page.$('#narrow >>> [data-stage="weights"] [data-row="2"][data-col="2"]')).click();
      assert.equal(await inside('.explain'), true, 'the explanation');
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('loads the train card when first asked for, from beside attention-viz.js; its steps give the core\'s numbers', async () => {
      const { page, problems } = await openPage(browser, pathToFileURL(NARROW).href, { width: 800, height: 900, ready: null });
      await page.waitForFunction(() => document.querySelector('#narrow').dataset.ready === 'true', { timeout: 20000 });
      const trainScripts = () => page.evaluate(() => [...document.scripts].filter((s) => s.src.endsWith('/attention-viz-train.js')).length);
      assert.match(await page.$eval('#narrow', (v) => v.shadowRoot.querySelector('.footer').textContent), /\(SIMD build/, 'build="simd": the SIMD build, loaded from beside attention-viz.js');
      assert.equal(await trainScripts(), 0, 'not loaded before it is asked for');
      await page.$eval('#narrow', (v) => v.shadowRoot.querySelector('.train-load').click());
      await page.waitForFunction(() => document.querySelector('#narrow').shadowRoot.querySelector('[data-card="train"] .train-step'), { timeout: 10000 });
      assert.equal(await trainScripts(), 1, 'then loaded once');
      assert.equal(await page.$eval('#narrow', (v) => v.shadowRoot.querySelectorAll('[data-card="train"]').length), 1, 'in the stand-in\'s place');
      await (await page.$('#narrow >>> .train-mark')).click();
      await (await page.$('#narrow >>> [data-stage="weights"] [data-row="0"][data-col="2"]')).click();
      for (let i = 0; i < 3; i++) await (await page.$('#narrow >>> .train-step')).click();
      await page.waitForFunction(() => document.querySelector('#narrow').shadowRoot.querySelector('[data-card="train"]').dataset.steps === '3', { timeout: 10000 });
      const trained = await page.$eval('#narrow', (v) => v.app.session.getState().case);
      assert.notDeepEqual(trained.in_proj_weight, lecture.case.in_proj_weight, 'the weights moved');
      assert.deepEqual(compareStages(await readStages(page, '#narrow'), attention.forward(trained)), []);
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('fits a 300-px column: nothing scrolls sideways or spills, panels open; compact under a screen; lazy; a poster first', async () => {
      const { page, problems } = await openPage(browser, pathToFileURL(COLUMN).href, { width: 360, height: 800, ready: null });
      await page.waitForFunction(() => document.querySelectorAll('attention-viz[data-ready]').length === 2, { timeout: 20000 });
      assert.equal(await page.$eval('#full', (v) => v.dataset.ready), undefined, 'the one below the fold waits');
      assert.equal(await page.$eval('#compact', (v) => v.shadowRoot.querySelector('[part="poster"]')), null, 'started: its poster is no longer shown');
      assert.ok(await page.$eval('#compact', (v) => v.getBoundingClientRect().height) < 800, 'controls="compact": under one screen');
      const overflow = (selector) => page.evaluate(overflowOf, selector);
      assert.deepEqual(await overflow('#eight'), []);
      /* eight tokens' weights: a heatmap whose focused cell reads out */
      assert.equal(await page.$eval('#eight', (v) => Boolean(v.shadowRoot.querySelector('[data-stage="weights"].is-compact, [data-stage="weights"] .is-compact'))), true, 'a heatmap');
      await page.$eval('#eight', (v) => v.shadowRoot.querySelector('[data-stage="weights"] [data-row="3"][data-col="4"]').focus());
      const readout = await page.$eval('#eight', (v) => { const box = v.shadowRoot.querySelector('.explain'); return box.hidden ? null : [box.dataset.stage, box.dataset.row, box.dataset.col]; });
      assert.deepEqual(readout, ['weights', '3', '4'], 'its readout');
      assert.deepEqual(await overflow('#eight'), [], 'the readout inside too');
      assert.deepEqual(await overflow('#compact'), []);
      await page.$eval('#full', (v) => v.scrollIntoView());
      await page.waitForFunction(() => document.querySelector('#full').dataset.ready === 'true', { timeout: 20000 });
      assert.deepEqual(await overflow('#full'), [], 'every control');
      await (await page.$('#full >>> .controls-settings')).click(); /* a narrow screen folds the bar behind Settings */
      assert.deepEqual(await overflow('#full'), [], 'every control unfolded');
      await (await page.$('#full >>> .control-options summary')).click();
      assert.deepEqual(await overflow('#full'), [], 'the options too');
      const shareScripts = () => page.evaluate(() => [...document.scripts].filter((s) => s.src.endsWith('/attention-viz-share.js')).length);
      assert.equal(await shareScripts(), 0, 'the export panel is not loaded before it opens');
      await page.$eval('#full', (v) => v.shadowRoot.querySelector('.share-toggle').click());
      await page.waitForFunction(() => document.querySelector('#full').shadowRoot.querySelector('.share-panel')?.hidden === false, { timeout: 10000 });
      assert.equal(await shareScripts(), 1, 'then loaded once, from beside attention-viz.js');
      assert.equal(await page.$eval('#full', (v) => v.shadowRoot.activeElement?.name), 'export-stage', 'and open, its first field focused');
      assert.deepEqual(await overflow('#full'), [], 'the export panel open');
      await page.keyboard.press('Escape');
      await page.$eval('#full', (v) => v.highlight('weights', 7, 7));
      assert.deepEqual(await overflow('#full'), [], 'an explanation pinned');
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'the page does not scroll sideways');
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('is never blank: its poster until it starts, else a placeholder of about its size', async () => {
      const { page, problems } = await openPage(browser, pathToFileURL(POSTERS).href, { width: 900, height: 800, ready: null });
      await page.waitForFunction(() => customElements.get('attention-viz'));
      const box = (selector, inner) => page.$eval(selector, (v, inner) => {
        const node = inner === 'poster' ? v.querySelector('svg') : v.shadowRoot.querySelector(inner);
        return node ? Math.round(node.getBoundingClientRect().height) : null;
      }, inner);
      assert.ok(await box('#poster', 'poster') > 100, 'the poster shows before the start');
      assert.equal(await box('#poster', '.attn-placeholder'), 0, 'and no placeholder beside it');
      const reserved = await box('#empty', '.attn-placeholder');
      assert.ok(reserved > 250, `an empty element holds its place: ${reserved} px`);
      assert.equal(await page.$eval('#empty', (v) => v.dataset.ready), undefined, 'not started yet');
      await page.$eval('#poster', (v) => v.scrollIntoView());
      await page.waitForFunction(() => document.querySelector('#poster').dataset.ready === 'true', { timeout: 20000 });
      assert.equal(await box('#poster', 'poster'), 0, 'started: the poster is gone');
      assert.ok(await box('#poster', '.attn-view') > 100, 'the view in its place');
      await page.$eval('#empty', (v) => v.scrollIntoView());
      await page.waitForFunction(() => document.querySelector('#empty').dataset.ready === 'true', { timeout: 20000 });
      const final = await page.$eval('#empty', (v) => v.getBoundingClientRect().height);
      assert.ok(Math.abs(final - reserved) <= 0.15 * final, `the placeholder's ${reserved} px within 15% of the view's ${final}`);
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('is themed from outside: palette ends, font and cell size as custom properties, ::part()', async () => {
      const { page, problems } = await openPage(browser, pathToFileURL(THEMED).href, { width: 900, height: 2000, ready: null });
      await page.waitForFunction(() => document.querySelectorAll('attention-viz[data-ready]').length === 2, { timeout: 20000 });
      const table = Format.tableOf(['#ffffff', '#800000']);
      const cells = await page.$eval('#themed', (v) => [...v.shadowRoot.querySelectorAll('[data-stage="weights"] td[class*="c-s"]')]
        .map((td) => [Number(td.className.match(/c-s(\d+)/)[1]), getComputedStyle(td).backgroundColor, getComputedStyle(td).color]));
      assert.ok(cells.length >= 9);
      for (const [index, background, color] of cells) {
        assert.equal(background, table[index].background, `c-s${index}: the page's own ends`);
        assert.equal(color, table[index].color === '#000' ? 'rgb(0, 0, 0)' : 'rgb(255, 255, 255)', 'its text contrasts');
      }
      assert.match(await page.$eval('#themed', (v) => getComputedStyle(v.shadowRoot.querySelector('.attn-view')).fontFamily), /Georgia/);
      const cellWidth = (id) => page.$eval(id, (v) => v.shadowRoot.querySelector('[data-stage="weights"] td[class*="c-s"]').getBoundingClientRect().width);
      const ratio = (await cellWidth('#themed')) / (await cellWidth('#plain'));
      assert.ok(ratio > 1.4 && ratio < 1.6, `cells 1.5 times as big: ${ratio}`);
      assert.equal(await page.$eval('#themed', (v) => getComputedStyle(v.shadowRoot.querySelector('[part="footer"]')).color), 'rgb(1, 2, 3)', '::part(footer)');
      assert.equal(await page.$eval('#themed', (v) => getComputedStyle(v.shadowRoot.querySelector('[part="controls"]')).display), 'none', '::part(controls)');
      assert.notEqual(await page.$eval('#plain', (v) => getComputedStyle(v.shadowRoot.querySelector('[part="controls"]')).display), 'none', 'the other element untouched');
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('follows the prose: the scrollytelling demo, and highlight, step, view, stages and play from the host page', async () => {
      const { page, problems } = await openPage(browser, pathToFileURL(DIST_SCROLLY).href, { width: 1200, height: 800, ready: null });
      await page.waitForFunction(() => document.querySelector('#figure')?.dataset.ready === 'true', { timeout: 20000 });
      const core = attention.forward(Cases.lectureCase());
      /* the pinned explanation: which cell, its number against the core's */
      const explained = () => page.$eval('#figure', (v) => {
        const box = v.shadowRoot.querySelector('.explain');
        return box.hidden ? null : { stage: box.dataset.stage, head: box.dataset.head ?? null, row: Number(box.dataset.row), col: Number(box.dataset.col), value: box.dataset.value, sources: v.shadowRoot.querySelectorAll('.is-source').length };
      });
      const coreValue = (stage, head, row, col) => {
        const { shape, data } = core[stage];
        const [rows, cols] = shape.slice(-2);
        return data[(head ?? 0) * rows * cols + row * cols + col];
      };
      /* the page may run the relaxed build (fused multiply-adds): the same number within float32's rounding */
      const near = (text, value) => Math.abs(Number(text) - value) <= 1e-6 * Math.max(1, Math.abs(value));
      const shown = () => page.$eval('#figure', (v) => [...v.shadowRoot.querySelectorAll('.card')].filter((c) => c.getBoundingClientRect().height > 0).map((c) => c.dataset.card));
      const read = async (index) => {
        const wanted = await page.evaluate((i) => {
          const p = document.querySelectorAll('.prose p')[i];
          p.scrollIntoView({ block: 'center' });
          return p.dataset.highlight ?? null;
        }, index);
        await page.waitForFunction((i) => document.querySelectorAll('.prose p')[i].classList.contains('is-active'), { timeout: 5000 }, index);
        assert.equal(await page.$eval('#figure', (v) => v.getAttribute('highlight')), wanted);
      };

      await read(1); /* scores:2,1 */
      assert.deepEqual(await shown(), ['query', 'scores']);
      let box = await explained();
      assert.deepEqual([box.stage, box.head, box.row, box.col], ['scores', '0', 2, 1]);
      assert.ok(near(box.value, coreValue('scores', 0, 2, 1)), 'the core’s number');
      assert.ok(box.sources > 0, 'its sources lit');
      await read(2); /* scores..weights, weights:2,1 */
      assert.deepEqual(await shown(), ['query', 'scores', 'weights']);
      box = await explained();
      assert.deepEqual([box.stage, box.row, box.col], ['weights', 2, 1]);
      assert.ok(near(box.value, coreValue('weights', 0, 2, 1)));
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'], preload: false })).violations
        .filter((v) => v.impact === 'critical' || v.impact === 'serious')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].target.join(' ')}`));
      assert.deepEqual(violations, [], 'axe-core: the demo, a cell pinned');
      await read(3); /* weights as lines */
      assert.deepEqual(await shown(), ['query', 'lines'], 'the weights drawn as lines');
      assert.equal(await explained(), null, 'no highlight: none pinned');
      await read(4); /* context..output, output:0,0 */
      assert.deepEqual((await shown()).sort(), ['context', 'out_proj.bias', 'out_proj.weight', 'output', 'query']);
      box = await explained();
      assert.deepEqual([box.stage, box.head, box.row, box.col], ['output', null, 0, 0]);
      assert.ok(near(box.value, coreValue('output', null, 0, 0)));

      /* the same from the host page's script: properties and methods */
      assert.equal(await page.$eval('#figure', (v) => v.highlight('weights', 1, 2, 0)), true);
      box = await explained();
      assert.deepEqual([box.stage, box.row, box.col], ['weights', 1, 2]);
      assert.ok(near(box.value, coreValue('weights', 0, 1, 2)));
      await page.$eval('#figure', (v) => { v.stages = 'q..k'; v.highlight = 'q:1,0'; });
      box = await explained();
      assert.deepEqual([box.stage, box.head, box.row, box.col], ['q', null, 1, 0]);
      assert.ok(near(box.value, coreValue('q', null, 1, 0)));
      await page.$eval('#figure', (v) => { v.highlight = 'q:9,9'; });
      assert.match(await page.$eval('#figure', (v) => v.shadowRoot.querySelector('.banner').textContent), /highlight: no cell q:9,9/);
      await page.$eval('#figure', (v) => { v.highlight = 'output:0,0'; });
      assert.match(await page.$eval('#figure', (v) => v.shadowRoot.querySelector('.banner').textContent), /highlight: output is not among the stages shown \(q, k\)/);
      assert.equal(await explained(), null);
      await page.$eval('#figure', (v) => { v.highlight = null; v.stages = 'weights'; v.step = 3; });
      assert.match(await page.$eval('#figure', (v) => v.shadowRoot.querySelector('.walk-counter').textContent), /^Step 3 of \d+$/);
      assert.equal(await page.$eval('#figure', (v) => v.step), 3);
      await page.$eval('#figure', (v) => { v.step = null; });
      assert.equal(await page.$eval('#figure', (v) => v.shadowRoot.querySelector('.walk-counter').getBoundingClientRect().height), 0, 'step removed: the walk-through closed');
      assert.equal(await page.$eval('#figure', (v) => v.play('weights', 2, 1)), true);
      assert.ok((await shown()).includes('player'), 'the player shown beside the stage');
      assert.match(await page.$eval('#figure', (v) => v.shadowRoot.querySelector('.player-title').textContent), /^weights\[head 1\]\[2\]/);
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('the iframe page tells its parent its height as it changes, and a dark view has a dark page around it', async () => {
      writeIframeHost(Link.encode({ case: lecture.case, view: { controls: 'none', theme: 'dark', stage: 'weights' } }, { whole: true }));
      const { page, problems } = await openPage(browser, pathToFileURL(IFRAME_HOST).href, { width: 700, height: 900, ready: null });
      const frame = await (await page.$('#viz')).contentFrame();
      await frame.waitForFunction(() => document.querySelector('attention-viz')?.dataset.ready === 'true', { timeout: 20000 });
      const settled = async () => {
        await page.waitForFunction(() => window.heights.length > 0, { timeout: 10000 });
        await new Promise((r) => setTimeout(r, 300));
        const [told, frameHeight, content] = await Promise.all([
          page.evaluate(() => window.heights.at(-1)),
          page.$eval('#viz', (f) => f.getBoundingClientRect().height),
          frame.evaluate(() => Math.ceil(document.body.getBoundingClientRect().height)),
        ]);
        assert.equal(told, content, 'the last message gives the content’s height');
        assert.equal(frameHeight, told, 'and the host set it');
        return told;
      };
      const small = await settled();
      assert.ok(small > 150, `the iframe grew from 150 px to ${small}`);
      assert.equal(await frame.evaluate(() => getComputedStyle(document.documentElement).backgroundColor), 'rgb(21, 23, 27)', 'the page around a dark view is dark');
      /* more tokens: taller */
      const longer = { ...lecture.case, tokens: [...lecture.case.tokens, 'too', 'and', 'more'], query: [...lecture.case.query, [0.1, 0.2], [0.3, 0.4], [0.5, 0.6]] };
      await frame.evaluate((hash) => { location.hash = hash; }, Link.encode({ case: longer, view: { controls: 'none', theme: 'light', stage: 'weights' } }, { whole: true }));
      await page.waitForFunction((h) => window.heights.at(-1) > h, { timeout: 10000 }, small);
      assert.ok(await settled() > small, 'a bigger case, a taller iframe');
      assert.equal(await frame.evaluate(() => getComputedStyle(document.documentElement).backgroundColor), 'rgb(246, 247, 249)', 'light again with the view');
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('the iframe page is driven by its hash, flags included', async () => {
      const hash = Link.encode({ case: twoHeads.case, view: { controls: 'none', theme: 'dark' } }, { whole: true });
      const { page, problems } = await open(pathToFileURL(DIST_HTML).href + hash);
      await page.waitForFunction(() => document.querySelector('attention-viz')?.dataset.ready === 'true', { timeout: 20000 });
      assert.deepEqual(compareStages(await readStages(page, 'attention-viz'), twoHeads.stages), []);
      assert.equal(await page.$eval('attention-viz', (v) => getComputedStyle(v.shadowRoot.querySelector('.controls')).display), 'none', 'controls=none hides the controls');
      await (await page.$('attention-viz >>> [data-stage="query"] [data-row="0"][data-col="0"]')).click();
      await (await page.$('attention-viz >>> [data-stage="query"] [data-row="0"][data-col="0"] input')).evaluate((i) => i.select());
      await page.keyboard.type('0.5');
      await page.keyboard.press('Enter');
      assert.match(await page.evaluate(() => location.hash), /query=0\.5,/, 'edits write the hash');
      assert.match(await page.evaluate(() => location.hash), /controls=none/, 'and keep the flags');
      assert.deepEqual(problems, []);
      await page.close();
    });
  });
}
