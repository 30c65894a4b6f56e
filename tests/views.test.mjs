// views.test.mjs: seeing attention, in headless Chromium and Firefox: the
// whole pass on one screen, its connectors, a card's detail, the heatmaps'
// legends, the token lines, the players, the lessons beside the numbers, a
// phone and a projector, lesson links that hide parts, and the trained
// examples with their vocabulary. Numbers are checked against the core's.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createAttention } from '../web/attention.mjs';
import { compareStages } from './helpers.mjs';
import { BROWSERS, PAGE_URL, launch, visit, readStages, frames, cell, typeInto, toMiddle, pageHash, setHash, setControl, caseFromPage } from './browser.mjs';

const require = createRequire(import.meta.url);
const Cases = require('../web/page/model/cases.js');
const Format = require('../web/page/model/format.js');
const Operations = require('../web/page/model/operations.js');
const Vocabulary = require('../web/page/model/vocabulary.js');
const { Session } = require('../web/page/model/session.js');

const attention = await createAttention();
/* the page on the build this Node runs, for numbers compared bit for bit (a
 * browser picks the relaxed build, whose fused multiply-adds round otherwise) */
const SAME_BUILD = `${PAGE_URL}?build=${attention.build}`;
/* screens and the examples whose whole pass fits on them (a tablet held sideways, an XGA projector: 1194, 1024) */
const FIRST_SCREENS = [[1920, 1080, ['lecture', 'sentence']], [1366, 768, ['lecture', 'sentence']], [1280, 800, ['lecture', 'sentence']], [1194, 834, ['lecture', 'sentence']], [1024, 768, ['lecture', 'sentence']]];
const TRAINED = Object.keys(Cases.EXAMPLES).filter((name) => Cases.EXAMPLES[name].kind === 'trained');
const rectOf = (page, selector) => page.$eval(selector, (e) => { const r = e.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; });
const inside = (r, w, h) => r.left >= -0.5 && r.top >= -0.5 && r.right <= w + 0.5 && r.bottom <= h + 0.5;
const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

for (const name of BROWSERS) {
  describe(`views in ${name}`, { concurrency: false }, () => {
    let browser;
    before(async () => { browser = await launch(name); });
    after(async () => { await browser?.close(); });
    const withPage = async (url, body, options) => assert.deepEqual(await visit(browser, url, body, options), [], 'no console error, page error or dialog');

    for (const [w, h, examples] of FIRST_SCREENS)
      for (const example of examples)
        it(`keeps X, the weights and the output on the first screen at ${w}×${h}, ${example}`, () =>
          withPage(`${PAGE_URL}#example=${example}`, async (page) => {
            await frames(page, 2);
            for (const stage of ['query', 'weights', 'attn_weights', 'output']) {
              const r = await rectOf(page, `[data-stage="${stage}"]`);
              assert.ok(inside(r, w, h), `${stage} at ${JSON.stringify(r)} is inside ${w}×${h}`);
              const cells = await page.$$eval(`[data-stage="${stage}"] [data-row][data-col][data-value]`, (tds) => tds.length);
              assert.ok(cells > 0, `${stage} carries the contract`);
            }
            assert.deepEqual(compareStages(await readStages(page), attention.forward(Cases.EXAMPLES[example].make())), []);
            assert.equal(await page.$eval('[data-card="sentence"]', (c) => c.hidden && getComputedStyle(c).display), 'none', 'no sentence card: the example has no vocabulary');
            assert.equal(await page.evaluate(() => scrollY), 0, 'nothing scrolled');
          }, { width: w, height: h }));

    for (const [w, h] of [[1920, 1080], [1366, 768], [1280, 800], [1194, 834], [1024, 768]])
      it(`keeps a trained example's output beside its weights, on the first screen, and its whole sentence in view at ${w}×${h}`, async () => {
        for (const example of TRAINED)
          await withPage(`${PAGE_URL}#example=${example}`, async (page) => {
            await frames(page, 2);
            const [weights, output] = [await rectOf(page, '[data-stage="weights"]'), await rectOf(page, '[data-stage="output"]')];
            assert.ok(output.left > weights.right && inside(output, w, h), `${example}: output at ${JSON.stringify(output)}, beside the weights (${JSON.stringify(weights)}) inside ${w}×${h}`);
            const field = await page.$eval('.sentence-input', (f) => ({ value: f.value, overflow: [f.scrollWidth - f.clientWidth, f.scrollHeight - f.clientHeight] }));
            assert.equal(field.value, Cases.EXAMPLES[example].make().tokens.join(' '), example);
            assert.deepEqual(field.overflow, [0, 0], `${example}: the whole sentence in view`);
          }, { width: w, height: h });
      });

    it('draws the attention weights in bigger squares than the other heatmaps, bigger again on a wide screen, and keeps a long sentence\'s in its column', async () => {
      const squares = (page) => page.evaluate(() => Object.fromEntries(['q', 'weights'].map((stage) => [stage, document.querySelector(`[data-stage="${stage}"] td[data-row][data-col]`).getBoundingClientRect().width])));
      const sizes = {};
      for (const [w, h] of [[1366, 768], [1920, 1080]])
        await withPage(`${PAGE_URL}#example=pronoun`, async (page) => {
          await frames(page, 2);
          sizes[w] = await squares(page);
          assert.ok(sizes[w].weights / sizes[w].q > 1.45, `at ${w}: weights ${sizes[w].weights} px, about 1.6 times Q's ${sizes[w].q} px`);
          if (w === 1366) { /* 16 tokens: the weights no wider than 11rem (176 px), their squares never smaller than Q's */
            for (let i = 0; i < 9; i++) await page.click('.add-token');
            await frames(page, 2);
            const long = await squares(page), L = await page.$$eval('[data-stage="weights"] tbody tr', (rows) => rows.length);
            assert.equal(L, 16);
            assert.ok(long.weights * L <= 176 + L && long.weights >= long.q - 0.01, `16 tokens: squares of ${long.weights} px (Q's ${long.q})`);
            const output = await rectOf(page, '[data-stage="output"]'), weights = await rectOf(page, '[data-stage="weights"]');
            assert.ok(output.left > weights.right && output.right <= w, 'and the output still beside them');
          }
        }, { width: w, height: h });
      assert.ok(sizes[1920].q > sizes[1366].q * 1.25, `a wide screen's squares are bigger: ${sizes[1920].q} px against ${sizes[1366].q}`);
    });

    it('keeps every card\'s matrices inside it, on a projector and off, at 1920, 1366 and 1024', async () => {
      for (const [w, h, hash] of [[1920, 1080, '#example=two_heads&present=1'], [1920, 1080, '#example=sentence'], [1366, 768, '#example=two_heads&present=1'], [1024, 768, '#example=pronoun']])
        await withPage(`${PAGE_URL}${hash}`, async (page) => {
          await frames(page, 2);
          const spilt = await page.evaluate(() => [...document.querySelectorAll('.card')].filter((c) => c.offsetParent).flatMap((c) => {
            const r = c.getBoundingClientRect();
            return [...c.querySelectorAll('table, canvas, svg')].filter((t) => t.getBoundingClientRect().right > r.right + 0.5).map(() => c.dataset.card);
          }));
          assert.deepEqual(spilt, [], `${w} ${hash}`);
        }, { width: w, height: h });
    });

    it('lays more than 8 heads side by side in a grid, √H across (16: 4), each inside its card, the core’s numbers; up to 8, and on a phone, one above the other', async () => {
      const tops = (page, stage) => page.$$eval(`[data-card="${stage}"] .head`, (heads) => heads.map((h) => Math.round(h.getBoundingClientRect().top)));
      for (const [w, h, H, rows] of [[1920, 1080, 16, [4, 4, 4, 4]], [1920, 1080, 8, Array(8).fill(1)], [390, 844, 16, Array(16).fill(1)]])
        await withPage(`${SAME_BUILD}#example=two_heads&num_heads=${H}`, async (page) => {
          await frames(page, 2);
          for (const stage of ['scores', 'weights']) {
            const seen = await tops(page, stage), counts = [...new Set(seen)].map((top) => seen.filter((t) => t === top).length);
            assert.deepEqual(counts, rows, `${stage}, H = ${H} at ${w}: heads a row`);
          }
          const spilt = await page.$$eval('[data-card="scores"], [data-card="weights"]', (cards) => cards.filter((c) => [...c.querySelectorAll('table')].some((t) => t.getBoundingClientRect().right > c.getBoundingClientRect().right + 0.5)).map((c) => c.dataset.card));
          assert.deepEqual(spilt, [], 'every head inside its card');
          assert.deepEqual(compareStages(await readStages(page), attention.forward(await page.evaluate(() => window.attentionApp.session.getState().case))), []);
        }, { width: w, height: h });
    });

    it('joins every stage to what it is made from, and opens a card’s detail on a click', () =>
      withPage(`${PAGE_URL}#example=sentence`, async (page) => {
        await frames(page, 3);
        const joins = await page.$$eval('.connectors path', (paths) => paths.map((p) => `${p.dataset.from}>${p.dataset.to}`));
        for (const join of ['query>q', 'in_proj_weight>k', 'q>q_scaled', 'q_scaled>scores', 'k>scores', 'scores>weights', 'weights>attn_weights', 'weights>context', 'v>context', 'context>output', 'out_proj.weight>output'])
          assert.ok(joins.includes(join), `${join} among ${joins.join(' ')}`);
        /* a heatmap in the pass; its detail has every number */
        assert.equal(await page.$eval(cell('q', 2, 5), (td) => td.textContent), '', 'the pass draws Q as a heatmap');
        await page.click('[data-card="q"] .card-open');
        assert.equal(await page.$eval('[data-card="q"]', (f) => f.classList.contains('is-open')), true);
        assert.equal(await page.$eval(cell('q', 2, 5), (td) => td.textContent), Format.cellText(attention.forward(Cases.EXAMPLES.sentence.make()).q.data[2 * 16 + 5]));
        assert.match(await page.$eval('[data-card="q"] .card-formula', (f) => getComputedStyle(f).display !== 'none' && f.textContent), /X·Wqᵀ \+ bq/);
        await page.keyboard.press('Escape');
        assert.equal(await page.$eval('[data-card="q"]', (f) => f.classList.contains('is-open')), false, 'Escape closes it');
      }));

    it('gives every heatmap a colour legend with its scale', () =>
      withPage(`${PAGE_URL}#example=sentence`, async (page) => {
        const stages = attention.forward(Cases.EXAMPLES.sentence.make());
        const legends = await page.$$eval('[data-legend]', (ls) => ls.map((l) => [l.dataset.legend, l.querySelector('.legend-low').textContent, l.querySelector('.legend-high').textContent]));
        const cards = await page.$$eval('.card[data-card] > .stage[data-stage]', (gs) => gs.map((g) => g.dataset.stage).filter((s) => s !== 'attn_mask'));
        assert.deepEqual(legends.map(([stage]) => stage).sort(), cards.sort(), 'one legend a matrix');
        for (const [stage, low, high] of legends) {
          if (stage === 'weights' || stage === 'attn_weights') { assert.deepEqual([low, high], ['0', '1'], stage); continue; }
          const data = stages[stage] ? stages[stage].data : null;
          if (!data) continue; /* (inputs: their own scale, checked through the stages') */
          const scale = Format.niceScale(Format.maxAbs(data));
          assert.deepEqual([low, high], [Format.cellText(-scale), Format.cellText(scale)], stage);
        }
        /* inside its card, the narrow column of "+ b" too: the bar over its ends */
        const spilt = await page.$$eval('[data-legend]', (ls) => ls.filter((l) => {
          const card = l.closest('.card').getBoundingClientRect();
          return [...l.children].some((part) => { const r = part.getBoundingClientRect(); return r.left < card.left - 0.5 || r.right > card.right + 0.5; });
        }).map((l) => l.dataset.legend));
        assert.deepEqual(spilt, [], 'every legend inside its card');
      }));

    it('draws who attends to whom: a line a pair, its opacity rising with its weight, a colour per head; heads toggled and shown alone; tokens and cells light each other', () =>
      withPage(`${SAME_BUILD}#example=sentence`, async (page) => {
        const weights = attention.forward(Cases.EXAMPLES.sentence.make()).weights;
        const lines = () => page.$$eval('[data-view="lines"][data-stage="weights"] line', (ls) => ls.map((l) => ({ head: Number(l.dataset.head), row: Number(l.dataset.row), col: Number(l.dataset.col), value: Number(l.dataset.value), opacity: Number(l.getAttribute('stroke-opacity')), cls: l.getAttribute('class') })));
        const all = await lines();
        assert.equal(all.length, weights.data.length, 'H·L·S\' lines');
        for (const l of all) assert.equal(Math.fround(l.value), weights.data[(l.head * 8 + l.row) * 8 + l.col], `line ${l.head},${l.row},${l.col}`);
        const sorted = [...all].sort((a, b) => a.value - b.value);
        for (let k = 1; k < sorted.length; k++) assert.ok(sorted[k].opacity >= sorted[k - 1].opacity, 'opacity rises with the weight');
        assert.ok(sorted.at(-1).opacity > sorted[0].opacity);
        assert.notEqual(all.find((l) => l.head === 0).cls, all.find((l) => l.head === 1).cls, 'a colour per head');
        /* a head hidden, then alone */
        await page.click('.lines-head[data-head="0"]');
        assert.ok((await lines()).filter((l) => l.head === 0).every((l) => /is-off/.test(l.cls)));
        await page.click('.lines-head[data-head="0"]');
        await page.click('.lines-head[data-head="1"]', { count: 2 });
        const solo = await lines();
        assert.ok(solo.filter((l) => l.head === 0).every((l) => /is-off/.test(l.cls)) && solo.filter((l) => l.head === 1).every((l) => !/is-off/.test(l.cls)), 'double-click: head 2 alone');
        await page.focus('.lines-head[data-head="1"]');
        await page.keyboard.press('s');
        assert.ok((await lines()).every((l) => !/is-off/.test(l.cls)), 'S again: every head');
        /* a query token keeps only its lines, and lights its row of the heatmap */
        const tokens = await page.$$('.lines-query');
        await tokens[3].hover();
        const focused = await lines();
        assert.ok(focused.every((l) => /is-faded/.test(l.cls) === (l.row !== 3)), 'only token 3’s lines');
        const lit = await page.$$eval('[data-stage="weights"] td.is-lit', (tds) => tds.map((td) => Number(td.dataset.row)));
        assert.equal(lit.length, 16);
        assert.ok(lit.every((r) => r === 3), 'its row in the heatmap');
        /* a heatmap cell lights its line */
        await toMiddle(page, cell('weights', 5, 2, 1));
        await page.hover(cell('weights', 5, 2, 1));
        const bright = (await lines()).filter((l) => /is-lit/.test(l.cls));
        assert.deepEqual(bright.map((l) => [l.head, l.row, l.col]), [[1, 5, 2]]);
        /* the mean the module returns */
        await page.click('.lines-toggle');
        const mean = attention.forward(Cases.EXAMPLES.sentence.make()).attn_weights.data;
        const means = await page.$$eval('[data-view="lines"][data-stage="attn_weights"] line', (ls) => ls.map((l) => Number(l.dataset.value)));
        assert.deepEqual(means.map(Math.fround), Array.from(mean));
      }));

    for (const [w, h] of [[1280, 900], [1194, 834]])
    it(`plays each operation of a cell, every frame equal to the core’s numbers, at ${w}×${h}`, () =>
      withPage(`${SAME_BUILD}#example=sentence`, async (page) => {
        const c = Cases.EXAMPLES.sentence.make();
        const session = new Session({ attention, state: { case: c, view: {} } });
        const stages = session.stages;
        for (const [stage, head, row, col] of [['scores', 1, 4, 2], ['weights', 0, 6, 0], ['context', null, 3, 12], ['output', null, 7, 9]]) {
          await page.click(cell(stage, row, col, head ?? undefined));
          await page.click('.explain-play');
          const height = await page.$eval('.card-player', (p) => p.getBoundingClientRect().height);
          const found = Operations.operationAt(session, stage, head, row, col);
          const expected = Operations.frames(session, found.operation, found.at);
          assert.equal(await page.$eval('[data-play]', (p) => p.dataset.play), found.operation);
          await page.click('.player-buttons [aria-label="pause"]').catch(() => {}); /* (already paused once the frames end) */
          await page.click('.player-buttons [aria-label="from the start"]');
          await page.click('.player-buttons [aria-label="pause"]').catch(() => {});
          for (let k = 0; k < expected.length; k++) {
            if (k > 0) await page.click('.player-buttons [aria-label="a frame forward"]');
            /* (one round trip a frame: Firefox's are slow) */
            const shown = await page.evaluate((n) => ({
              frame: [...document.querySelector(`.player-frame[data-frame="${n}"]`).querySelectorAll('[data-role]')].map((i) => [i.dataset.role, i.dataset.value]),
              seen: [...document.querySelectorAll('.player-frame')].filter((f) => getComputedStyle(f).visibility === 'visible').map((f) => f.dataset.frame).join(),
              height: document.querySelector('.card-player').getBoundingClientRect().height,
            }), k + 1);
            assert.deepEqual(shown.frame, expected[k].items.map((item) => [item.role, Format.dataText(item.value)]), `${found.operation}: frame ${k + 1}`);
            assert.equal(shown.seen, String(k + 1), 'the current frame alone is seen');
            assert.ok(Math.abs(shown.height - height) < 1, 'the player keeps its height from frame to frame');
          }
          /* the operands are the core's, the last frame its result */
          const last = expected.at(-1).items.map((i) => i.value);
          if (found.operation === 'scores') {
            assert.deepEqual(last, [stages.scores.data[(head * 8 + row) * 8 + col]]);
            assert.deepEqual(expected[0].items.map((i) => i.value), Array.from(stages.q_scaled.data.subarray(row * 16 + head * 8, row * 16 + head * 8 + 8)));
          }
          if (found.operation === 'weights') assert.deepEqual(last, Array.from(stages.weights.data.subarray((head * 8 + row) * 8, (head * 8 + row) * 8 + 8)));
          if (found.operation === 'context') assert.deepEqual(last, Array.from(stages.context.data.subarray(row * 16 + 8, row * 16 + 16)));
          if (found.operation === 'output') assert.deepEqual(last, [stages.output.data[row * 16 + col]]);
          await page.keyboard.press('Escape');
        }
        /* the same frames as a still sequence, with reduced motion */
        if (name === 'chromium') {
          await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
          await toMiddle(page, cell('output', 0, 0));
          await page.click(cell('output', 0, 0));
          await page.click('.explain-play');
          const shown = await page.$$eval('.player-frame', (fs) => fs.filter((f) => getComputedStyle(f).visibility === 'visible' && !f.hasAttribute('aria-hidden')).map((f) => f.dataset.frame));
          assert.equal(shown.length, Number(await page.$eval('[data-play]', (p) => p.dataset.frames)), 'every frame at once');
        }
      }, { width: w, height: h }));

    it('keeps the lesson beside the numbers: it never covers the cells it lights; a timeline; the scaling step’s what-if', () =>
      withPage(`${PAGE_URL}#step=1`, async (page) => {
        for (let step = 1; step <= 8; step++) {
          await page.$eval('.walk-timeline', (t, n) => { t.value = String(n); t.dispatchEvent(new Event('input')); }, step);
          assert.equal(await page.$eval('.walk', (w) => w.dataset.step), String(step), 'the timeline scrubs');
          await frames(page, 2);
          const walk = await rectOf(page, '.walk');
          const cites = await page.$$('.walk .cite');
          for (const cite of cites) {
            await cite.hover();
            const cells = await page.$$eval('td.is-cited', (tds) => tds.map((td) => { const r = td.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; }));
            assert.ok(cells.length > 0, `step ${step}: a number lights its cells`);
            for (const r of cells) assert.ok(!overlap(r, walk), `step ${step}: the lesson does not cover a cell it lights`);
          }
        }
        await page.$eval('.walk-timeline', (t) => { t.value = '4'; t.dispatchEvent(new Event('input')); });
        const rows = await page.$$eval('.what-if tr', (trs) => trs.map((tr) => tr.className));
        assert.deepEqual(rows.slice(1), ['is-real', 'is-what-if']);
        assert.match(await page.$eval('.what-if', (f) => f.textContent), /not what the module does/);
      }, { width: 1366, height: 768 }));

    it('opens a link\'s step with its card on the screen at once, even where the pass wraps beside the lesson, or is fitted in smaller type', async () => {
      await withPage(`${PAGE_URL}#example=two_heads&step=6`, async (page) => {
        await frames(page, 1);
        assert.ok(inside(await rectOf(page, '[data-card="weights"]'), 1366, 768), 'the weights, not on their way there');
      }, { width: 1366, height: 768 });
      /* a card taller than the screen (the paragraph's weights): its top, with its name, on the screen, and kept there */
      await withPage(`${PAGE_URL}#example=paragraph&step=6`, async (page) => {
        await frames(page, 3);
        const { top } = await rectOf(page, '[data-card="weights"]');
        assert.ok(top >= 0 && top < 100, `the weights' top at ${top} px`);
      }, { width: 1366, height: 768 });
      /* five keys at 1920 with the lesson: the pass shrinks after the step's card was scrolled to */
      await withPage(`${PAGE_URL}#example=lecture&add_bias_kv=1&add_zero_attn=1&step=7`, async (page) => {
        await frames(page, 1);
        assert.equal(await page.$eval('.stages', (s) => s.hasAttribute('data-fit')), true, 'the pass is fitted');
        assert.ok(inside(await rectOf(page, '[data-card="context"]'), 1920, 1080), `the context at ${JSON.stringify(await rectOf(page, '[data-card="context"]'))}`);
      }, { width: 1920, height: 1080 });
    });

    it('keeps every example\'s output but the paragraph\'s (E = 32) beside its weights, on the first screen, with the lesson beside them at 1366×768 and 1280×800', async () => {
      for (const [width, height] of [[1366, 768], [1280, 800]])
        for (const example of Object.keys(Cases.EXAMPLES).filter((name) => name !== 'paragraph'))
          await withPage(`${PAGE_URL}#example=${example}&step=6`, async (page) => {
            await frames(page, 2);
            const [weights, output, walk] = [await rectOf(page, '[data-stage="weights"]'), await rectOf(page, '[data-stage="output"]'), await rectOf(page, '.walk')];
            assert.ok(output.left > weights.right && inside(output, width, height) && inside(weights, width, height), `${example} at ${width}: output at ${JSON.stringify(output)}, weights at ${JSON.stringify(weights)}`);
            assert.ok(!overlap(output, walk), `${example} at ${width}: the lesson beside them`);
          }, { width, height });
    });

    it('keeps the output beside the weights in smaller type where a wider case would wrap the pass (five keys, E = 3; the paragraph at 1920), never below 14 px, and at full size again after', async () => {
      const LECTURE = { embed_dim: 2, num_heads: 1, bias: true, add_bias_kv: false, add_zero_attn: false, average_attn_weights: true };
      const typeOf = (page) => page.$eval('.pass', (p) => parseFloat(getComputedStyle(p).fontSize));
      for (const [width, height] of [[1366, 768], [1280, 800]])
        await withPage(PAGE_URL, async (page) => {
          const full = await typeOf(page);
          for (const [label, controls, options] of [
            ['add_bias_kv and add_zero_attn', [['add_bias_kv', true], ['add_zero_attn', true]], { add_bias_kv: true, add_zero_attn: true }],
            ['E = 3', [['add_bias_kv', false], ['add_zero_attn', false], ['embed_dim', '3']], { embed_dim: 3 }],
          ]) {
            for (const [name, value] of controls) await setControl(page, name, value);
            await frames(page, 2);
            const [weights, output, type] = [await rectOf(page, '[data-stage="weights"]'), await rectOf(page, '[data-stage="output"]'), await typeOf(page)];
            assert.ok(output.left > weights.right && inside(output, width, height), `${label} at ${width}: output at ${JSON.stringify(output)}, weights at ${JSON.stringify(weights)}`);
            assert.ok(type >= 14 && type < full, `${label} at ${width}: the pass's type ${type} px, between 14 and its own ${full}`);
            assert.deepEqual(compareStages(await readStages(page), attention.forward(await caseFromPage(page, { ...LECTURE, ...options }))), [], label);
          }
          /* where 14 px is not small enough (E = 5), it wraps at its own size */
          await setControl(page, 'embed_dim', '5');
          await frames(page, 2);
          assert.ok((await rectOf(page, '[data-stage="output"]')).top > (await rectOf(page, '[data-stage="weights"]')).bottom, `E = 5 at ${width} wraps`);
          assert.equal(await typeOf(page), full, `E = 5 at ${width}: the pass's own type`);
          /* and the lecture again, at full size */
          await setControl(page, 'example', 'lecture');
          await frames(page, 2);
          assert.equal(await typeOf(page), full, `the lecture at ${width}`);
        }, { width, height });
      /* the paragraph (E = 32) at 1920: its heatmaps' squares shrink with the type */
      await withPage(`${PAGE_URL}#example=paragraph`, async (page) => {
        const [weights, output, type] = [await rectOf(page, '[data-stage="weights"]'), await rectOf(page, '[data-stage="output"]'), await typeOf(page)];
        assert.ok(output.left > weights.right && inside(output, 1920, 1080), `the paragraph at 1920: output at ${JSON.stringify(output)}, weights at ${JSON.stringify(weights)}`);
        assert.ok(type >= 14 && type < 0.8 * 21.5, `the paragraph at 1920: the pass's type ${type} px, its own 21.5 px`);
        assert.deepEqual(compareStages(await readStages(page), attention.forward(Cases.EXAMPLES.paragraph.make())), []);
      }, { width: 1920, height: 1080 });
    });

    it('keeps the lines\' box its height when the window narrows: its canvas follows the picture, never a frame too tall', () =>
      withPage(`${PAGE_URL}#example=paragraph`, async (page) => {
        await frames(page, 3);
        await page.evaluate(() => {
          window.linesHeights = [];
          new ResizeObserver(([entry]) => window.linesHeights.push(entry.contentRect.height)).observe(document.querySelector('.lines-box'));
        });
        await frames(page, 2);
        await page.setViewport({ width: 1100, height: 768 });
        await frames(page, 5);
        const [heights, canvas, picture] = await page.evaluate(() => [window.linesHeights.slice(1),
          ...['.lines-canvas', 'svg.lines'].map((s) => document.querySelector(s).getBoundingClientRect().height)]);
        assert.ok(heights.length > 0 && heights.every((h) => Math.abs(h - heights.at(-1)) < 0.5), `the box's heights as the window narrowed: ${heights}`);
        assert.ok(Math.abs(canvas - picture) < 1, `the canvas ${canvas} px tall, the picture ${picture}`);
      }, { width: 1920, height: 1080 }));

    it('fits the paragraph once when it is chosen, and not again when only the pass\'s height changes (a training step\'s card grows)', () =>
      withPage(PAGE_URL, async (page) => {
        /* each fit starts at full size: data-fit taken off and put back (a layout for each size tried) */
        await page.evaluate(() => {
          window.fitsUndone = 0;
          new MutationObserver((records) => { window.fitsUndone += records.filter((r) => r.oldValue !== null).length; })
            .observe(document.querySelector('.stages'), { attributeFilter: ['data-fit'], attributeOldValue: true });
        });
        const undone = () => page.evaluate(() => window.fitsUndone);
        await setControl(page, 'example', 'paragraph');
        await frames(page, 3);
        assert.equal(await page.$eval('.stages', (s) => s.hasAttribute('data-fit')), true, 'the paragraph is fitted');
        assert.equal(await undone(), 0, 'fitted once when chosen');
        const heightOf = () => page.$eval('.stages', (s) => s.getBoundingClientRect().height);
        const height = await heightOf();
        await page.click('[data-card="train"] .train-mark');
        await page.click(cell('weights', 1, 0, 0));
        await page.click('[data-card="train"] .train-mark');
        await page.click('[data-card="train"] .train-step');
        /* (the step's card grows once the step has run: on a loaded host, more than 3 frames after the click) */
        await page.waitForFunction((h) => document.querySelector('.stages').getBoundingClientRect().height > h + 100, { timeout: 10000 }, height).catch(() => {});
        await frames(page, 3);
        assert.ok(await heightOf() > height + 100, 'the step made the pass taller (the card shows the loss)');
        assert.equal(await undone(), 0, 'and the pass was not fitted again');
        const [weights, output] = [await rectOf(page, '[data-stage="weights"]'), await rectOf(page, '[data-stage="output"]')];
        assert.ok(output.left > weights.right, `still side by side: output at ${JSON.stringify(output)}, weights at ${JSON.stringify(weights)}`);
        assert.deepEqual(compareStages(await readStages(page), attention.forward(await caseFromPage(page, { embed_dim: 32, num_heads: 4, bias: true, add_bias_kv: false, add_zero_attn: false, average_attn_weights: true }))), []);
      }, { width: 1920, height: 1080 }));

    it('on a phone, brings a step\'s card above the lesson\'s sheet, not under it: a link\'s step, then the next ones', () =>
      withPage(`${PAGE_URL}#example=pronoun&step=6`, async (page) => {
        await frames(page, 2);
        for (const step of [6, 7, 8]) { /* (a step's first card: weights, context, W_o) */
          if (step > 6) await page.evaluate(() => window.attentionApp.session.apply({ type: 'view', step: window.attentionApp.session.view.step + 1 }));
          const card = `.card[data-step="${step}"]`;
          await page.waitForFunction((c) => { const r = document.querySelector(c).getBoundingClientRect(); return r.top >= 0 && r.bottom <= document.querySelector('.walk').getBoundingClientRect().top; }, { timeout: 5000 }, card)
            .catch(async () => assert.fail(`step ${step}: its card at ${JSON.stringify(await rectOf(page, card))}, the sheet at ${JSON.stringify(await rectOf(page, '.walk'))}`));
        }
      }, { width: 390, height: 844 }));

    it('opens on the lesson on a phone: the sentence, X and the first step, the controls folded away', () =>
      withPage(PAGE_URL, async (page) => {
        assert.equal(await page.$eval('.walk', (w) => w.dataset.step), '1');
        const walk = await rectOf(page, '.walk'), x = await rectOf(page, '[data-stage="query"]');
        assert.ok(inside(walk, 390, 844) && inside(x, 390, 844), 'the lesson and X on the screen');
        assert.ok(!overlap(walk, x), 'the lesson does not cover X');
        assert.equal(await page.$eval('.controls > .control-group', (g) => getComputedStyle(g).display), 'none', 'the controls fold away');
        await page.click('.controls-settings');
        assert.notEqual(await page.$eval('.controls > .control-group', (g) => getComputedStyle(g).display), 'none', 'and open');
        /* the export panel, opened over the lesson's sheet, is not under it */
        await page.click('.share-toggle');
        const covered = await page.$$eval('.share-panel button', (buttons) => buttons.filter((b) => {
          b.scrollIntoView({ block: 'nearest' });
          const r = b.getBoundingClientRect();
          return !b.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
        }).map((b) => b.textContent));
        assert.deepEqual(covered, [], 'every button of the panel can be pressed');
      }, { width: 390, height: 844 }));

    /* (the paragraph's 96×32 weights beside their bias need 346 px: more than a 360 px phone has, or a 390 px window with a scrollbar) */
    it('never scrolls a phone sideways, whatever the example: the paragraph\'s weights keep their bias beside them and scroll in their card', () =>
      withPage(`${PAGE_URL}#example=paragraph`, async (page) => {
        for (const [w, h] of [[390, 844], [360, 780], [320, 640]]) {
          await page.setViewport({ width: w, height: h });
          await frames(page, 3);
          assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, `${w}: no sideways scroll`);
          const pair = await page.$eval('[data-card="in_proj_weight"]', (card) => {
            const bias = card.nextElementSibling.getBoundingClientRect(), r = card.getBoundingClientRect(), stage = card.querySelector('.stage');
            return { beside: bias.left > r.right && Math.abs(bias.top - r.top) < 1, inside: bias.right <= document.documentElement.clientWidth, scrolls: stage.scrollWidth - stage.clientWidth };
          });
          assert.ok(pair.beside && pair.inside, `${w}: the bias beside its weights, on the screen (${JSON.stringify(pair)})`);
          if (w === 320) assert.ok(pair.scrolls > 0, 'the weights scroll in their card');
        }
        for (const example of Object.keys(Cases.EXAMPLES)) {
          await setHash(page, `#example=${example}`);
          await frames(page, 3);
          assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, `${example} at 320: no sideways scroll`);
        }
      }, { width: 390, height: 844 }));

    /* a projector: bigger cells (28 px at 1920×1080; without present=1, 17 px there and 14 px at 1280), and still the whole pass on the first screen (at 1024×768 cells as big as a laptop's) */
    it('turns the projector on from its box in the toolbar (present=1 in the link) and keeps X, the weights and the output on the first screen at 1920×1080, 1366×768, 1280×800 and 1024×768, in bigger cells', () =>
      withPage(PAGE_URL, async (page) => {
        const outputSize = () => page.$eval(cell('output', 0, 0), (td) => parseFloat(getComputedStyle(td).fontSize));
        assert.ok((await outputSize()) < 20, 'without it: a laptop\'s cells');
        await page.focus('[name=present]');
        await page.keyboard.press(' ');
        assert.match(await pageHash(page), /[#&]present=1(&|$)/);
        for (const [w, h, least] of [[1920, 1080, 28], [1366, 768, 18], [1280, 800, 17], [1024, 768, 13]]) {
          await page.setViewport({ width: w, height: h });
          await frames(page, 3);
          for (const stage of ['query', 'q', 'scores', 'weights', 'attn_weights', 'context', 'output']) {
            const r = await rectOf(page, `[data-stage="${stage}"]`);
            assert.ok(inside(r, w, h), `${w}×${h}: ${stage} at ${JSON.stringify(r)} is inside`);
            const size = await page.$eval(cell(stage, 0, 0), (td) => parseFloat(getComputedStyle(td).fontSize));
            assert.ok(size >= least, `${w}×${h}: ${stage}'s cells at ${size} px`);
          }
          assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, `${w}×${h}: no sideways scroll`);
        }
        await page.focus('[name=present]');
        await page.keyboard.press(' ');
        assert.doesNotMatch(await pageHash(page), /present=/, 'off again');
        assert.ok((await outputSize()) < 20);
        assert.equal(await page.$eval('[name=present]', (box) => box.checked), false);
      }, { width: 1920, height: 1080 }));

    it('hides what a lesson link hides', () =>
      withPage(`${PAGE_URL}#present=1&hide=lines,randomize,pytorch,connectors,train,present`, async (page) => {
        assert.equal(await page.$eval('[name=present]', (box) => box.checked), true, 'the projector box says present=1');
        for (const selector of ['.card-lines', '[name=randomize]', '[name=pytorch]', '.connectors', '[data-card="train"]', '[data-control="present"]'])
          assert.equal(await page.$eval(selector, (e) => e.hidden || getComputedStyle(e).display === 'none'), true, `${selector} hidden`);
        for (const selector of ['[name=reset]', '.card-player'])
          assert.equal(await page.$eval(selector, (e) => getComputedStyle(e).display !== 'none'), true, `${selector}: the rest shown`);
      }, { width: 1920, height: 1080 }));

    it('opens every example from the list and from its link, the trained ones labelled as such', () =>
      withPage(PAGE_URL, async (page) => {
        const groups = await page.$$eval('[name=example] optgroup', (gs) => gs.map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.value)]));
        assert.deepEqual(groups.map(([label]) => label), ['the lecture', 'heads that learned a job', 'bigger sizes, random weights']);
        assert.deepEqual(groups[1][1], TRAINED);
        for (const example of Object.keys(Cases.EXAMPLES)) {
          await page.select('[name=example]', example);
          assert.deepEqual(compareStages(await readStages(page), attention.forward(Cases.EXAMPLES[example].make())), [], `${example} from the list`);
        }
        for (const example of Object.keys(Cases.EXAMPLES))
          await withPage(`${PAGE_URL}#example=${example}`, async (again) => {
            assert.deepEqual(compareStages(await readStages(again), attention.forward(Cases.EXAMPLES[example].make())), [], `${example} from its link`);
          });
      }));

    for (const example of TRAINED)
      it(`types a new sentence of ${example}’s vocabulary: X is word + position, and the head keeps its job`, () =>
        withPage(`${PAGE_URL}#example=${example}`, async (page) => {
          const entry = Cases.EXAMPLES[example];
          const text = entry.try[0];
          await page.$eval('.sentence-input', (i, t) => { i.value = t; i.dispatchEvent(new Event('change')); }, text);
          const words = text.split(' ');
          const expected = Vocabulary.sentenceCase(entry.vocabulary, text, entry.make());
          const shown = await readStages(page);
          assert.deepEqual(compareStages(shown, attention.forward(expected)), []);
          const { sum } = Vocabulary.embed(entry.vocabulary, words);
          assert.deepEqual(Array.from(shown.query.data, Math.fround), sum.flat().map(Math.fround), 'X = word + position');
          assert.equal(await page.$$eval('[data-table="words"] tbody tr', (trs) => trs.length), words.length, 'the word table shown');
          for (const claim of Vocabulary.claimsFor(entry.expect, words)) {
            const measured = Vocabulary.measure(claim, { weights: { shape: shown.weights.shape, data: Float32Array.from(shown.weights.data) } });
            if (measured.mean !== null) assert.ok(measured.met, `${example}: head ${claim.head + 1} keeps ${claim.pattern} on “${text}”: ${measured.mean}`);
          }
          /* an unknown word: a message naming the vocabulary; nothing changes */
          await page.$eval('.sentence-input', (i) => { i.value = 'the zebra sat'; i.dispatchEvent(new Event('change')); });
          assert.match(await page.$eval('.sentence-error', (e) => e.textContent), /zebra/);
          assert.deepEqual(compareStages(await readStages(page), attention.forward(expected)), [], 'the sentence before stays');
          /* a weight edited by hand: still computed, the lesson still there */
          await typeInto(page, 'in_proj_weight', 0, 0, '5');
          const broken = JSON.parse(JSON.stringify(expected));
          broken.in_proj_weight[0][0] = 5;
          assert.deepEqual(compareStages(await readStages(page), attention.forward(broken)), []);
        }));

    it('takes a sentence of another length from the keys: Enter applies it once, and the field keeps focus', () =>
      withPage(`${PAGE_URL}#example=${TRAINED[0]}`, async (page) => {
        const entry = Cases.EXAMPLES[TRAINED[0]], text = entry.try.find((t) => t.split(' ').length !== entry.make().tokens.length);
        assert.ok(text, 'a sentence to try of another length');
        await page.click('.sentence-input');
        await page.$eval('.sentence-input', (i) => i.select());
        await page.keyboard.type(text);
        await page.keyboard.press('Enter');
        await frames(page, 2);
        assert.equal(await page.evaluate(() => document.activeElement.className), 'sentence-input', 'the field keeps focus though the view was built anew');
        assert.deepEqual(compareStages(await readStages(page), attention.forward(Vocabulary.sentenceCase(entry.vocabulary, text, entry.make()))), []);
        await page.click('[name=undo]'); /* (Back: its popstate comes after the click) */
        await page.waitForFunction((n) => document.querySelectorAll('[data-stage="query"] input.token').length === n, { timeout: 5000 }, entry.make().tokens.length);
        assert.deepEqual(compareStages(await readStages(page), attention.forward(entry.make())), [], 'one Undo: the example again (Enter made one edit)');
      }));
  });
}
