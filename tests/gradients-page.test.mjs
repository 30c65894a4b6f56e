// gradients-page.test.mjs: gradients on the page, in headless Chromium and
// Firefox: sensitivity (a pinned result's ∂result/∂cell over every input,
// data-grad and data-grad-of, the grad= link, the words, Escape), checked
// against the core's own backward() of the same case in Node; and training
// a head live (the lecture learns to make "I" attend to "good", one undo
// entry for the run, Reset back to the weights from before, bit for bit).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createAttention } from '../web/attention.mjs';
import { ROOT } from './helpers.mjs';
import { BROWSERS, PAGE_URL, launch, visit, cell, typeInto, frames, plain, readStages, caseFromPage, toMiddle, valueOf } from './browser.mjs';

const require = createRequire(import.meta.url);
const Cases = require('../web/page/model/cases.js');
const Format = require('../web/page/model/format.js');
const Sensitivity = require('../web/page/model/sensitivity.js');
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

const attention = await createAttention();
/* the page on the build this Node runs, so that its numbers are the same bits */
const URL = `${PAGE_URL}?build=${attention.build}`;

/* ∂result/∂ every input of a case, from the core in Node: what the page must show. */
function expectedGradients(aCase, grad) {
  const stages = attention.forward(aCase);
  const shapes = { output: stages.output.shape, weights: stages.weights.shape };
  return attention.backward(Sensitivity.given(Sensitivity.parse(grad), shapes));
}

/* Every overlaid input's data-grad on the page, and its matrix's data-grad-of. */
const readGrads = (page) => page.evaluate((names) => {
  const out = {};
  for (const group of document.querySelectorAll('[data-stage]:not([data-readout]):not([data-view])'))
    if (names.includes(group.dataset.stage))
      out[group.dataset.stage] = { of: group.dataset.gradOf ?? null, grads: [...group.querySelectorAll('td[data-row]')].map((td) => td.dataset.grad ?? null) };
  return out;
}, Sensitivity.OVERLAID);

function assertGradsEqual(got, want, grad) {
  const names = Object.keys(got);
  assert.ok(names.includes('query') && names.includes('in_proj_weight') && names.includes('out_proj.weight'), names.join(' '));
  for (const name of names) {
    assert.equal(got[name].of, grad, `${name} names the result`);
    assert.deepEqual(got[name].grads, [...want[name].data].map(Format.dataText), `${name}: data-grad is the core's ∂${grad}/∂${name}`);
  }
}

const LECTURE_OPTIONS = { embed_dim: 2, num_heads: 1, bias: true, add_bias_kv: false, add_zero_attn: false, average_attn_weights: true };

/* Every input and stage on the page, bit for bit, against the core's forward() of aCase. */
async function assertPageShows(page, aCase, label) {
  const want = attention.forward(aCase), shown = await readStages(page);
  const text = (data) => [...data].map(Format.dataText);
  for (const [name, { data }] of Object.entries(want)) assert.deepEqual(text(shown[name].data), text(data), `${label}: ${name}`);
  for (const name of ['query', 'in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'])
    assert.deepEqual(text(shown[name].data), [aCase[name]].flat(2).map((x) => Format.dataText(Math.fround(x))), `${label}: ${name}`);
}

/* Marks weights[I][good] as where "I" should look. */
async function markIGood(page) {
  await toMiddle(page, '[data-card="train"]');
  await page.click('.train-mark');
  await toMiddle(page, cell('weights', 0, 2, 0));
  await page.click(cell('weights', 0, 2, 0));
  assert.equal(await page.$eval(cell('weights', 0, 2, 0), (td) => td.dataset.target), 'true');
}

/* The train card's target: an output, its first number typed. */
async function wishOutput(page, text) {
  await toMiddle(page, '[data-card="train"]');
  await page.select('[data-card="train"] select', 'output');
  const box = '[data-train-target="output"] [data-row="0"][data-col="0"]';
  await page.click(box);
  await page.$eval(`${box} input`, (input) => input.select());
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

for (const name of BROWSERS) {
  describe(`gradients on the page in ${name}`, { concurrency: false }, () => {
    let browser;
    before(async () => { browser = await launch(name); });
    after(async () => { await browser?.close(); });
    const withPage = async (url, body, options) => assert.deepEqual(await visit(browser, url, body, options), [], 'no console error, page error or dialog');

    it('a grad= link opens with an output result pinned: every input carries the core’s ∂result/∂cell, and the words say the largest', () =>
      withPage(`${URL}#example=lecture&grad=output:0,1`, async (page) => {
        assertGradsEqual(await readGrads(page), expectedGradients(Cases.lectureCase(), 'output:0,1'), 'output:0,1');
        assert.equal(await page.$eval(cell('output', 0, 1), (td) => td.classList.contains('is-grad-result')), true);
        const text = plain(await page.$eval('.sensitivity-bar', (p) => !p.hidden && p.textContent));
        const want = expectedGradients(Cases.lectureCase(), 'output:0,1');
        const top = Sensitivity.largest(want, Sensitivity.OVERLAID);
        const lecture = { query: ['I', 'am', 'good'], key: ['I', 'am', 'good'], extended: ['I', 'am', 'good'] };
        assert.ok(text.includes(plain(Sensitivity.effect(top.value, Sensitivity.cellName(top.name, top.index, want[top.name].shape, lecture), 'output[I][1]'))), text);
        assert.match(text, /^What moves output\[I\]\[1\] = /);
        /* hovering X[am][0] says what it does, with its number */
        await page.hover(cell('query', 1, 0));
        const readout = await page.$eval('[data-readout]', (r) => ({ grad: r.dataset.grad, text: r.textContent }));
        assert.equal(readout.grad, Format.dataText(want.query.data[2]));
        assert.ok(plain(readout.text).includes(plain(Sensitivity.effect(want.query.data[2], 'X[am][0]', 'output[I][1]'))), readout.text);
        assert.match(plain(readout.text), /raising X\[am\]\[0\] by 0\.1 (raises|lowers) output\[I\]\[1\] by about [0-9.]+/);
      }));

    it('a weights result pinned from its explanation follows an edit live, and Escape ends it; g pins and unpins with the keyboard', () =>
      withPage(`${URL}#example=lecture`, async (page) => {
        await page.click(cell('weights', 0, 2, 0));
        await page.click('.explain-grad');
        await frames(page, 1);
        await page.waitForFunction(() => /grad=weights:0,0,2/.test(location.hash), { timeout: 5000 }); /* the link holds it */
        assertGradsEqual(await readGrads(page), expectedGradients(Cases.lectureCase(), 'weights:0,0,2'), 'weights:0,0,2');
        /* an edit: the overlay is the gradient of the new case */
        await typeInto(page, 'in_proj_weight', 1, 0, '0.375');
        const edited = Cases.lectureCase();
        edited.in_proj_weight[1][0] = 0.375;
        assertGradsEqual(await readGrads(page), expectedGradients(edited, 'weights:0,0,2'), 'weights:0,0,2');
        await page.keyboard.press('Escape'); /* (the cell: done editing) */
        await page.keyboard.press('Escape');
        await frames(page, 1);
        const after = await readGrads(page);
        for (const [stage, { of, grads }] of Object.entries(after)) {
          assert.equal(of, null, `${stage}: no result named`);
          assert.ok(grads.every((g) => g === null), `${stage}: no data-grad`);
        }
        assert.equal(await page.$eval('.sensitivity-bar', (p) => p.hidden), true);
        /* g on a focused output cell pins it, g again ends it */
        await page.focus(cell('output', 1, 0));
        await page.keyboard.press('g');
        assert.equal(await page.$eval('[data-stage="in_proj_weight"]', (m) => m.dataset.gradOf), 'output:1,0');
        await page.keyboard.press('g');
        assert.equal(await page.$eval('[data-stage="in_proj_weight"]', (m) => m.dataset.gradOf ?? null), null);
      }));

    it('on a phone, a result pinned far down at the output brings the words and the coloured inputs on screen', () =>
      withPage(`${URL}#example=pronoun`, async (page) => {
        await page.evaluate(() => window.attentionApp.session.apply({ type: 'view', step: null })); /* (a phone opens on the lesson) */
        await toMiddle(page, cell('output', 4, 0));
        await page.click(cell('output', 4, 0));
        const onScreen = (selector) => page.$eval(selector, (e) => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; });
        assert.equal(await onScreen('[data-stage="query"]'), false, 'X is far above the output');
        await page.click('.explain-grad');
        await page.waitForFunction(() => { const r = document.querySelector('.sensitivity-bar').getBoundingClientRect(); return r.top >= 0 && r.bottom < innerHeight; }, { timeout: 5000 });
        assert.match(plain(await page.$eval('.sensitivity-bar', (p) => p.textContent)), /^What moves output\[she\]\[0\]/);
        assert.equal(await onScreen('[data-stage="query"]'), true, 'and X, coloured by ∂result/∂cell, under it');
      }, { width: 390, height: 844 }));

    it('refuses a bad grad= link with a message that says what a result is', () =>
      withPage(`${URL}#example=lecture&grad=output:7,0`, async (page) => {
        const banner = await page.$eval('.banner', (b) => !b.hidden && b.textContent);
        assert.match(banner, /grad: output:7,0 is outside the 3×2 output; expected output:row,col/);
      }));

    it('trains the lecture live: "I" attends to "good" with weight ≥ 0.9 within a few hundred steps; the page shows the core’s numbers; one undo goes back', () =>
      withPage(`${URL}#example=lecture`, async (page) => {
        await markIGood(page);
        await page.click('.train-go');
        await page.waitForFunction(() => document.querySelector('[data-card="train"]').dataset.state !== 'running', { timeout: 60000 });
        const card = await page.$eval('[data-card="train"]', (f) => ({ ...f.dataset }));
        const weight = Number(await valueOf(page, 'weights', 0, 2, 0));
        assert.ok(weight >= 0.9, `weights[I][good] = ${weight}`);
        assert.ok(Number(card.steps) <= 500, `${card.steps} steps`);
        assert.ok(Number(card.loss) < 0.05, `loss ${card.loss}`);
        const trained = await caseFromPage(page, LECTURE_OPTIONS);
        assert.notDeepEqual(trained.in_proj_weight, Cases.lectureCase().in_proj_weight, 'the weights moved');
        assert.deepEqual(trained.query, Cases.lectureCase().query, 'X is not trained');
        await assertPageShows(page, trained, 'trained');
        const lesson = plain(await page.$eval('.train-lesson', (p) => p.textContent));
        assert.match(lesson, /weights\[I\]\[good\] went from 0\.41 to 0\.9\d/);
        /* softmax sees differences: the lesson gives I→good's score and its lead over I's other scores, as the core computes them */
        const scoresOf = (aCase) => attention.forward(aCase).scores.data, lead = (s) => s[2] - Math.max(s[0], s[1]);
        const [was, now] = [scoresOf(Cases.lectureCase()), scoresOf(trained)];
        const said = `the score of I against good went from ${Format.cellText(was[2])} to ${Format.cellText(now[2])}, `
          + `and its lead over the highest other score of its row from ${Format.cellText(lead(was))} to ${Format.cellText(lead(now))}, so its share grew.`;
        assert.ok(lesson.includes(said), `${lesson}\n  should say: ${said}`);
        /* the whole run is one entry: one undo, the lecture again */
        await page.keyboard.down('Control');
        await page.keyboard.press('z');
        await page.keyboard.up('Control');
        await page.waitForFunction(() => document.querySelector('[data-stage="weights"] [data-row="0"][data-col="2"]').dataset.value.startsWith('0.41'), { timeout: 5000 });
        await assertPageShows(page, Cases.lectureCase(), 'undone');
      }));

    it('refuses a learning rate that is not a number, or not in (0, 10], beside its field, and trains with the one in use', () =>
      withPage(`${URL}#example=lecture`, async (page) => {
        await markIGood(page);
        const lr = '[data-card="train"] .train-lr';
        const typeLr = async (text) => {
          await page.click(lr);
          await page.$eval(lr, (input) => input.select());
          await page.keyboard.type(text);
          await page.keyboard.press('Tab');
        };
        const field = async () => {
          const shown = await page.$eval(lr, (input) => ({
            value: input.value, invalid: input.getAttribute('aria-invalid'),
            message: document.getElementById(input.getAttribute('aria-describedby'))?.textContent ?? '',
            beside: input.parentElement.contains(document.getElementById(input.getAttribute('aria-describedby'))),
          }));
          return { ...shown, message: plain(shown.message) };
        };
        for (const [typed, message] of [
          ['20', 'a learning rate must be above 0 and at most 10, not 20 — still using 0.01'],
          ['0', 'a learning rate must be above 0 and at most 10, not 0 — still using 0.01'],
          ['abc', 'not a number: "abc" — still using 0.01'],
          ['1e40', '"1e40" is beyond float32\'s range (±3.4e38) — still using 0.01'],
        ]) {
          await typeLr(typed);
          const shown = await field();
          assert.equal(shown.value, '0.01', `${typed}: the field shows the rate in use`);
          assert.equal(shown.invalid, 'true', typed);
          assert.equal(shown.message, message, typed);
          assert.ok(shown.beside, `${typed}: the message is beside the field`);
        }
        await page.click('.train-step');
        assert.match(plain(await page.$eval('.train-lesson', (p) => p.textContent)), /^After 1 Adam step \(learning rate 0\.01\)/);
        await typeLr('0.125');
        assert.deepEqual(await field(), { value: '0.125', invalid: null, message: '', beside: false });
        await page.click('.train-step'); /* a new rate ends the run: the next step is the first of a run at 0.125 */
        assert.match(plain(await page.$eval('.train-lesson', (p) => p.textContent)), /^After 1 Adam step \(learning rate 0\.125\)/);
        /* ↑ and ↓ step through 1, 2, 5 × 10ⁿ from the rate typed, each in use at once; none past 10 */
        await page.focus(lr);
        const keyed = [];
        for (const key of ['ArrowUp', 'ArrowDown', 'ArrowDown']) { await page.keyboard.press(key); keyed.push((await field()).value); }
        assert.deepEqual(keyed, ['0.2', '0.1', '0.05']);
        await page.click('.train-step');
        assert.match(plain(await page.$eval('.train-lesson', (p) => p.textContent)), /^After 1 Adam step \(learning rate 0\.05\)/);
        await typeLr('5');
        await page.focus(lr);
        for (const key of ['ArrowUp', 'ArrowUp']) await page.keyboard.press(key);
        assert.deepEqual(await field(), { value: '10', invalid: null, message: '', beside: false });
        /* ... and Reset still goes back to the case from before the first run */
        await page.click('.train-reset');
        await assertPageShows(page, Cases.lectureCase(), 'reset after two runs');
      }));

    it('steps, pauses and resets to the weights from before training, bit for bit', () =>
      withPage(`${URL}#example=lecture`, async (page) => {
        await markIGood(page);
        for (let i = 0; i < 3; i++) await page.click('.train-step');
        assert.equal(await page.$eval('[data-card="train"]', (f) => f.dataset.steps), '3');
        await page.click('.train-go');
        await page.waitForFunction(() => Number(document.querySelector('[data-card="train"]').dataset.steps) >= 20, { timeout: 20000 });
        await page.click('.train-go'); /* Pause */
        assert.equal(await page.$eval('[data-card="train"]', (f) => f.dataset.state), 'paused');
        const paused = await page.$eval('[data-card="train"]', (f) => f.dataset.steps);
        await frames(page, 3);
        assert.equal(await page.$eval('[data-card="train"]', (f) => f.dataset.steps), paused, 'no step while paused');
        await page.click('.train-reset');
        await assertPageShows(page, Cases.lectureCase(), 'reset');
      }));

    it('trains towards a wished-for output (mean squared error)', () =>
      withPage(`${URL}#example=lecture`, async (page) => {
        await wishOutput(page, '1.5');
        await page.$eval('[data-card="train"] .train-lr', (input) => { input.value = '0.05'; });
        const before = Number(await valueOf(page, 'output', 0, 0));
        await page.click('.train-go');
        await page.waitForFunction(() => Number(document.querySelector('[data-card="train"]').dataset.steps) >= 60, { timeout: 30000 });
        /* pause, unless the run has ended by itself meanwhile (a second click would start another) */
        await page.$eval('[data-card="train"]', (card) => { if (card.dataset.state === 'running') card.querySelector('.train-go').click(); });
        const after = Number(await valueOf(page, 'output', 0, 0));
        assert.ok(Math.abs(after - 1.5) < Math.abs(before - 1.5) / 2, `output[I][0] ${before} -> ${after}, towards 1.5`);
        await assertPageShows(page, await caseFromPage(page, LECTURE_OPTIONS), 'trained to an output');
      }));

    it('refuses a wished-for output that is no number, its message beside the cell, on the screen, in the page’s language', () =>
      withPage(`${URL}#example=lecture&lang=es`, async (page) => {
        await wishOutput(page, 'abc');
        const shown = await page.$eval('[data-train-target="output"] [data-row="0"][data-col="0"]', (td) => {
          const message = document.getElementById(td.querySelector('input').getAttribute('aria-describedby'));
          const [m, c] = [message.getBoundingClientRect(), td.getBoundingClientRect()];
          return { text: message.textContent, onScreen: m.left >= 0 && m.right <= innerWidth && m.top >= 0 && m.bottom <= innerHeight, beside: Math.abs(m.top - c.bottom) < 40 && m.left < c.right && m.right > c.left };
        });
        const kept = Format.fullText(attention.forward(Cases.lectureCase()).output.data[0]); /* (the wish starts as the output) */
        assert.deepEqual(shown, { text: `no es un número: "abc"; se sigue usando ${kept}`, onScreen: true, beside: true });
      }));

    it('a run that diverges stops at the last weights whose loss is a number, and says so', () =>
      withPage(`${URL}#example=lecture`, async (page) => {
        await wishOutput(page, '100');
        await page.select('[data-card="train"] select[id$="-train-optimizer"]', 'sgd');
        await page.$eval('[data-card="train"] .train-lr', (input) => { input.value = '10'; input.dispatchEvent(new Event('change')); });
        await page.click('.train-go');
        await page.waitForFunction(() => document.querySelector('[data-card="train"]').dataset.state !== 'running', { timeout: 30000 });
        const card = await page.$eval('[data-card="train"]', (f) => ({ ...f.dataset, message: f.querySelector('.control-error[role="alert"]:not(:empty)')?.textContent, go: f.querySelector('.train-go').textContent }));
        assert.equal(card.state, 'idle', 'the run is over');
        assert.equal(card.go, 'Train');
        assert.match(card.message, /^The next step would have made the loss or a weight not a number/);
        assert.ok(Number.isFinite(Number(card.loss)), `the last loss shown is a number: ${card.loss}`);
        const trained = await caseFromPage(page, LECTURE_OPTIONS);
        for (const name of ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'])
          assert.ok([trained[name]].flat(2).every(Number.isFinite), `${name}: every weight a number`);
        assert.notDeepEqual(trained.in_proj_weight, Cases.lectureCase().in_proj_weight, 'some steps were taken');
        await assertPageShows(page, trained, 'diverged');
        /* a lower rate trains on from there; Reset goes back to the lecture */
        await page.$eval('[data-card="train"] .train-lr', (input) => { input.value = '0.01'; input.dispatchEvent(new Event('change')); });
        await page.click('.train-step');
        assert.equal(await page.$eval('[data-card="train"] p.control-error', (p) => p.textContent), '', 'a new run: no message');
        await page.click('.train-reset');
        await assertPageShows(page, Cases.lectureCase(), 'reset after a run that diverged');
        /* the core gives the loss shown for the weights shown */
        const output = attention.forward(trained).output.data, goal = [100, 2.48, -2.52, 2.63, -2.51, 2.54].map(Math.fround);
        assert.equal(Format.dataText(output.reduce((sum, o, i) => sum + (o - goal[i]) ** 2 / 6, 0)), card.loss);
      }));

    it('passes axe-core with a result pinned, light and dark', async () => {
      for (const theme of ['light', 'dark'])
        await withPage(`${URL}#example=lecture&grad=weights:0,0,2&theme=${theme}`, async (page) => {
          await page.addScriptTag({ path: AXE });
          const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'], preload: false })).violations
            .filter((v) => v.impact === 'critical' || v.impact === 'serious')
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].target.join(' ')}`));
          assert.deepEqual(violations, [], theme);
        });
    });
  });
}
