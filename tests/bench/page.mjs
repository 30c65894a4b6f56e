// page.mjs: the page's part of `make bench`, in headless Chromium (Debian's,
// software rendering: no GPU here).
//   - cold load: a fresh browser context opens index.html from file://; the
//     time from navigation start to the first frame after every stage is drawn.
//   - edit to repaint, over 200 edits of an embedding (an `input` event on a
//     cell, as typing makes), at the default view and at the largest preset:
//       work:  the event's handler (recompute in wasm, repaint the DOM) plus
//              the style and layout it causes, forced at once;
//       frame: from the event to the end of the next frame's main-thread work
//              (a requestAnimationFrame, then a task), which adds the wait for
//              the frame and the raster of what changed.
// The target (p95 under 16 ms: the repaint fits in one frame) is read on
// `work`: `frame` cannot go below the wait for the next 60 Hz frame, up to
// 16.7 ms, whatever the page does, and here it includes software raster.
// A report, not a test: it exits 0 whatever it measures.
import { launch, openPage } from '../browser.mjs';
import State from '../../web/page/state.js';

const EDITS = 200;
const LOADS = 5;
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

/* Per edit: { work, frame } in ms, at the given preset. */
async function edits(browser, preset) {
  const { page } = await openPage(browser);
  const times = await page.evaluate(async (p, count) => {
    const view = window.attentionView;
    view.commit(window.AttnState.PRESETS[p].make(), 'preset');
    const input = document.querySelector('[data-stage="query"] [data-row="0"][data-col="0"] input');
    input.scrollIntoView({ block: 'center' });
    const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    await nextFrame();
    const out = [];
    for (let i = 0; i < count; i++) {
      input.value = ((i % 19) - 9) / 10 + '';
      const t0 = performance.now();
      input.dispatchEvent(new Event('input', { bubbles: true }));
      document.body.getBoundingClientRect(); /* style and layout, now */
      const work = performance.now() - t0;
      await nextFrame();
      out.push({ work, frame: performance.now() - t0 });
    }
    return out;
  }, preset, EDITS);
  await page.close();
  return times;
}

const browser = await launch('chromium');
try {
  const loads = [];
  for (let i = 0; i < LOADS; i++) loads.push(await coldLoad(browser));
  console.log('\nthe page, in headless Chromium (software rendering)');
  console.log(`  cold load of index.html from file:// to the first frame with every stage: ${ms(median(loads))} (median of ${LOADS})`);
  const results = [];
  for (const [label, preset] of [['default (the lecture)', 'lecture'], [`largest preset (${State.PRESETS.paragraph.label})`, 'paragraph']]) {
    const t = await edits(browser, preset);
    const work = t.map((x) => x.work), frame = t.map((x) => x.frame);
    results.push({ label, work95: percentile(work, 95) });
    console.log(`  edit to repaint, ${EDITS} edits, ${label}:`);
    console.log(`    work (recompute, repaint, style, layout): p50 ${ms(median(work))}, p95 ${ms(percentile(work, 95))}`);
    console.log(`    to the next frame:                        p50 ${ms(median(frame))}, p95 ${ms(percentile(frame, 95))}`);
  }
  console.log('\ntargets (issue 5), the page (read on the work: the next frame also waits for vsync):');
  for (const { label, work95 } of results)
    console.log(`  ${work95 < 16 ? 'PASS' : 'FAIL'}  edit-to-repaint p95 under 16 ms, ${label}: ${ms(work95)}`);
} finally {
  await browser.close();
}
