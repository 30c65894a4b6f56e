// page.mjs: the page's part of `make bench`, in headless Chromium (Debian's,
// software rendering: no GPU here).
//   - cold load: a fresh browser context opens index.html from file://; the
//     time from navigation start to the first frame after every stage is drawn.
//   - an edit, to the next frame on screen, over 200 edits of an embedding
//     (an `input` event on a cell, as typing makes), in the pass (the
//     page's default view), at the lecture, the 8-token sentence and the
//     largest example:
//       work:  the event's handler (recompute in wasm, repaint the DOM) plus
//              the style and layout it causes, forced at once;
//       frame: from the event to the second requestAnimationFrame after it:
//              the first runs before the frame that shows the edit is made,
//              the second once that frame (style, layout, paint, layerize,
//              commit) is done. This is what the user waits for; it cannot go
//              below one frame interval (16.7 ms at 60 Hz).
//     Cross-checked once with a Chromium trace: from the edit's user-timing
//     mark to the first DrawFrame after the first Commit after it (the
//     compositor drawing the frame that holds the edit).
//   - an example chosen in the list (a change event on it, as a choice
//     makes), to the second requestAnimationFrame after it: the view built
//     anew, laid out and drawn; the sentence and the largest example, each
//     five times, back to the lecture between; and the largest at
//     1920×1080, where its pass is fitted to the screen (fit.js), beside
//     the same with the fit off, turn about in one page.
//   - a BERT-base layer (L = 128, E = 768, H = 12; issue 13): a 9.4 MB
//     safetensors file chosen in the Export / import panel, from the file
//     input's change event to the second requestAnimationFrame after the
//     panel says it opened it (every card drawn, canvases painted); then
//     edits of query[0][1] as a user makes them on its canvas (Enter on the
//     canvas, a number typed, Enter), from the last Enter to the next frame.
// Targets: frame p95 ≤ 33 ms at the largest example (issue 10) and at the
// 8-token sentence, whose pass is on one screen (issue 11); at the BERT-base
// layer, an edit to the next frame p95 ≤ 100 ms and the file to the first
// complete view ≤ 1.5 s (issue 13).
// A report, not a test: it exits 0 whatever it measures.
import { launch, openPage } from '../browser.mjs';
import Cases from '../../web/page/model/cases.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safetensors } from '../tensorfiles.mjs';

const EDITS = 200;
const TRACED_EDITS = 30;
const LOADS = 5;
const LARGEST = Object.entries(Cases.EXAMPLES).sort(([, a], [, b]) => JSON.stringify(b.make()).length - JSON.stringify(a.make()).length)[0][0];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const ms = (x) => `${x.toFixed(1)} ms`;

async function coldLoad(browser) {
  const context = await browser.createBrowserContext();
  const { page } = await openPage(context); /* index.html, 1280×900, until it is ready */
  const firstFrame = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0))));
  await context.close();
  return firstFrame;
}

/* Opens the page on an example, with the embedding X[0][0] on screen. */
async function openOn(browser, example) {
  const { page } = await openPage(browser);
  await page.evaluate(async (name) => {
    window.attentionApp.session.apply({ type: 'example', name });
    document.querySelector('[data-stage="query"] [data-row="0"][data-col="0"] input').scrollIntoView({ block: 'center' });
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  }, example);
  return page;
}

/* `count` edits in the page: { work, frame } in ms each. */
function runEdits(page, count) {
  return page.evaluate(async (n) => {
    const input = document.querySelector('[data-stage="query"] [data-row="0"][data-col="0"] input');
    const twoFrames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const out = [];
    for (let i = 0; i < n; i++) {
      input.value = String(((i % 19) - 9) / 10 + 0.05);
      performance.mark(`edit-${i}`);
      const t0 = performance.now();
      input.dispatchEvent(new Event('input', { bubbles: true }));
      document.body.getBoundingClientRect(); /* style and layout, now */
      const work = performance.now() - t0;
      await twoFrames();
      out.push({ work, frame: performance.now() - t0 });
      await new Promise((resolve) => setTimeout(resolve, 20)); /* the next edit does not start on a frame's heels */
    }
    return out;
  }, count);
}

/* The trace's view of the same: from each edit's mark to the first frame
 * the compositor draws (DrawFrame) after the first Commit that follows it. */
async function traced(page) {
  await page.tracing.start({ categories: ['devtools.timeline', 'blink.user_timing', 'disabled-by-default-devtools.timeline.frame'] });
  await runEdits(page, TRACED_EDITS);
  const events = JSON.parse(new TextDecoder().decode(await page.tracing.stop())).traceEvents;
  const times = (name) => events.filter((e) => e.name === name).map((e) => e.ts + (e.dur || 0)).sort((a, b) => a - b);
  const marks = events.filter((e) => /^edit-\d+$/.test(e.name)).map((e) => e.ts).sort((a, b) => a - b);
  const commits = times('Commit'), draws = times('DrawFrame');
  return marks.map((t) => {
    const commit = commits.find((c) => c > t);
    const draw = commit === undefined ? undefined : draws.find((d) => d > commit);
    return draw === undefined ? null : (draw - t) / 1000;
  }).filter((x) => x !== null);
}

/* ms from choosing an example in the list to the next frame */
const choose = (page, name) => page.evaluate((example) => new Promise((resolve) => {
  const select = document.querySelector('[name=example]'), t0 = performance.now();
  select.value = example;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
}), name);
const rest = () => new Promise((resolve) => setTimeout(resolve, 200));

/* ms from choosing each example in the list to the next frame: { name: [ms, …] } */
async function switches(browser, examples, times = 5) {
  const { page } = await openPage(browser);
  const took = Object.fromEntries(examples.map((e) => [e, []]));
  for (let k = 0; k < times; k++)
    for (const example of examples.flatMap((e) => [e, 'lecture'])) {
      const ms = await choose(page, example);
      took[example]?.push(ms);
      await rest();
    }
  await page.close();
  return took;
}

/* The largest example chosen at 1920×1080, where its pass is fitted to the
 * screen (fit.js: its type shrunk, two more layouts), and the same with the
 * fit off (fit.js's check a no-op), turn about in one page: { fitted: [ms,
 * …], unfitted: [ms, …], outputBottom: px when fitted } */
async function fitted(browser, times = 5) {
  const { page } = await openPage(browser, undefined, { width: 1920, height: 1080 });
  await page.evaluate(() => {
    const check = AttnFit.PassFit.prototype.check;
    AttnFit.PassFit.prototype.check = function () { if (!window.benchNoFit) check.call(this); };
  });
  const took = { fitted: [], unfitted: [] };
  for (let k = 0; k < 2 * times; k++) {
    const off = k % 2 === 1;
    await page.evaluate((value) => { window.benchNoFit = value; }, off);
    took[off ? 'unfitted' : 'fitted'].push(await choose(page, LARGEST));
    if (!off) took.outputBottom = await page.$eval('[data-stage="output"]', (o) => o.getBoundingClientRect().bottom);
    await rest();
    await choose(page, 'lecture');
    await rest();
  }
  await page.close();
  return took;
}

/* ---- a BERT-base layer (issue 13) ---- */

const BERT_LOADS = 3, BERT_EDITS = 40;
function bertFile() {
  const L = 128, E = 768;
  let seed = 3;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.2;
  const tensor = (shape) => ({ dtype: 'F32', shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, random) });
  const path = join(mkdtempSync(join(tmpdir(), 'attention-bench-')), 'bert-layer.safetensors');
  writeFileSync(path, safetensors({ in_proj_weight: tensor([3 * E, E]), in_proj_bias: tensor([3 * E]), 'out_proj.weight': tensor([E, E]), 'out_proj.bias': tensor([E]), query: tensor([L, E]) }, { num_heads: '12' }));
  return path;
}

/* Opens the file in a fresh page: the page and the ms from choosing it to the first complete view. */
async function openBert(browser, path) {
  const { page } = await openPage(browser);
  await page.click('.share-toggle');
  const input = await page.$('.share-panel input[type=file][name=model-file]');
  await page.evaluate(() => document.querySelector('.share-panel input[type=file][name=model-file]').addEventListener('change', () => { window.benchChosen = performance.now(); }, { capture: true }));
  await input.uploadFile(path);
  await page.waitForFunction(() => /^Opened/.test(document.querySelector('.share-status').textContent), { timeout: 60000, polling: 'raf' });
  const took = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - window.benchChosen)))));
  return { page, took };
}

/* `count` edits of query[0][1] on its canvas: ms from the Enter that commits to the second rAF. */
function bertEdits(page, count) {
  return page.evaluate(async (n) => {
    const canvas = document.querySelector('.canvas-matrix[data-stage="query"] canvas'), input = canvas.parentElement.querySelector('.canvas-input');
    const key = (target, name) => target.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true }));
    const twoFrames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    canvas.scrollIntoView({ block: 'center' });
    canvas.focus();
    key(canvas, 'ArrowRight');
    const out = [];
    for (let i = 0; i < n; i++) {
      key(canvas, 'Enter');
      input.value = String(((i % 19) - 9) / 10 + 0.05);
      const t0 = performance.now();
      key(input, 'Enter');
      await twoFrames();
      out.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return out;
  }, count);
}

async function bert(browser) {
  const path = bertFile(), loads = [];
  let edits = null;
  for (let i = 0; i < BERT_LOADS; i++) {
    const { page, took } = await openBert(browser, path);
    loads.push(took);
    if (i === BERT_LOADS - 1) edits = await bertEdits(page, BERT_EDITS);
    await page.close();
  }
  console.log('  a BERT-base layer (L = 128, E = 768, H = 12), a 9.4 MB safetensors file:');
  console.log(`    chosen to the first complete view:         ${loads.map(ms).join(', ')} (median ${ms(median(loads))})`);
  console.log(`    an edit on a canvas to the next frame:      p50 ${ms(median(edits))}, p95 ${ms(percentile(edits, 95))} (${BERT_EDITS} edits)`);
  return { load: median(loads), frame95: percentile(edits, 95) };
}

const browser = await launch('chromium');
try {
  const loads = [];
  for (let i = 0; i < LOADS; i++) loads.push(await coldLoad(browser));
  console.log('\nthe page, in headless Chromium (software rendering)');
  console.log(`  cold load of index.html from file:// to the first frame with every stage: ${ms(median(loads))} (median of ${LOADS})`);
  const results = [];
  for (const [label, example] of [['the lecture', 'lecture'], [`8-token sentence (${Cases.EXAMPLES.sentence.label})`, 'sentence'], [`largest example (${Cases.EXAMPLES[LARGEST].label})`, LARGEST]]) {
    const page = await openOn(browser, example);
    const t = await runEdits(page, EDITS);
    const trace = await traced(page);
    await page.close();
    const work = t.map((x) => x.work), frame = t.map((x) => x.frame);
    results.push({ label, example, frame95: percentile(frame, 95) });
    console.log(`  an edit, ${EDITS} edits, ${label}:`);
    console.log(`    work (recompute, repaint, style, layout):  p50 ${ms(median(work))}, p95 ${ms(percentile(work, 95))}`);
    console.log(`    to the next frame (two rAFs):              p50 ${ms(median(frame))}, p95 ${ms(percentile(frame, 95))}`);
    console.log(`    trace, to the frame drawn after it:        p50 ${ms(median(trace))}, p95 ${ms(percentile(trace, 95))} (${trace.length} edits)`);
  }
  const chosen = await switches(browser, ['sentence', LARGEST]);
  console.log('  an example chosen in the list, to the next frame (the view built anew):');
  for (const [example, times] of Object.entries(chosen))
    console.log(`    ${Cases.EXAMPLES[example].label}:`.padEnd(48) + `${times.map(ms).join(', ')} (median ${ms(median(times))})`);
  const fit = await fitted(browser);
  console.log(`  the largest example chosen at 1920×1080, to the next frame: its pass fitted to the screen (output's bottom at ${Math.round(fit.outputBottom)} px), and not (fit.js off), turn about:`);
  for (const key of ['fitted', 'unfitted']) console.log(`    ${key}:`.padEnd(48) + `${fit[key].map(ms).join(', ')} (median ${ms(median(fit[key]))})`);
  console.log(`    fitted / not:`.padEnd(48) + `${(median(fit.fitted) / median(fit.unfitted)).toFixed(2)}×`);
  const big = await bert(browser);
  console.log('\ntargets, the page:');
  for (const [issue, example] of [['issue 10', LARGEST], ['issue 11', 'sentence']]) {
    const r = results.find((x) => x.example === example);
    console.log(`  ${r.frame95 <= 33 ? 'MET   ' : 'MISSED'}  (${issue}) an edit to the next frame, p95 ≤ 33 ms at the ${r.label}: ${ms(r.frame95)}`);
  }
  console.log(`  ${big.frame95 <= 100 ? 'MET   ' : 'MISSED'}  (issue 13) an edit to the next frame, p95 ≤ 100 ms at the BERT-base layer: ${ms(big.frame95)}`);
  console.log(`  ${big.load <= 1500 ? 'MET   ' : 'MISSED'}  (issue 13) a 9.4 MB safetensors file to the first complete view ≤ 1.5 s: ${ms(big.load)} (median of ${BERT_LOADS})`);
} finally {
  await browser.close();
}
