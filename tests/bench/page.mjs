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
// Targets: frame p95 ≤ 33 ms at the largest example (issue 10) and at the
// 8-token sentence, whose pass is on one screen (issue 11).
// A report, not a test: it exits 0 whatever it measures.
import { launch, openPage } from '../browser.mjs';
import Cases from '../../web/page/model/cases.js';

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
  console.log('\ntargets, the page:');
  for (const [issue, example] of [['issue 10', LARGEST], ['issue 11', 'sentence']]) {
    const r = results.find((x) => x.example === example);
    console.log(`  ${r.frame95 <= 33 ? 'MET   ' : 'MISSED'}  (${issue}) an edit to the next frame, p95 ≤ 33 ms at the ${r.label}: ${ms(r.frame95)}`);
  }
} finally {
  await browser.close();
}
