// browser.mjs: Debian's chromium and firefox-esr driven by puppeteer-core, and
// how tests read the page through its contract (data-stage, data-row,
// data-col, data-head, data-value).
import puppeteer from 'puppeteer-core';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ROOT } from './helpers.mjs';

export const PAGE_URL = pathToFileURL(join(ROOT, 'index.html')).href;
export const BROWSERS = ['chromium', 'firefox'];

/* One content process for every page (Firefox without Fission, Chromium
 * with one renderer): the tests open hundreds of pages one after another, and
 * a new process for each made a page's opening about 15% (Firefox) and 30%
 * (Chromium) slower on a 2-core machine. */
export async function launch(name) {
  if (name === 'firefox')
    return puppeteer.launch({
      browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true,
      extraPrefsFirefox: { 'fission.autostart': false, 'dom.ipc.processCount': 1, 'dom.ipc.processPrelaunch.enabled': false },
    });
  return puppeteer.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic', '--renderer-process-limit=1', '--disable-site-isolation-trials'],
  });
}

/* page.$eval, page.$$eval, page.focus, page.click and page.hover in one
 * round trip (click and hover: two, the second the mouse's). Puppeteer's take
 * several (find the element, call a function on its handle, release it): a
 * $eval 84 ms in Firefox (WebDriver BiDi) and 14 ms in Chromium here, against
 * 4 and 1.4 ms for one page.evaluate, a click 124 and 36 ms; the tests make
 * thousands. Plain CSS selectors, JSON arguments and clicks without options
 * only; any other goes to Puppeteer's own. The click and the hover do what
 * Puppeteer's do: the element scrolled to the middle unless wholly in view
 * (an SVG's by its <svg>), then the middle of its first box of at least 1×1
 * px within the viewport. */
function inOneTrip(page) {
  const { $eval, $$eval, focus, click, hover } = page;
  const plainSelector = (selector) => !/>>>|::-p-|^(pierce|aria|text|xpath)\//.test(selector);
  const plain = (selector, args) => plainSelector(selector) && isDeepStrictEqual(JSON.parse(JSON.stringify(args)), args);
  const quote = JSON.stringify;
  const found = (selector) => `(document.querySelector(${quote(selector)}) ?? (() => { throw new Error(${quote(`No element found for selector: ${selector}`)}); })())`;
  page.focus = (selector) => (plainSelector(selector) ? page.evaluate(`${found(selector)}.focus()`) : focus.call(page, selector));
  page.click = (selector, options) => (options === undefined && plainSelector(selector)
    ? page.evaluate(`(${pointOf})(${found(selector)})`).then(({ x, y }) => page.mouse.click(x, y))
    : click.call(page, selector, options));
  page.hover = (selector) => (plainSelector(selector)
    ? page.evaluate(`(${pointOf})(${found(selector)})`).then(({ x, y }) => page.mouse.move(x, y))
    : hover.call(page, selector));
  page.$eval = (selector, fn, ...args) => (plain(selector, args)
    ? page.evaluate(`(${fn})(${found(selector)}, ...${quote(args)})`)
    : $eval.call(page, selector, fn, ...args));
  page.$$eval = (selector, fn, ...args) => (plain(selector, args)
    ? page.evaluate(`(${fn})([...document.querySelectorAll(${quote(selector)})], ...${quote(args)})`)
    : $$eval.call(page, selector, fn, ...args));
}

/* Where page.click clicks and page.hover points (runs in the page). */
async function pointOf(element) {
  const observed = element instanceof SVGElement && !(element instanceof SVGSVGElement) ? element.ownerSVGElement : element;
  const ratio = await new Promise((resolve) => {
    const observer = new IntersectionObserver((entries) => { resolve(entries[0].intersectionRatio); observer.disconnect(); });
    observer.observe(observed);
  });
  if (ratio !== 1) element.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
  const [width, height] = [document.documentElement.clientWidth, document.documentElement.clientHeight];
  const box = [...element.getClientRects()].map((r) => ({
    x: Math.max(r.x, 0), y: Math.max(r.y, 0),
    width: Math.max(r.x >= 0 ? Math.min(width - r.x, r.width) : Math.min(width, r.width + r.x), 0),
    height: Math.max(r.y >= 0 ? Math.min(height - r.y, r.height) : Math.min(height, r.height + r.y), 0),
  })).find((b) => b.width >= 1 && b.height >= 1);
  if (!box) throw new Error('Node is either not clickable or not an Element');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/* A page that records console errors, page errors, dialogs (dismissed) and
 * every request. */
/* ready: a selector to wait for (null: none, e.g. a page of widgets) */
export async function openPage(browser, url = PAGE_URL, { width = 1280, height = 900, ready = 'html[data-ready]' } = {}) {
  const page = await browser.newPage();
  inOneTrip(page);
  const problems = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  page.on('request', (r) => requests.push(r.url()));
  await page.setViewport({ width, height });
  await page.goto(url);
  if (ready) await page.waitForSelector(ready, { timeout: 20000 });
  return { page, problems, requests };
}

/* Opens url, runs body(page, opened), closes the page. Returns the problems
 * openPage recorded. */
export async function visit(browser, url, body, options) {
  const opened = await openPage(browser, url, options);
  try {
    await body(opened.page, opened);
  } finally {
    await opened.page.close();
  }
  return opened.problems;
}

const VALUE = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, true: 1, false: 0 };

/* Waits until every compact heatmap has written its cells' data-value
 * (written once the edits rest: data-values-pending until then).
 * host: the selector of an <attention-viz> to wait inside. */
export function valuesWritten(page, host = null) {
  return until(page, (hostSelector) => {
    const root = hostSelector ? document.querySelector(hostSelector).shadowRoot : document;
    return !root.querySelector('[data-values-pending]');
  }, host, { timeout: 10000 });
}

/* Waits until test(arg) is true in the page. It mostly is already: one
 * evaluate then, 4 ms in Firefox, where a waitForFunction takes 56. */
async function until(page, test, arg, options = {}) {
  if (!(await page.evaluate(test, arg))) await page.waitForFunction(test, options, arg);
}

/* Every matrix on the page: { name: { shape, data } }, per-head ones 3-D.
 * host: the selector of an <attention-viz> to read inside its shadow root. */
export async function readStages(page, host = null) {
  await valuesWritten(page, host);
  const raw = JSON.parse(await page.evaluate((hostSelector) => {
    const out = {};
    const root = hostSelector ? document.querySelector(hostSelector).shadowRoot : document;
    for (const group of root.querySelectorAll('[data-stage]:not([data-readout]):not([data-view])'))
      out[group.dataset.stage] = [...group.querySelectorAll('[data-row][data-col]')].map((td) =>
        [td.dataset.head === undefined ? -1 : Number(td.dataset.head), Number(td.dataset.row), Number(td.dataset.col), td.dataset.value]);
    return JSON.stringify(out); /* one string: Firefox's WebDriver BiDi passes thousands of arrays as objects ~30× slower */
  }, host));
  const stages = {};
  for (const [name, cells] of Object.entries(raw)) {
    const heads = Math.max(...cells.map((c) => c[0])) + 1;
    const rows = Math.max(...cells.map((c) => c[1])) + 1;
    const cols = Math.max(...cells.map((c) => c[2])) + 1;
    const shape = heads > 0 ? [heads, rows, cols] : [rows, cols];
    const data = new Float64Array(cells.length);
    for (const [h, r, c, v] of cells) data[(Math.max(h, 0) * rows + r) * cols + c] = v in VALUE ? VALUE[v] : Number(v);
    stages[name] = { shape, data };
  }
  return stages;
}

/* The page's URL hash, once it has written the last change. */
export async function pageHash(page) {
  await until(page, () => !document.documentElement.hasAttribute('data-hash-pending'));
  return page.evaluate(() => location.hash);
}

/* Sets the page's hash and waits for its hashchange handler to have run.
 * Returns the hash as the page reads it, the event's (the browser escapes
 * some characters; the page may then have written the state it shows). */
export function setHash(page, hash) {
  return page.evaluate((h) => new Promise((resolve) => {
    const before = location.hash;
    window.addEventListener('hashchange', (e) => resolve(new URL(e.newURL).hash), { once: true });
    location.hash = h;
    if (location.hash === before) resolve(before); /* no change: no event */
  }), hash);
}

/* Sets a control as a user would (a change event), by its name. */
export const setControl = (page, name, value) => page.$eval(`[name=${name}]`, (i, v) => {
  if (i.type === 'checkbox') i.checked = v; else i.value = v;
  i.dispatchEvent(new Event('change'));
}, value);

/* Waits for `count` frames of the page to be drawn. */
export function frames(page, count) {
  return page.evaluate((n) => new Promise((done) => { const next = () => (n-- > 0 ? requestAnimationFrame(next) : done()); next(); }), count);
}

/* The selector of one cell. */
export function cell(stage, row, col, head) {
  return `[data-stage="${stage}"] [data-row="${row}"][data-col="${col}"]${head === undefined ? '' : `[data-head="${head}"]`}`;
}

/* Scrolls an element to the middle of the viewport, clear of the sticky
 * toolbar, which covers what sits at its top once the page is scrolled. */
export const toMiddle = (page, selector) => page.$eval(selector, (e) => e.scrollIntoView({ block: 'center' }));

/* Types text into an editable cell as a user would: click the cell (its
 * input opens, the number selected), select all, type, then end the edit
 * with `end` (a key such as 'Enter' or 'Tab', or null to leave it open). */
export async function typeInto(page, stage, row, col, text, { end = 'Enter' } = {}) {
  await page.click(cell(stage, row, col));
  await page.$eval(`${cell(stage, row, col)} input`, (input) => input.select());
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  if (end) await page.keyboard.press(end);
}

/* The data-value of one cell. */
export async function valueOf(page, stage, row, col, head) {
  await valuesWritten(page);
  return page.$eval(cell(stage, row, col, head), (td) => td.dataset.value);
}

/* The message beside a cell ('' when it has none): the element its input's
 * aria-describedby names. */
export const errorOf = (page, stage, row, col) => page.$eval(cell(stage, row, col), (td) => {
  const id = td.querySelector('input')?.getAttribute('aria-describedby');
  return (id && td.getRootNode().getElementById(id)?.textContent) || '';
});

/* Text without the direction isolates (U+2068, U+2069) put around names. */
export const plain = (text) => text.replace(/[\u2068\u2069]/g, '');

/* The case the page's inputs hold, as the JSON format: every editable
 * matrix read from its cells' data-value, the token names from their
 * inputs, and `options` (what the test expects the controls to have set)
 * on top. For comparing the page with the core's forward() of the case it
 * should show, rather than with what the page says about itself. */
export async function caseFromPage(page, options) {
  await valuesWritten(page);
  const read = await page.evaluate(() => {
    const out = {};
    for (const group of document.querySelectorAll('.card [data-stage]')) {
      if (!group.querySelector('td input')) continue; /* computed: not an input */
      out[group.dataset.stage] = [...group.querySelectorAll('td[data-row][data-col]')].map((td) =>
        [td.dataset.head === undefined ? -1 : Number(td.dataset.head), Number(td.dataset.row), Number(td.dataset.col), td.dataset.value]);
    }
    out.tokens = [...document.querySelectorAll('[data-stage="query"] input.token')].map((i) => i.value);
    return out;
  });
  const c = { ...options, tokens: read.tokens };
  const VECTORS = ['in_proj_bias', 'bias_k', 'bias_v', 'out_proj.bias', 'key_padding_mask'];
  for (const [name, cells] of Object.entries(read)) {
    if (name === 'tokens') continue;
    const cellValue = (v) => (v === 'true' ? true : v === 'false' ? false : v === 'NaN' || /Infinity/.test(v) ? v : Number(v));
    const heads = Math.max(...cells.map((x) => x[0])) + 1, rows = Math.max(...cells.map((x) => x[1])) + 1, cols = Math.max(...cells.map((x) => x[2])) + 1;
    const grid = Array.from({ length: Math.max(heads, 1) }, () => Array.from({ length: rows }, () => new Array(cols)));
    for (const [h, r, col, v] of cells) grid[Math.max(h, 0)][r][col] = cellValue(v);
    c[name] = heads > 0 ? grid : VECTORS.includes(name) ? grid[0][0] : grid[0];
  }
  return c;
}
