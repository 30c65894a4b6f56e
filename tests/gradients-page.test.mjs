// gradients-page.test.mjs: gradients on the page, in headless Chromium and
// Firefox: sensitivity (a pinned result's ∂result/∂cell over every input,
// data-grad and data-grad-of, the grad= link, the words, Escape), checked
// against the core's own backward() of the same case in Node.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createAttention } from '../web/attention.mjs';
import { ROOT } from './helpers.mjs';
import { BROWSERS, PAGE_URL, launch, visit, cell, typeInto, frames, plain } from './browser.mjs';

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

    it('a weights result pinned from its explanation follows an edit live, and Escape ends it', () =>
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
      }));

    it('refuses a bad grad= link with a message that says what a result is', () =>
      withPage(`${URL}#example=lecture&grad=output:7,0`, async (page) => {
        const banner = await page.$eval('.banner', (b) => !b.hidden && b.textContent);
        assert.match(banner, /grad: output:7,0 is outside the 3×2 output; expected output:row,col/);
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
