// bigviews.test.mjs: a BERT-size layer on the page (issue 13, item 3), in
// Chromium and Firefox: a safetensors file of L = 128, E = 768, H = 12
// (9.4 MB, written here) opened from the file input; its big matrices are
// canvases carrying data-stage and data-shape; focusing one and moving with
// the arrows, or hovering a cell, fills the [data-readout] element with the
// cell's stage, head, row, column and full float32 value, equal to what the
// core computes in Node (the page opened with ?build=simd, Node's build:
// bit for bit); Enter on an input's canvas edits a number, and the readout
// then shows the recomputed values. The token lines are drawn on a canvas.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAttention } from '../web/attention.mjs';
import { BROWSERS, PAGE_URL, launch, visit, readStages, frames } from './browser.mjs';
import { ROOT, compareStages } from './helpers.mjs';
import { safetensors } from './tensorfiles.mjs';
import { createRequire } from 'node:module';

const Format = createRequire(import.meta.url)('../web/page/model/format.js');
const Cases = createRequire(import.meta.url)('../web/page/model/cases.js');

const L = 128, E = 768, H = 12;
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.2;
const tensor = (shape) => ({ dtype: 'F32', shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, random) });
const tensors = { in_proj_weight: tensor([3 * E, E]), in_proj_bias: tensor([3 * E]), 'out_proj.weight': tensor([E, E]), 'out_proj.bias': tensor([E]), query: tensor([L, E]) };
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const dir = mkdtempSync(join(tmpdir(), 'attention-bigviews-'));
const file = join(dir, 'bert-layer.safetensors');
writeFileSync(file, safetensors(tensors, { num_heads: String(H) }));

const attention = await createAttention({ build: 'simd' });
const bertCase = (query = tensors.query.data, inProjBias = tensors.in_proj_bias.data) => ({
  embed_dim: E, num_heads: H, bias: true, add_bias_kv: false, add_zero_attn: false, average_attn_weights: true,
  tokens: Array.from({ length: L }, (_, i) => `t${i}`),
  query: { shape: [L, E], data: query },
  ...Object.fromEntries(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'].map((k) => [k, { shape: tensors[k].shape, data: tensors[k].data }])),
  in_proj_bias: { shape: [3 * E], data: inProjBias },
});
const want = attention.forward(bertCase());
const at = (stages, stage, head, row, col) => {
  const { shape, data } = stages[stage];
  return shape.length === 3 ? data[(head * shape[1] + row) * shape[2] + col] : data[row * shape[1] + col];
};
/* the core's number as the page writes it: the shortest text that reads back as the float32 */
const text = (x) => Format.dataText(x);

const readout = (page) => page.$eval('[data-readout]', (r) => ({ stage: r.dataset.stage, head: r.dataset.head ?? null, row: r.dataset.row, col: r.dataset.col, value: r.dataset.value, hidden: r.hidden }));
const canvasOf = (stage, head) => `.canvas-matrix[data-stage="${stage}"]${head === undefined ? '' : `[data-head="${head}"]`} canvas`;

for (const name of BROWSERS) {
  describe(`a BERT-size layer in ${name}`, { concurrency: false }, () => {
    let browser;
    before(async () => { browser = await launch(name); });
    after(async () => { await browser?.close(); });

    it('loads, draws canvases with data-shape, reads cells by keys and hover as the core computes them, and edits a number', { timeout: 120000 }, async () => {
      const problems = await visit(browser, `${PAGE_URL}?build=simd`, async (page) => {
        await page.click('.share-toggle');
        const started = Date.now();
        await (await page.$('.share-panel input[type=file][name=model-file]')).uploadFile(file);
        await page.waitForFunction(() => /^(Opened|Nothing imported)/.test(document.querySelector('.share-status').textContent), { timeout: 60000 });
        const took = Date.now() - started;
        assert.match(await page.$eval('.share-status', (p) => p.textContent), /^Opened bert-layer\.safetensors/);
        assert.ok(took < 30000, `opened in ${took} ms`);
        await page.click('.share-toggle'); /* the panel closes */

        const shapes = await page.$$eval('.canvas-matrix', (list) => list.map((c) => `${c.dataset.stage}:${c.dataset.shape}:${c.dataset.head ?? ''}`));
        assert.ok(shapes.includes('weights:12,128,128:3'), shapes.join(' '));
        assert.ok(shapes.includes('scores:12,128,128:0'));
        assert.ok(shapes.includes('query:128,768:'));
        assert.ok(shapes.includes('output:128,768:'));
        assert.equal(await page.$$eval('[data-stage="weights"] td', (tds) => tds.length), 0, 'no DOM cells for a big matrix');
        assert.ok(shapes.includes('in_proj_bias:1,2304:') && shapes.includes('out_proj.bias:1,768:'), 'nor for a long bias');
        assert.equal(await page.$eval('[data-view="lines"]', (svg) => svg.querySelectorAll('line').length), 0, '12×128×128 lines go on a canvas');
        /* 128 tokens a side scroll in the lines' box, not down the page; a token focused by Tab is brought into it */
        const lastQuery = `.lines-labels text.lines-query:nth-of-type(${L})`; /* (the query tokens' labels first, then the keys') */
        const linesBox = () => page.$eval('.lines-box', (b, last) => { const r = b.getBoundingClientRect(); last = document.querySelector(last).getBoundingClientRect(); return { height: r.height, scrolls: b.scrollHeight > b.clientHeight, lastInside: last.top >= r.top && last.bottom <= r.bottom }; }, lastQuery);
        const before = await linesBox();
        assert.ok(before.height <= 520 && before.scrolls && !before.lastInside, JSON.stringify(before));
        await page.focus(lastQuery);
        assert.equal((await linesBox()).lastInside, true, 't127 focused, in view');
        await page.$eval(lastQuery, (t) => t.blur());

        /* the 12 heads in a grid, 4 across and 3 down, as wide as one canvas of the whole width (BertViz's model view):
         * the pointer at a head's middle reads that head's cell, as the core computes it */
        const heads = await page.$$eval(canvasOf('weights'), (list) => list.map((c) => { const r = c.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; }));
        const averageWidth = await page.$eval(canvasOf('attn_weights'), (c) => c.getBoundingClientRect().width);
        assert.deepEqual([heads.length, new Set(heads.map((r) => Math.round(r.left))).size, new Set(heads.map((r) => Math.round(r.top))).size], [H, 4, 3], JSON.stringify(heads));
        const across = Math.max(...heads.map((r) => r.right)) - Math.min(...heads.map((r) => r.left));
        assert.ok(across <= averageWidth + 1, `the grid ${across} px across, one canvas ${averageWidth} px`);
        await page.$eval(canvasOf('weights', 5), (c) => c.scrollIntoView({ block: 'center' }));
        const head5 = await page.$eval(canvasOf('weights', 5), (c) => { const r = c.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; });
        await page.mouse.move(...head5);
        const middle = await readout(page);
        assert.ok(Math.abs(middle.row - L / 2) <= 2 && Math.abs(middle.col - L / 2) <= 2, JSON.stringify(middle));
        assert.deepEqual(middle, { stage: 'weights', head: '5', row: middle.row, col: middle.col, value: text(at(want, 'weights', 5, Number(middle.row), Number(middle.col))), hidden: false });
        await page.mouse.move(0, 0);

        /* keys: focus head 3's weights, then two rows down and five columns right */
        await page.$eval(canvasOf('weights', 3), (c) => c.scrollIntoView({ block: 'center' }));
        await page.focus(canvasOf('weights', 3));
        for (let k = 0; k < 2; k++) await page.keyboard.press('ArrowDown');
        for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowRight');
        assert.deepEqual(await readout(page), { stage: 'weights', head: '3', row: '2', col: '5', value: text(at(want, 'weights', 3, 2, 5)), hidden: false });
        await page.keyboard.press('Escape');
        /* Enter pins it: a ring stays on the canvas, with the focus gone, until the box closes */
        const rings = () => page.$eval(canvasOf('weights', 3), (c) => {
          const d = c.getContext('2d').getImageData(0, 0, 40, 20).data;
          let n = 0;
          for (let k = 0; k < d.length; k += 4) if (Math.abs(d[k] - 11) < 25 && Math.abs(d[k + 1] - 87) < 25 && Math.abs(d[k + 2] - 208) < 25) n++;
          return n;
        });
        await page.focus(canvasOf('weights', 3));
        await page.keyboard.press('Enter');
        await page.$eval(canvasOf('weights', 3), (c) => c.blur());
        assert.equal(await page.$eval('.explain-close', (b) => b.hidden), false, 'pinned');
        assert.ok(await rings() > 0, 'the pinned cell is ringed');
        await page.click('.explain-close');
        assert.equal(await rings(), 0, 'no ring once the box is closed');

        /* hover: the scores of head 0 at (10, 20), and the output at (7, 100) */
        const hover = async (selector, row, col) => {
          const box = await page.$eval(selector, (c) => { c.scrollIntoView({ block: 'center' }); const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
          const [rows, cols] = await page.$eval(selector, (c) => c.parentElement.dataset.shape.split(',').slice(-2).map(Number));
          await page.mouse.move(box.x + (col + 0.5) * box.w / cols, box.y + (row + 0.5) * box.h / rows);
        };
        await hover(canvasOf('scores', 0), 10, 20);
        assert.deepEqual(await readout(page), { stage: 'scores', head: '0', row: '10', col: '20', value: text(at(want, 'scores', 0, 10, 20)), hidden: false });
        await hover(canvasOf('output'), 7, 100);
        /* (its rows are 0.625 px tall, and Firefox's pointer moves in whole px: the cell under it may be a neighbour) */
        const shown = await readout(page);
        assert.ok(Math.abs(shown.row - 7) <= 1 && Math.abs(shown.col - 100) <= 1, `output[${shown.row}][${shown.col}] under the pointer`);
        assert.deepEqual(shown, { stage: 'output', head: null, row: shown.row, col: shown.col, value: text(at(want, 'output', 0, Number(shown.row), Number(shown.col))), hidden: false });
        /* a bias beside its weight is a column, one number a row, each as wide as the column */
        const bias = await page.$eval(canvasOf('in_proj_bias'), (c) => { c.scrollIntoView({ block: 'center' }); const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
        const weight = await page.$eval(canvasOf('in_proj_weight'), (c) => c.getBoundingClientRect().height);
        assert.equal(bias.h, weight, 'as tall as its weight: row for row');
        await page.mouse.move(bias.x + bias.w / 2, bias.y + (1000 + 0.5) * bias.h / (3 * E));
        const read = await readout(page); /* (a row is 0.25 px: Firefox's pointer, in whole px, lands up to 2 rows off) */
        assert.ok(Math.abs(Number(read.col) - 1000) <= 2, `the number under the pointer: ${read.col}`);
        assert.deepEqual(read, { stage: 'in_proj_bias', head: null, row: '0', col: read.col, value: text(tensors.in_proj_bias.data[Number(read.col)]), hidden: false });
        await page.mouse.move(0, 0);
        await page.focus(canvasOf('in_proj_bias'));
        for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowDown');
        assert.deepEqual(await readout(page), { stage: 'in_proj_bias', head: null, row: '0', col: '3', value: text(tensors.in_proj_bias.data[3]), hidden: false }, '↓ moves along it');
        const ringEdge = await page.$eval(canvasOf('in_proj_bias'), (c) => [...c.getContext('2d').getImageData(0, 1, 1, 1).data].slice(0, 3).join(','));
        assert.equal(ringEdge, '0,0,0', 'the focused number’s ring keeps its sides, inside the column');
        /* zoomed (+ on the weight) or panned (↓ on the bias past its foot), the two stay row for row */
        /* the weight's row or the bias's number under the pointer, y px down the canvas */
        const rowUnder = async (stage, y) => {
          const [x, top] = await page.$eval(canvasOf(stage), (c) => { const r = c.getBoundingClientRect(); return [r.left + r.width / 2, r.top]; });
          await page.mouse.move(x, top + y);
          const r = await readout(page);
          return Number(stage === 'in_proj_bias' ? r.col : r.row);
        };
        /* both at the middle of the weight's row after the one at y0 (Firefox's pointer is in whole px) */
        const rowsAt = async (y0) => {
          let y = y0;
          const first = await rowUnder('in_proj_weight', y);
          while (await rowUnder('in_proj_weight', y + 1) === first) y++; /* (y: the row's last px) */
          const next = y + 1;
          while (await rowUnder('in_proj_weight', y + 1) === first + 1) y++;
          const middle = Math.round((next + y) / 2);
          return [await rowUnder('in_proj_weight', middle), await rowUnder('in_proj_bias', middle)];
        };
        await page.focus(canvasOf('in_proj_weight'));
        for (let k = 0; k < 20; k++) await page.keyboard.press('+');
        const [zoomedWeight, zoomedBias] = await rowsAt(100);
        assert.ok(zoomedWeight > 0 && zoomedWeight < 10, `zoomed in: row ${zoomedWeight} at 100 px`);
        assert.equal(zoomedBias, zoomedWeight, 'the bias zooms with its weight');
        await page.focus(canvasOf('in_proj_bias'));
        for (let k = 0; k < 60; k++) await page.keyboard.press('ArrowDown');
        const [pannedWeight, pannedBias] = await rowsAt(100);
        assert.ok(pannedWeight > zoomedWeight + 20, `panned down: row ${pannedWeight} at 100 px`);
        assert.equal(pannedWeight, pannedBias, 'the weight pans with its bias');
        await page.focus(canvasOf('in_proj_bias'));
        await page.keyboard.press('0');
        const foot = bias.h - 1; /* (the last px: the last rows, fitted) */
        assert.ok(await rowUnder('in_proj_weight', foot) >= 3 * E - 8 && await rowUnder('in_proj_bias', foot) >= 3 * E - 8, '0 fits both again');
        await page.mouse.move(0, 0);

        /* zoom (+ around the focused cell (0, 0)) and pan (a drag): the cell under a point moves (the head average:
         * a canvas of the whole width, MAX_SIDE_PX; a head's, in the grid, is a quarter of it) */
        const head0 = canvasOf('attn_weights');
        const box = await page.$eval(head0, (c) => { c.scrollIntoView({ block: 'center' }); const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width }; });
        const under = async (x, y) => { await page.mouse.move(box.x + x, box.y + y); const r = await readout(page); return [Number(r.row), Number(r.col)]; };
        assert.deepEqual(await under(box.w - 2, 2), [0, L - 1], 'fitted: the whole matrix');
        await page.focus(head0);
        for (let k = 0; k < 12; k++) await page.keyboard.press('+');
        assert.deepEqual(await under(2, 2), [0, 0], 'zoomed in around (0, 0)');
        const right = (await under(box.w - 2, 2))[1];
        assert.ok(right > 3 && right < 12, `zoomed in: about 50 px a cell, ${right + 1} columns seen`);
        await page.mouse.move(box.x + 200, box.y + 60);
        await page.mouse.down();
        await page.mouse.move(box.x + 80, box.y + 60, { steps: 4 });
        await page.mouse.up();
        assert.ok((await under(2, 2))[1] >= 2, 'a drag pans');
        assert.ok((await under(box.w - 2, 2))[1] >= right + 2);
        await page.keyboard.press('0');
        if (name === 'chromium') { /* two fingers (CDP touch events): a pinch zooms, and is no tap */
          const cdp = await page.target().createCDPSession();
          const touch = (type, xs) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: xs.map((x, id) => ({ x, y: box.y + 100, id })) });
          const middle = box.x + box.w / 2;
          await touch('touchStart', [middle - 10, middle + 10]);
          for (const d of [25, 50, 75, 100]) await touch('touchMove', [middle - d, middle + d]);
          await touch('touchEnd', []);
          const seen = (await under(box.w - 2, 2))[1] - (await under(2, 2))[1] + 1;
          assert.ok(seen > 5 && seen < L / 5, `a pinch zooms in about tenfold: ${seen} of ${L} columns seen`);
          assert.equal(await page.$eval('.explain-close', (b) => b.hidden), true, 'and pins nothing');
          await page.focus(head0);
          await page.keyboard.press('0');
        }
        await page.mouse.move(0, 0);

        /* an edit: query[0][1] = 1.5, by keys; the page recomputes */
        await page.$eval(canvasOf('query'), (c) => c.scrollIntoView({ block: 'center' }));
        await page.focus(canvasOf('query'));
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('Enter');
        assert.equal(await page.$eval('[data-stage="query"] .canvas-input', (i) => i.hidden), false, 'an input over the cell');
        await page.keyboard.type('1.5');
        await page.keyboard.press('Enter');
        const query = tensors.query.data.slice();
        query[1] = 1.5;
        const edited = attention.forward(bertCase(query));
        assert.deepEqual(await readout(page), { stage: 'query', head: null, row: '0', col: '1', value: '1.5', hidden: false });
        await page.focus(canvasOf('weights', 3)); /* (its focused cell is still (2, 5)) */
        const after = await readout(page);
        assert.deepEqual([after.stage, after.head, after.row, after.col], ['weights', '3', '2', '5']);
        assert.equal(after.value, text(at(edited, 'weights', 3, 2, 5)));
        assert.notEqual(after.value, text(at(want, 'weights', 3, 2, 5)), 'the edit changed the weights');

        /* a cell marked as where a row should look (the train card), on a head's canvas: ringed in the
         * marks' colour (a canvas has no td to carry data-target), and named in the card */
        const head3 = canvasOf('weights', 3);
        const ringed = () => page.$eval(head3, (c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let k = 0; k < d.length; k += 4) if (Math.abs(d[k] - 224) < 20 && Math.abs(d[k + 1] - 123) < 25 && d[k + 2] < 40) n++; /* (#e07b00) */
          return n;
        });
        assert.equal(await ringed(), 0);
        await page.click('[data-card="train"] .train-mark');
        await page.$eval(head3, (c) => c.scrollIntoView({ block: 'center' }));
        await page.focus(head3);
        const marked = await readout(page);
        await page.keyboard.press('Enter');
        await page.$eval(head3, (c) => c.blur()); /* (the focus's ring, over the same cell, gone) */
        assert.ok(await ringed() > 0, 'the marked cell is ringed');
        assert.equal(await page.$eval('[data-card="train"] .train-marks', (m) => m.textContent.replace(/[\u2068\u2069]/g, '')), `head 4: t${marked.row} → t${marked.col}`);
        await page.click('[data-card="train"] .train-mark'); /* (marking off) */
        await page.click('[data-card="train"] .train-clear');
        assert.equal(await ringed(), 0, 'cleared');

        /* the train card's wished-for output, drawn as the output's card is: a canvas, not 98,304 table cells (they took
         * 10 s); a number typed into it is the target: one step's loss is the core's output's distance from it */
        await page.select('[data-card="train"] select', 'output');
        assert.deepEqual(await page.$eval('[data-train-target]', (t) => [t.querySelectorAll('td').length, t.querySelector('.canvas-matrix')?.dataset.shape]), [0, `${L},${E}`]);
        await page.$eval('[data-train-target] canvas', (c) => c.scrollIntoView({ block: 'center' }));
        await page.focus('[data-train-target] canvas');
        await page.keyboard.press('Enter');
        await page.keyboard.type('2');
        await page.keyboard.press('Enter');
        await page.click('[data-card="train"] .train-step');
        await page.waitForFunction(() => document.querySelector('[data-card="train"]').dataset.steps === '1', { timeout: 20000 });
        const loss = Number(await page.$eval('[data-card="train"]', (c) => c.dataset.loss)), wanted = (edited.output.data[0] - 2) ** 2 / (L * E);
        assert.ok(Math.abs(loss - wanted) <= 1e-6 * wanted, `loss ${loss}, the core's ${wanted}`);
        await page.click('[data-card="train"] .train-reset'); /* (the case from before the step, for what follows) */

        /* the steps draw a bias as a strip: one number a column, as tall as the canvas */
        await page.$eval('[name=layout]', (select) => { select.value = 'steps'; select.dispatchEvent(new Event('change', { bubbles: true })); });
        const strip = await page.$eval(canvasOf('in_proj_bias'), (c) => { c.scrollIntoView({ block: 'center' }); const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height, shape: c.parentElement.dataset.shape }; });
        assert.equal(strip.shape, '1,2304');
        assert.equal(await page.$$eval('[data-card="in_proj_bias"] td', (tds) => tds.length), 0, 'no DOM cells for it');
        await page.mouse.move(strip.x + (1000 + 0.5) * strip.w / (3 * E), strip.y + strip.h - 2);
        const pointed = await readout(page); /* (Firefox: up to 2 numbers off, as on the column) */
        assert.ok(Math.abs(Number(pointed.col) - 1000) <= 2, `the number under the pointer: ${pointed.col}`);
        assert.deepEqual(pointed, { stage: 'in_proj_bias', head: null, row: '0', col: pointed.col, value: text(tensors.in_proj_bias.data[Number(pointed.col)]), hidden: false });
        await page.mouse.move(0, 0);
        await page.focus(canvasOf('in_proj_bias'));
        for (const key of ['ArrowRight', 'ArrowRight', 'ArrowDown', 'ArrowRight']) await page.keyboard.press(key);
        assert.deepEqual(await readout(page), { stage: 'in_proj_bias', head: null, row: '0', col: '3', value: text(tensors.in_proj_bias.data[3]), hidden: false }, '→ moves along it, ↓ stays');
        await page.keyboard.press('Enter');
        await page.keyboard.type('-0.0625');
        await page.keyboard.press('Enter');
        assert.deepEqual(await readout(page), { stage: 'in_proj_bias', head: null, row: '0', col: '3', value: '-0.0625', hidden: false });
        const editedBias = tensors.in_proj_bias.data.slice();
        editedBias[3] = -0.0625;
        const biased = attention.forward(bertCase(query, editedBias));
        await page.focus(canvasOf('q'));
        for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
        assert.deepEqual(await readout(page), { stage: 'q', head: null, row: '0', col: '3', value: text(at(biased, 'q', 0, 0, 3)), hidden: false }, 'q follows the edited bias, as the core computes it');
        assert.notEqual(text(at(biased, 'q', 0, 0, 3)), text(at(edited, 'q', 0, 0, 3)));

        /* the dark theme repaints the canvases in its palette */
        const pixel = () => page.$eval(canvasOf('scores', 0), (c) => [...c.getContext('2d').getImageData(2, 2, 1, 1).data].join(','));
        const light = await pixel();
        await page.evaluate(() => window.attentionApp.session.apply({ type: 'view', theme: 'dark' }));
        assert.notEqual(await pixel(), light, 'dark colours');

        /* on a phone, no canvas is wider than the window: the page does not scroll sideways
         * (the steps fitted again as the window narrows, the pass built at its width) */
        await page.setViewport({ width: 390, height: 844 });
        await frames(page, 2);
        for (const layout of ['steps', 'pass']) {
          await page.$eval('[name=layout]', (select, value) => { if (select.value !== value) { select.value = value; select.dispatchEvent(new Event('change', { bubbles: true })); } }, layout);
          const wide = await page.evaluate(() => ({
            page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            canvases: [...document.querySelectorAll('.canvas-matrix canvas')].filter((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth).map((c) => c.parentElement.dataset.stage),
          }));
          assert.deepEqual(wide, { page: 0, canvases: [] }, layout);
        }
      });
      assert.deepEqual(problems, [], 'no console error, page error or dialog');
    });

    it('draws a matrix wider than 128 columns on a canvas whatever its rows (E = 256 on three tokens), the small ones as tables', async () => {
      const problems = await visit(browser, `${PAGE_URL}?build=${attention.build}`, async (page) => { /* (the build Node runs: numbers bit for bit) */
        await page.evaluate(() => window.attentionApp.session.apply({ type: 'option', key: 'embed_dim', value: 256 }));
        await frames(page, 2);
        const kinds = await page.evaluate(() => Object.fromEntries(['query', 'q', 'context', 'output', 'scores', 'weights'].map((stage) =>
          [stage, document.querySelector(`.canvas-matrix[data-stage="${stage}"] canvas`) ? 'canvas' : document.querySelector(`[data-stage="${stage}"] td[data-row]`) ? 'table' : 'none'])));
        assert.deepEqual(kinds, { query: 'canvas', q: 'canvas', context: 'canvas', output: 'canvas', scores: 'table', weights: 'table' });
        /* 3×256: rows of 11 px, not of its 1.9 px cells, with the tokens beside them; the pointer reads the core's number at (row, col), before and after a zoom */
        const c = await page.evaluate(() => window.attentionApp.session.getState().case);
        const q = attention.forward(c).q;
        const box = await page.$eval(canvasOf('q'), (e) => { e.scrollIntoView({ block: 'center' }); const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
        assert.deepEqual([Math.round(box.w), Math.round(box.h)], [480, 33]);
        /* each label's middle on its row's middle, in the canvas's px */
        const rowNames = () => page.$eval(canvasOf('q'), (e) => { const top = e.getBoundingClientRect().top;
          return [...e.parentElement.querySelectorAll('.canvas-rows > span')].map((span) => { const r = span.getBoundingClientRect(); return [span.textContent, Math.round(r.top + r.height / 2 - top)]; }); });
        assert.deepEqual(await rowNames(), [['I', 6], ['am', 17], ['good', 28]]);
        for (const [row, col] of [[0, 3], [2, 200], [1, 255]]) {
          await page.mouse.move(box.x + (col + 0.5) * box.w / 256, box.y + (row + 0.5) * box.h / 3);
          assert.deepEqual(await readout(page), { stage: 'q', head: null, row: String(row), col: String(col), value: text(q.data[row * 256 + col]), hidden: false });
        }
        await page.mouse.move(0, 0);
        await page.focus(canvasOf('q'));
        for (let k = 0; k < 4; k++) await page.keyboard.press('+'); /* around cell (0, 0): 1.9 → 4.6 px a cell, rows still 11 px */
        await page.mouse.move(box.x + 2.5 * 1.875 * 1.25 ** 4, box.y + 1.5 * 11);
        assert.deepEqual(await readout(page), { stage: 'q', head: null, row: '1', col: '2', value: text(q.data[256 + 2]), hidden: false });
        assert.deepEqual(await rowNames(), [['I', 6], ['am', 17], ['good', 28]]);
        for (let k = 0; k < 12; k++) await page.keyboard.press('+'); /* 66 px a cell, rows too, the middle of row 0 kept at 6 px: the others and their labels off the canvas */
        assert.deepEqual(await rowNames(), [['I', 6]]);
      }, { width: 1366, height: 768 });
      assert.deepEqual(problems, [], 'no console error, page error or dialog');
    });

    it('draws the largest example’s heatmaps on a canvas under their cells: each cell its palette’s colour for the core’s value, in both themes, after an edit, in print', async () => {
      const problems = await visit(browser, `${PAGE_URL}?build=simd#example=paragraph`, async (page) => {
        const paragraph = Cases.EXAMPLES.paragraph.make();
        /* [stage, head, row, col]: inputs and stages, per-head and not, of both palettes */
        const CELLS = [['query', null, 0, 0], ['in_proj_weight', null, 70, 3], ['q', null, 3, 7], ['scores', 1, 2, 12], ['weights', 2, 5, 9], ['attn_weights', null, 4, 4], ['output', null, 15, 31]];
        /* an input's numbers from the case, a stage's from the core: { shape, data } */
        const matrix = (stages, stage) => stages[stage] ?? { shape: [paragraph[stage].length, paragraph[stage][0].length], data: paragraph[stage].flat() };
        const expected = (stages, theme) => CELLS.map(([stage, head, row, col]) => {
          const kind = ['weights', 'attn_weights'].includes(stage) ? 'sequential' : 'diverging';
          const scale = kind === 'sequential' ? 1 : Format.niceScale(Format.maxAbs(matrix(stages, stage).data));
          const value = at({ [stage]: matrix(stages, stage) }, stage, head ?? 0, row, col);
          return `${stage}: ${Format.colourTable(kind, theme)[Format.colourIndex(value, kind, scale)].rgb.join(',')}`;
        });
        /* the backdrop's pixel at each cell's middle, the cell on screen (as
         * a user sees it: a matrix skipped off screen is drawn when it comes
         * into view), in the next frame; the cell has no colour of its own */
        const shown = () => page.evaluate(async (cells) => {
          const out = [];
          for (const [stage, head, row, col] of cells) {
            const td = document.querySelector(`[data-stage="${stage}"] [data-row="${row}"][data-col="${col}"]${head === null ? '' : `[data-head="${head}"]`}`);
            td.scrollIntoView({ block: 'center' });
            await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            const canvas = td.closest('.backdrop-box').querySelector(':scope > canvas.backdrop'), box = canvas.getBoundingClientRect(), r = td.getBoundingClientRect();
            const ratio = canvas.width / box.width;
            const rgb = canvas.getContext('2d').getImageData(Math.floor(((r.left + r.right) / 2 - box.left) * ratio), Math.floor(((r.top + r.bottom) / 2 - box.top) * ratio), 1, 1).data;
            const own = getComputedStyle(td).backgroundColor;
            out.push(`${stage}: ${[...rgb].slice(0, 3).join(',')}${own === 'rgba(0, 0, 0, 0)' ? '' : ` (and its own ${own})`}`);
          }
          return out;
        }, CELLS);
        const theme = (value) => page.$eval('[name=theme]', (select, v) => { select.value = v; select.dispatchEvent(new Event('change')); }, value);
        let stages = attention.forward(paragraph);
        assert.deepEqual(await shown(), expected(stages, 'light'), 'light');
        await theme('dark');
        assert.deepEqual(await shown(), expected(stages, 'dark'), 'a theme switch repaints');
        await page.$eval('[data-stage="query"] [data-row="0"][data-col="0"] input', (input) => { input.value = '-0.875'; input.dispatchEvent(new Event('input', { bubbles: true })); });
        paragraph.query[0][0] = -0.875;
        stages = attention.forward(paragraph);
        assert.deepEqual(await shown(), expected(stages, 'dark'), 'an edit repaints what it changed');
        await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
        assert.deepEqual(await shown(), expected(stages, 'light'), 'about to print (a browser may print a copy made now): the light palette');
        await page.evaluate(() => dispatchEvent(new Event('afterprint')));
        assert.deepEqual(await shown(), expected(stages, 'dark'), 'printed: dark again');
        if (name === 'chromium') {
          await page.emulateMediaType('print');
          assert.deepEqual(await shown(), expected(stages, 'light'), 'print from dark: the light palette');
          await page.emulateMediaType(null);
          await theme('auto');
          await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
          assert.deepEqual(await shown(), expected(stages, 'dark'), 'the system turning dark');
          await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
        }
        /* laid out again (a narrower window): the colours follow their cells */
        await theme('light');
        await page.setViewport({ width: 700, height: 900 });
        assert.deepEqual(await shown(), expected(stages, 'light'), 'after a resize');
      }, { width: 1366, height: 768 });
      assert.deepEqual(problems, [], 'no console error, page error or dialog');
    });

    it('writes a heatmap’s numbers (data-value) once the edits rest: its colours at once, data-values-pending through quick edits, then the core’s numbers for the last', async () => {
      const problems = await visit(browser, `${PAGE_URL}?build=simd#example=paragraph`, async (page) => {
        const paragraph = Cases.EXAMPLES.paragraph.make();
        const before = attention.forward(paragraph);
        /* three edits in one task, as a drag makes them between two frames */
        const during = await page.$eval('[data-stage="query"] [data-row="0"][data-col="0"] input', (input) => {
          for (const v of ['0.5', '-1.25', '0.3125']) { input.value = v; input.dispatchEvent(new Event('input', { bubbles: true })); }
          const td = (stage) => document.querySelector(`[data-stage="${stage}"] [data-row="0"][data-col="0"]`);
          return { pending: [...new Set([...document.querySelectorAll('[data-values-pending]')].map((m) => m.closest('[data-stage]').dataset.stage))].sort(),
            query: td('query').dataset.value, output: td('output').dataset.value };
        });
        assert.deepEqual(during.pending, ['attn_weights', 'context', 'k', 'output', 'q', 'q_scaled', 'scores', 'v', 'weights'], 'the stages the edit changed wait to be written');
        assert.equal(during.query, '0.3125', 'an input’s own number is written at once');
        assert.equal(during.output, text(before.output.data[0]), 'a stage’s number is the one from before the edits, until they rest');
        paragraph.query[0][0] = 0.3125;
        const stages = attention.forward(paragraph);
        assert.deepEqual(compareStages(await readStages(page), stages), [], 'then every number is the core’s for the last edit');
        assert.equal(await page.$$eval('[data-values-pending]', (found) => found.length), 0);
      }, { width: 1366, height: 768 });
      assert.deepEqual(problems, [], 'no console error, page error or dialog');
    });

    it('passes axe-core with a BERT-size layer shown', { timeout: 120000 }, async () => {
      if (name !== 'chromium') return; /* (once is enough: axe is slow on 3000 cells) */
      await visit(browser, `${PAGE_URL}?build=simd`, async (page) => {
        await page.click('.share-toggle');
        await (await page.$('.share-panel input[type=file][name=model-file]')).uploadFile(file);
        await page.waitForFunction(() => /^Opened/.test(document.querySelector('.share-status').textContent), { timeout: 60000 });
        await page.click('.share-toggle');
        await page.addScriptTag({ path: AXE });
        const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'], preload: false })).violations
          .filter((v) => v.impact === 'critical' || v.impact === 'serious')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].target.join(' ')}`));
        assert.deepEqual(violations, []);
      });
    });
  });
}
