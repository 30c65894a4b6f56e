// page.test.mjs: index.html opened from file:// in headless Chromium and
// Firefox, read and driven through its testing contract: every stage against
// PyTorch's fixtures, edits, the keyboard, the controls, the URL hash, the
// explanations, the walk-through, exports and imports, and screenshots for a
// reviewer (tests/screenshots/). What the page shows is compared with the
// core's forward() of the case it should show, never only with its own state.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createAttention } from '../web/attention.mjs';
import Cases from '../web/page/model/cases.js';
import Link from '../web/page/model/link.js';
import { loadFixtures, compareStages, flatten, hasTorch, ROOT } from './helpers.mjs';
import { BROWSERS, PAGE_URL, launch, visit, readStages, pageHash, setHash, frames, cell, typeInto, valueOf, plain, caseFromPage, errorOf, toMiddle, setControl } from './browser.mjs';

const SCREENSHOTS = join(ROOT, 'tests', 'screenshots');
const SCREEN_SIZES = [['phone', 390, 844], ['tablet', 820, 1180], ['laptop', 1366, 768], ['projector', 1920, 1080]];
const fixtures = loadFixtures();
const lecture = fixtures.find((f) => f.name === 'lecture');
const attention = await createAttention();
const STAGE_NAMES = attention.stageNames; /* the core's, in the order they are computed */
const copy = (x) => JSON.parse(JSON.stringify(x));
const link = (c, view) => PAGE_URL + Link.encode({ case: c, view }, { whole: true });

/* The page's stages against the core's for `expected`, a case. */
async function shows(page, expected) {
  return compareStages(await readStages(page), attention.forward(expected));
}
/* Clicks the Export / import panel's button with this text. */
const shareButton = (page, text) => page.$$eval('.share-panel button', (buttons, t) => buttons.find((b) => b.textContent === t).click(), text);
const openShare = async (page) => { if (!(await page.$('.share-panel:not([hidden])'))) await page.click('.share-toggle'); };

for (const name of BROWSERS) {
  describe(`page in ${name}`, { concurrency: false }, () => {
    let browser;
    before(async () => { browser = await launch(name); });
    after(async () => { await browser?.close(); });

    /* Opens the page, runs body, then fails on any console error, page error or dialog. */
    const withPage = async (url, body, options) => assert.deepEqual(await visit(browser, url, body, options), [], 'no console error, page error or dialog');

    it('opens from file:// on the lecture example, every stage equal to PyTorch, no request beyond its own files', () =>
      withPage(PAGE_URL, async (page, { requests }) => {
        const shown = await readStages(page);
        assert.deepEqual(compareStages(shown, lecture.stages), []);
        for (const input of ['query', 'in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'])
          assert.deepEqual(Array.from(shown[input].data, Math.fround), Array.from(flatten(lecture.case[input]).data, Math.fround), input);
        assert.deepEqual(await page.$$eval('[data-stage="query"] input.token', (inputs) => inputs.map((i) => i.value)), ['I', 'am', 'good']);
        const outside = requests.filter((url) => !url.startsWith(new URL('.', PAGE_URL).href) && !/^(data|blob):/.test(url));
        assert.deepEqual(outside, [], 'only the project’s own files are requested');
        await frames(page, 3);
        assert.equal(await page.$$eval('.step.is-lazy', (steps) => steps.length), 0, 'a small view stays whole: a full-page screenshot shows every step');
        assert.match(await pageHash(page), /^#example=lecture$/, 'an unedited example is linked by its name');
      }));

    it('shows every PyTorch fixture, opened through its link, stage by stage', () =>
      withPage(PAGE_URL, async (page) => {
        for (const f of fixtures) {
          await setHash(page, Link.encode({ case: f.case }, { whole: true }));
          const failures = compareStages(await readStages(page), f.stages);
          assert.deepEqual(failures, [], `${f.name}: ${failures[0]}`);
          assert.equal(await page.$eval('.banner', (b) => b.hidden), true, `${f.name}: no error banner`);
        }
      }));

    it('labels the keys of cross-attention by their number, not by the query’s words, in headers and explanations', () =>
      withPage(link(fixtures.find((f) => f.name === 'nan_in_cross_query').case), async (page) => {
        const keyLabels = await page.$$eval('[data-stage="weights"] .head:first-child thead tr:last-child th[scope=col]', (ths) => ths.map((th) => th.textContent));
        assert.deepEqual(keyLabels, ['key 0', 'key 1', 'key 2'], 'S = L here, and still the keys are other rows');
        await page.hover(cell('scores', 0, 1, 0));
        assert.match(plain(await page.$eval('.explain', (e) => e.textContent)), /scores\[head 1\]\[the\]\[key 1\]/);
      }));

    it('follows an edited embedding through every stage', () =>
      withPage(PAGE_URL, async (page) => {
        const before = await readStages(page);
        await typeInto(page, 'query', 1, 0, '-0.5');
        const after = await readStages(page);
        assert.equal(after.query.data[2], -0.5);
        const edited = copy(lecture.case);
        edited.query[1][0] = -0.5;
        assert.deepEqual(compareStages(after, attention.forward(edited)), []);
        for (const stage of ['q', 'k', 'v', 'scores', 'weights', 'context', 'output'])
          assert.notDeepEqual(after[stage].data, before[stage].data, `${stage} changed`);
        assert.match(await pageHash(page), /query=0\.2,0\.1;-0\.5,0\.4;/, 'the link holds the edit');
      }));

    it('edits live while typing, before Enter', () =>
      withPage(PAGE_URL, async (page) => {
        await typeInto(page, 'in_proj_weight', 0, 0, '2.5', { end: null });
        const edited = copy(lecture.case);
        edited.in_proj_weight[0][0] = 2.5;
        assert.deepEqual(await shows(page, edited), []);
        assert.equal(await valueOf(page, 'in_proj_weight', 0, 0), '2.5');
      }));

    it('takes a value set by a script, with an input or a change event', () =>
      withPage(PAGE_URL, async (page) => {
        for (const [event, value, row] of [['input', '0.55', 0], ['change', '-0.25', 1]]) {
          await page.$eval(`${cell('query', row, 1)} input`, (input, [e, v]) => {
            input.value = v;
            input.dispatchEvent(new Event(e, { bubbles: true }));
          }, [event, value]);
          assert.equal(await valueOf(page, 'query', row, 1), value, event);
        }
        await page.click(cell('query', 2, 0)); /* a click, then typing: the typed number replaces the old */
        await page.keyboard.type('0.125');
        await page.keyboard.press('Enter');
        assert.equal(await valueOf(page, 'query', 2, 0), '0.125', 'click and type');
        const c = copy(lecture.case);
        c.query[0][1] = 0.55;
        c.query[1][1] = -0.25;
        c.query[2][0] = 0.125;
        assert.deepEqual(await shows(page, c), []);
      }));

    it('is driven from the keyboard: arrows move, Enter edits, Up nudges, Escape cancels', () =>
      withPage(PAGE_URL, async (page) => {
        await page.focus(cell('query', 0, 0));
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('ArrowDown');
        const focused = () => page.evaluate(() => { const td = document.activeElement.closest('td'); return td && [td.dataset.row, td.dataset.col]; });
        assert.deepEqual(await focused(), ['1', '1']);
        await page.keyboard.press('Enter');               // edit query[1][1] = 0.4
        await page.keyboard.press('ArrowUp');             // 0.5
        await page.keyboard.down('Shift');
        await page.keyboard.press('ArrowUp');             // 1.5
        await page.keyboard.up('Shift');
        await page.keyboard.press('Enter');
        assert.equal(await valueOf(page, 'query', 1, 1), '1.5');
        const c = copy(lecture.case);
        c.query[1][1] = 1.5;
        assert.deepEqual(await shows(page, c), []);
        await page.keyboard.press('Enter');
        await page.keyboard.type('9');
        await page.keyboard.press('Escape');
        assert.equal(await valueOf(page, 'query', 1, 1), '1.5', 'Escape restores the value');
        await page.keyboard.press('ArrowDown');
        assert.deepEqual(await focused(), ['2', '1']);
        // computed cells are in the keyboard's reach too, and explain themselves on focus
        await page.focus(cell('weights', 0, 0));
        await page.keyboard.press('ArrowRight');
        assert.deepEqual(await focused(), ['0', '1']);
        assert.match(await page.$eval('.explain', (e) => e.textContent), /exp\(/);
      }));

    it('scrubs a value by dragging sideways', () =>
      withPage(PAGE_URL, async (page) => {
        const box = await (await page.$(cell('query', 0, 1))).boundingBox();
        const y = box.y + box.height / 2, x = box.x + box.width / 2;
        await page.mouse.move(x, y);
        await page.mouse.down();
        for (let dx = 10; dx <= 50; dx += 10) await page.mouse.move(x + dx, y);
        await page.mouse.up();
        assert.equal(await valueOf(page, 'query', 0, 1), '0.6', '0.1 + 50 px × 0.01');
        const c = copy(lecture.case);
        c.query[0][1] = 0.6;
        assert.deepEqual(await shows(page, c), []);
      }));

    it('answers bad input in the cell and keeps the last good value driving the computation', () =>
      withPage(PAGE_URL, async (page) => {
        await typeInto(page, 'query', 2, 1, '0.25');         // a good edit elsewhere, to keep
        const good = copy(lecture.case);
        good.query[2][1] = 0.25;
        for (const [text, message] of [['abc', /not a number: "abc"/], ['', /empty/], ['1e39', /beyond float32's range/], ['1..2', /not a number/]]) {
          await typeInto(page, 'query', 0, 0, text);
          const errorText = await errorOf(page, 'query', 0, 0);
          assert.match(errorText, message, `"${text}" is answered`);
          assert.equal(errorText.match(/still using (\S+)$/)[1], '0.2', `"${text}": the value from before the edit`);
          assert.equal(await valueOf(page, 'query', 0, 0), '0.2');
          assert.equal(await page.$eval(`${cell('query', 0, 0)} input`, (i) => i.getAttribute('aria-invalid')), 'true');
          assert.deepEqual(await shows(page, good), [], `"${text}": the last good value drives every stage`);
        }
        await typeInto(page, 'query', 0, 0, '0.3');
        assert.equal(await errorOf(page, 'query', 0, 0), '', 'a good value clears the error');
        assert.equal(await page.$$eval('.cell-error:not([hidden])', (messages) => messages.length), 0, 'and its message is gone');
        good.query[0][0] = 0.3;
        assert.deepEqual(await shows(page, good), []);
        // a control: embed_dim that num_heads does not divide
        await setControl(page, 'num_heads', '2');
        good.num_heads = 2;
        await setControl(page, 'embed_dim', '3');
        assert.match(await page.$eval('[data-control="embed_dim"] .control-error', (e) => e.textContent), /embed_dim 3 is not divisible by num_heads 2/);
        assert.equal(await page.$eval('[name=embed_dim]', (i) => i.getAttribute('aria-invalid')), 'true');
        assert.equal(await page.$eval('[name=embed_dim]', (i) => i.value), '2', 'the control shows the value in use');
        assert.deepEqual(await shows(page, good), [], 'still the last good state');
      }));

    it('round-trips the URL hash: a link restores exactly the view', () =>
      withPage(PAGE_URL, async (page) => {
        await typeInto(page, 'out_proj.bias', 0, 1, '0.125');
        await setControl(page, 'attn_mask', 'causal');
        await page.$eval('[name=add_zero_attn]', (c) => c.click());
        await setControl(page, 'theme', 'dark');
        const hash = await pageHash(page);
        const shown = await readStages(page);
        await withPage(PAGE_URL + hash, async (again) => {
          assert.deepEqual(await readStages(again), shown);
          assert.equal(await again.$eval('.attn-view', (v) => v.dataset.theme), 'dark');
          assert.equal(await again.$eval('[name=attn_mask]', (s) => s.value), 'causal');
        });
      }));

    it('opens a link set while an edit’s write is waiting, even if that write lands before the hashchange event', () =>
      withPage(PAGE_URL, async (page) => {
        await typeInto(page, 'query', 0, 0, '0.5'); /* its hash write waits 150 ms */
        const f = fixtures.find((x) => x.name === 'two_heads');
        const edited = await page.evaluate(() => location.hash);
        /* the link set, then (as a timer could, before the event's task) the old state written over it */
        await page.evaluate((h, old) => new Promise((resolve) => {
          addEventListener('hashchange', () => resolve(), { once: true });
          location.hash = h;
          history.replaceState(history.state, '', old);
        }), Link.encode({ case: f.case }, { whole: true }), edited);
        assert.deepEqual(compareStages(await readStages(page), f.stages), []);
      }));

    it('writes no link while edits keep coming, though one was about to be written when they began; once they rest, the last edit’s', () =>
      withPage(PAGE_URL, async (page) => {
        await pageHash(page);
        const during = await page.evaluate(async () => {
          const input = document.querySelector('[data-stage="query"] [data-row="0"][data-col="0"] input');
          let lastEdit = 0;
          const edit = (i) => { input.value = String(i / 64); input.dispatchEvent(new Event('input', { bubbles: true })); lastEdit = performance.now(); };
          /* the first edit's write, its 150 ms over, asks for an idle moment; before one comes, the next edit */
          const requestIdle = window.requestIdleCallback;
          let asked = null;
          window.requestIdleCallback = (f, o) => { const id = requestIdle(f, o); if (!asked) { asked = performance.now(); edit(2); } return id; };
          edit(1);
          while (!asked) await new Promise((r) => setTimeout(r, 10));
          window.requestIdleCallback = requestIdle;
          /* a write less than 150 ms after the last edit is one the edits did not wait for (a
             loaded machine may leave longer gaps between them: a write then is due) */
          const early = [];
          for (const k of ['replaceState', 'pushState']) { const f = history[k].bind(history); history[k] = (...a) => { const since = performance.now() - lastEdit; if (since < 150) early.push(Math.round(since)); return f(...a); }; }
          /* typing on: an edit every 50 ms for a second and a half */
          for (let i = 3; i <= 32; i++) { await new Promise((r) => setTimeout(r, 50)); edit(i); }
          return early;
        });
        assert.deepEqual(during, [], 'no link written while the edits kept coming (ms after the last edit)');
        assert.equal(Link.decode(await pageHash(page)).case.query[0][0], 0.5, 'then the last edit’s');
      }));

    const whole = Link.encode({ case: lecture.case }, { whole: true });
    for (const [label, hash] of [['garbage', '#%%%garbage'], ['truncated', whole.slice(0, whole.indexOf('in_proj_weight') + 30)], ['tampered', whole.replace('num_heads=1', 'num_heads=7')], ['oversized', '#v=1&' + 'x'.repeat(300000)]])
      it(`falls back to the lecture with a message on a ${label} hash`, () =>
        withPage(PAGE_URL + hash, async (page) => {
          assert.match(await page.$eval('.banner', (b) => (b.hidden ? '' : b.textContent)), /could not be read/);
          assert.deepEqual(compareStages(await readStages(page), lecture.stages), []);
        }));

    it('shows the rest of a link with a part it cannot read, and says which part: at the start and when typed', () =>
      withPage(`${PAGE_URL}#example=pronoun&step=0&theme=dark`, async (page) => {
        const banner = () => page.$eval('.banner', (b) => (b.hidden ? '' : b.textContent));
        assert.equal(await banner(), 'Part of this link could not be read (step: expected a whole number from 1); the rest of it is shown.');
        assert.deepEqual(await shows(page, Cases.EXAMPLES.pronoun.make()), []);
        assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
        assert.equal(await pageHash(page), '#example=pronoun&theme=dark', 'the link shown is the state shown');
        await setHash(page, '#example=sentence&thme=light');
        assert.equal(await banner(), 'Part of this link could not be read (unknown key "thme" in the link); the rest of it is shown.');
        assert.deepEqual(await shows(page, Cases.EXAMPLES.sentence.make()), []);
        /* a view the case cannot have (a mask's card for a case without a mask): the case, in the default view */
        await page.goto(`${PAGE_URL}#example=sentence&stage=attn_mask`); /* (the same document: then loaded anew) */
        await page.reload();
        await page.waitForSelector('html[data-ready]');
        assert.match(await banner(), /^Part of this link could not be read \(.*attn_mask.*\); the rest of it is shown\.$/);
        assert.deepEqual(await shows(page, Cases.EXAMPLES.sentence.make()), []);
      }));

    it('explains a number with its terms and highlights what it was made from', () =>
      withPage(PAGE_URL, async (page) => {
        await page.hover(cell('q', 0, 1));
        const text = plain(await page.$eval('.explain', (e) => e.textContent));
        assert.match(text, /0\.20×0\.80 \+ 0\.10×2\.00 \+ \(−0\.50\)/, 'dot-product terms plus the bias');
        assert.match(text, /= −0\.14/);
        const sources = await page.$$eval('.is-source', (tds) => tds.map((td) => `${td.closest('[data-stage]').dataset.stage}[${td.dataset.row}][${td.dataset.col}]`));
        assert.deepEqual(sources.sort(), ['in_proj_bias[0][1]', 'in_proj_weight[1][0]', 'in_proj_weight[1][1]', 'query[0][0]', 'query[0][1]']);
        await page.hover(cell('weights', 1, 2));
        assert.match(plain(await page.$eval('.explain', (e) => e.textContent)), /exp\(s − max\) \/ Σ exp\(s − max\).*exp\(4\.64 − 4\.64\)/s);
      }));

    it('follows every option set from the controls, each compared with the core’s forward of the case it should give', () =>
      withPage(PAGE_URL, async (page) => {
        /* what each control should have made of the case: its inputs read
         * from the page's input cells, its options as the control says */
        const options = { embed_dim: 2, num_heads: 1, bias: true, add_bias_kv: false, add_zero_attn: false, average_attn_weights: true };
        const steps = [['embed_dim', '4', { embed_dim: 4 }], ['num_heads', '2', { num_heads: 2 }], ['bias', false, { bias: false }],
          ['add_bias_kv', true, { add_bias_kv: true }], ['add_zero_attn', true, { add_zero_attn: true }], ['attn_mask', 'causal', {}],
          ['key_padding_mask', true, {}], ['average_attn_weights', false, { average_attn_weights: false }], ['attn_mask', 'float', {}], ['bias', true, { bias: true }]];
        for (const [control, value, set] of steps) {
          const before = await readStages(page);
          await setControl(page, control, value);
          Object.assign(options, set);
          const expected = await caseFromPage(page, options);
          if (control === 'attn_mask' && value === 'causal') assert.deepEqual(expected.attn_mask, Cases.causalMask(3), 'a causal mask');
          if (control === 'attn_mask' && value === 'float') assert.deepEqual(expected.attn_mask, [[0, '-Infinity', '-Infinity'], [0, 0, '-Infinity'], [0, 0, 0]], 'the causal mask as floats');
          if (control === 'key_padding_mask') assert.deepEqual(expected.key_padding_mask, [false, false, false]);
          assert.deepEqual(compareStages(await readStages(page), attention.forward(expected)), [], `after ${control} = ${value}`);
          assert.notDeepEqual(await readStages(page), before, `${control} changed what is shown`);
        }
        const keyLabels = await page.$$eval('[data-stage="weights"] .head:first-child thead tr:last-child th[scope=col]', (ths) => ths.map((th) => th.textContent));
        assert.deepEqual(keyLabels, ['I', 'am', 'good', 'bias_k', 'zero'], 'the extra key columns are labelled');
        // a bool mask cell toggled by click, a key padded by click
        await setControl(page, 'attn_mask', 'bool');
        await page.click(`${cell('attn_mask', 0, 2)} input`);
        await page.click(`${cell('key_padding_mask', 0, 0)} input`);
        assert.equal(await valueOf(page, 'attn_mask', 0, 2), 'true');
        assert.equal(await valueOf(page, 'key_padding_mask', 0, 0), 'true');
        const expected = await caseFromPage(page, options);
        assert.equal(expected.attn_mask[0][2], true);
        assert.deepEqual(compareStages(await readStages(page), attention.forward(expected)), []);
        /* every table's top-left corner is blank, the masks' too (a bool mask's painted it as a box) */
        assert.deepEqual(await page.$$eval('.matrix td.corner', (tds) => [...new Set(tds.map((td) => getComputedStyle(td).backgroundColor))]), ['rgba(0, 0, 0, 0)']);
      }));

    it('explains a fully masked row’s NaN on the page', () =>
      withPage(link(fixtures.find((f) => f.name === 'fully_masked_row').case), async (page) => {
        const note = await page.$eval('.nan-note', (n) => (n.hidden ? '' : n.textContent));
        assert.match(note, /every key is masked there, so softmax computes 0 \/ 0\. PyTorch gives NaN too/);
        assert.equal(await valueOf(page, 'weights', 1, 0, 0), 'NaN');
      }));

    it('renames, adds and removes tokens', () =>
      withPage(PAGE_URL, async (page) => {
        const token = '[data-stage="query"] input.token';
        await page.click(token);
        await page.$eval(token, (i) => i.select());
        await page.keyboard.type('You');
        assert.match(await pageHash(page), /tokens=You,am,good/);
        assert.equal(await page.$eval('[name=example]', (s) => s.value), 'custom', 'a renamed token is no longer the lecture’s');
        assert.equal(await page.$eval('[data-stage="weights"] thead tr:last-child th[scope=col]', (th) => th.textContent), 'You');
        await page.click('.add-token');
        assert.match(await pageHash(page), /tokens=You,am,good,token4/);
        const added = await caseFromPage(page, { embed_dim: 2, num_heads: 1, bias: true, add_bias_kv: false, add_zero_attn: false, average_attn_weights: true });
        assert.equal(added.query.length, 4);
        assert.deepEqual(await shows(page, added), []);
        await page.click('[aria-label="remove token am"]');
        assert.match(await pageHash(page), /tokens=You,good,token4/);
        const removed = await caseFromPage(page, { embed_dim: 2, num_heads: 1, bias: true });
        assert.deepEqual(removed.query, [added.query[0], added.query[2], added.query[3]]);
        assert.deepEqual(await shows(page, removed), []);
        await page.click('[name=reset]');
        assert.deepEqual(await page.$$eval('[data-stage="query"] input.token', (inputs) => inputs.map((i) => i.value)), ['I', 'am', 'good'], 'Reset brings the names back');
        await page.$eval('[data-stage="query"] input.token', (i) => { i.value = 'We'; i.dispatchEvent(new Event('input')); });
        await page.click('[name=reset]'); /* the same shapes: the token inputs follow all the same */
        assert.equal(await page.$eval('[data-stage="query"] input.token', (i) => i.value), 'I');
      }));

    it('keeps the keyboard’s place when a token is added or removed: the view is built anew, focus stays', () =>
      withPage(PAGE_URL, async (page) => {
        const focused = () => page.evaluate(() => { const a = document.activeElement; return `${a.className} ${a.getAttribute('aria-label') || a.textContent}`; });
        await page.$eval('.add-token', (b) => b.focus());
        await page.keyboard.press('Enter');
        assert.equal(await focused(), 'add-token + token', 'Enter on + token: still there');
        await page.keyboard.press('Enter');
        assert.equal(await page.$$eval('[data-stage="query"] input.token', (inputs) => inputs.length), 5);
        await page.$eval('[aria-label="remove token am"]', (b) => b.focus());
        await page.keyboard.press('Enter');
        assert.equal(await focused(), 'remove-token remove token good', 'the × of the token now in its place');
        await page.$$eval('.remove-token', (bs) => bs.at(-1).focus());
        await page.keyboard.press(' ');
        assert.equal(await focused(), 'remove-token remove token token4', 'the last one removed: the × of the one now last');
        const shown = await caseFromPage(page, { embed_dim: 2, num_heads: 1, bias: true, add_bias_kv: false, add_zero_attn: false, average_attn_weights: true });
        assert.deepEqual(shown.tokens, ['I', 'good', 'token4']);
        assert.deepEqual(shown.query.slice(0, 2), [lecture.case.query[0], lecture.case.query[2]]);
        assert.deepEqual(await shows(page, shown), []);
      }));

    it('shows the bigger examples step by step, numbers giving way to colour', () =>
      withPage(PAGE_URL + '#layout=steps', async (page) => {
        for (const example of ['sentence', 'paragraph']) {
          await setControl(page, 'example', example);
          assert.deepEqual(await shows(page, Cases.EXAMPLES[example].make()), [], example);
        }
        /* so big that steps off screen are skipped (content-visibility), with
         * their real heights kept: the page is as tall as when all are drawn */
        await page.waitForFunction(() => [...document.querySelectorAll('.step')].every((s) => s.classList.contains('is-lazy')), { timeout: 3000 });
        await frames(page, 3);
        assert.ok(await page.$eval('.step:last-child', (s) => s.getBoundingClientRect().top > innerHeight), 'the last step is off screen');
        const heights = await page.$eval('.stages', (stages) => {
          const lazy = stages.getBoundingClientRect().height;
          stages.querySelectorAll('.step').forEach((s) => s.classList.remove('is-lazy'));
          const whole = stages.getBoundingClientRect().height;
          stages.querySelectorAll('.step').forEach((s) => s.classList.add('is-lazy'));
          return { lazy, whole };
        });
        assert.equal(heights.lazy, heights.whole);
        await typeInto(page, 'query', 0, 0, '0.5');
        const edited = Cases.EXAMPLES.paragraph.make();
        edited.query[0][0] = 0.5;
        assert.deepEqual(await shows(page, edited), [], 'skipped steps still carry the new values');
        assert.equal(await page.$eval('[name=example]', (s) => s.value), 'custom');
        await page.click('[name=reset]');
        assert.equal(await page.$eval('[name=example]', (s) => s.value), 'paragraph', 'Reset goes back to the example chosen last');
        assert.ok(await page.$('[data-stage="in_proj_weight"] table.is-compact'), 'a 96×32 weight is a heatmap');
        /* scrolled there first: a skipped step's cells are hit only once it is drawn */
        await toMiddle(page, cell('q', 3, 7));
        await frames(page, 2);
        await page.hover(cell('q', 3, 7));
        assert.match(plain(await page.$eval('.explain', (e) => e.textContent)), /q\[word\]\[7\]/, 'every number is still readable on hover');
      }));

    it('in the pass, a big example skips the matrices off screen, and a heatmap cell’s input stays inside its matrix', () =>
      withPage(PAGE_URL + '#example=paragraph', async (page) => {
        await page.waitForFunction(() => document.querySelectorAll('.stage > .head.is-lazy').length > 10, { timeout: 3000 });
        const last = cell('query', 15, 31);
        await toMiddle(page, last);
        await page.click(last);
        await page.keyboard.type('1.5');
        const fit = await page.$eval(last, (td) => {
          const input = td.querySelector('input').getBoundingClientRect(), box = td.closest('.stage').getBoundingClientRect();
          return { inside: input.left >= box.left - 0.5 && input.right <= box.right + 0.5, shown: getComputedStyle(td.closest('.head')).contentVisibility };
        });
        assert.deepEqual(fit, { inside: true, shown: 'visible' }, 'the input of the last column opens leftwards, its head drawn whole while it is open');
        await page.keyboard.press('Enter');
        const edited = Cases.EXAMPLES.paragraph.make();
        edited.query[15][31] = 1.5;
        assert.deepEqual(await shows(page, edited), [], 'matrices skipped off screen still carry the new values');
      }));

    it('steps through the lecture from buttons and keys, and a link keeps the step', () =>
      withPage(PAGE_URL, async (page) => {
        await page.click('[name=walk]');
        const step = () => page.$eval('.walk', (w) => Number(w.dataset.step));
        const title = () => page.$eval('.walk-title', (t) => t.textContent);
        assert.equal(await step(), 1);
        assert.equal(await title(), 'The sentence, as numbers');
        assert.deepEqual([...new Set(await page.$$eval('.is-current', (marked) => marked.map((m) => m.dataset.step)))], ['1'], 'the cards of step 1 are marked');
        await page.click('.walk-buttons button:nth-child(2)');
        assert.equal(await step(), 2);
        for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
        assert.equal(await title(), 'Softmax: the attention weights');
        assert.match(plain(await page.$eval('.walk-body', (b) => b.textContent)), /“I” gives 0\.16 to “I”, 0\.43 to “am”, 0\.41 to “good”/);
        await page.keyboard.press('ArrowLeft');
        assert.match(await page.$eval('.walk-body', (b) => b.textContent), /Q_scaled·Kᵀ: 3×2 · 2×3 → 3×3/);
        assert.match(await pageHash(page), /&step=5$/);
        await withPage(PAGE_URL + await pageHash(page), async (again) => {
          assert.equal(await again.$eval('.walk-title', (t) => t.textContent), 'Scores: every query against every key');
        });
        await page.keyboard.press('Escape');
        assert.equal(await page.$eval('.walk', (w) => w.hidden), true);
        assert.doesNotMatch(await pageHash(page), /step=/);
      }));

    it('draws the embeddings and Q, K, V in the plane when E = 2, and a dragged tip edits the embedding', () =>
      withPage(PAGE_URL, async (page) => {
        const handle = await page.$('.plane .handle');
        await handle.scrollIntoView();
        const box = await handle.boundingBox();
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        for (let i = 1; i <= 5; i++) await page.mouse.move(box.x + box.width / 2 + 8 * i, box.y + box.height / 2 - 8 * i);
        await page.mouse.up();
        const x = Number(await valueOf(page, 'query', 0, 0));
        const y = Number(await valueOf(page, 'query', 0, 1));
        assert.ok(x > 0.2 && y > 0.1, `the tip moved right and up: ${x}, ${y}`);
        const moved = copy(lecture.case);
        moved.query[0] = [x, y];
        assert.deepEqual(await shows(page, moved), []);
        assert.equal(await page.$eval('[name=example]', (s) => s.value), 'custom', 'a moved embedding is no longer the lecture’s');
        await page.$eval('.plane .handle', (h) => h.focus());
        await page.keyboard.press('ArrowLeft');
        assert.equal(await valueOf(page, 'query', 0, 0), String(Math.round((x - 0.05) * 100) / 100));
        await page.keyboard.press('ArrowUp'); /* the tip keeps the focus: keys go on moving it */
        assert.equal(await valueOf(page, 'query', 0, 1), String(Math.round((y + 0.05) * 100) / 100));
        const tip = await page.$eval('.plane .handle[data-index="0"]', (h) => ({ focused: h === document.activeElement, label: h.getAttribute('aria-label'), cx: Number(h.getAttribute('cx')) }));
        assert.ok(tip.focused, 'still focused');
        assert.match(tip.label, new RegExp(`${(Math.round((x - 0.05) * 100) / 100).toFixed(2)}.*${(Math.round((y + 0.05) * 100) / 100).toFixed(2)}`), 'its label says where it is');
        await setControl(page, 'embed_dim', '4');
        assert.equal(await page.$('.plane'), null, 'only for E = 2');
      }));

    it('labels every arrow in the plane legibly: inside it, none over another, in 11 px type however wide the plane is drawn', () =>
      withPage(PAGE_URL, async (page) => {
        /* each label's box on screen, one em tall (a browser's box adds the line's leading) */
        const labels = () => page.$eval('.plane', (svg) => {
          const plane = svg.getBoundingClientRect();
          return { plane: [plane.left, plane.top, plane.right, plane.bottom], labels: [...svg.querySelectorAll('.arrow-label')].map((t) => {
            const r = t.getBoundingClientRect(), em = parseFloat(getComputedStyle(t).fontSize) * plane.width / svg.viewBox.baseVal.width, pad = (r.height - em) / 2;
            return { text: t.textContent, em, box: [r.left, r.top + pad, r.right, r.bottom - pad] };
          }) };
        });
        for (const layout of ['pass', 'steps']) {
          await page.evaluate((l) => window.attentionApp.session.apply({ type: 'view', layout: l }), layout);
          await page.$$eval('.plane-legend input', (boxes) => boxes.forEach((b) => { if (!b.checked) b.click(); })); /* X, Q, K and V: 12 arrows */
          await frames(page, 2);
          const { plane, labels: all } = await labels();
          assert.deepEqual(all.map((l) => l.text).sort(), ['I', 'K I', 'K am', 'K good', 'Q I', 'Q am', 'Q good', 'V I', 'V am', 'V good', 'am', 'good'], layout);
          for (const { text, em, box } of all) {
            assert.ok(Math.abs(em - 11) < 0.1, `${layout}: ${text} in ${em} px type`);
            assert.ok(box[0] >= plane[0] - 0.5 && box[1] >= plane[1] - 0.5 && box[2] <= plane[2] + 0.5 && box[3] <= plane[3] + 0.5, `${layout}: ${text} inside the plane`);
          }
          for (const [i, a] of all.entries())
            for (const b of all.slice(i + 1)) {
              const across = Math.min(a.box[2], b.box[2]) - Math.max(a.box[0], b.box[0]), down = Math.min(a.box[3], b.box[3]) - Math.max(a.box[1], b.box[1]);
              assert.ok(Math.min(across, down) <= 1.5, `${layout}: ${a.text} over ${b.text}, ${across.toFixed(1)} × ${down.toFixed(1)} px`);
            }
        }
      }));

    it('draws the plane’s arrows at one scale across and up, from the origin, and fits the window to them, anew for a case shown anew', () =>
      withPage(PAGE_URL, async (page) => {
        await page.$$eval('.plane-legend input', (boxes) => boxes.forEach((b) => { if (!b.checked) b.click(); })); /* X, Q, K and V */
        await frames(page, 2);
        const drawn = await page.$eval('.plane', (svg) => Object.fromEntries(['query', 'q', 'k', 'v'].map((key) =>
          [key, [...svg.querySelectorAll(`.arrow-${key} line`)].map((l) => ['x1', 'y1', 'x2', 'y2'].map((a) => Number(l.getAttribute(a))))])));
        const axes = await page.$$eval('.plane .plane-grid line.axis', (ls) => ls.map((l) => ['x1', 'y1', 'x2', 'y2'].map((a) => Number(l.getAttribute(a)))));
        const origin = [axes.find(([x1, , x2]) => x1 === x2)[0], axes.find(([, y1, , y2]) => y1 === y2)[1]];
        const stages = attention.forward(lecture.case);
        const vectors = { query: lecture.case.query.flat(), q: Array.from(stages.q.data), k: Array.from(stages.k.data), v: Array.from(stages.v.data) };
        const ratios = [], extent = [[Infinity, -Infinity], [Infinity, -Infinity]];
        for (const key of ['query', 'q', 'k', 'v'])
          drawn[key].forEach(([x1, y1, x2, y2], i) => {
            assert.deepEqual([x1, y1], origin, `${key}[${i}] starts where the axes cross`);
            const [x, y] = [vectors[key][2 * i], vectors[key][2 * i + 1]];
            ratios.push((x2 - x1) / x, (y1 - y2) / y);
            for (const [d, v] of [[0, x1], [1, y1], [0, x2], [1, y2]]) extent[d] = [Math.min(extent[d][0], v), Math.max(extent[d][1], v)];
          });
        assert.equal(ratios.length, 24);
        for (const r of ratios) assert.ok(Math.abs(r / ratios[0] - 1) < 1e-3, `one scale: ${r} against ${ratios[0]}`);
        const side = await page.$eval('.plane', (svg) => svg.viewBox.baseVal.width);
        const span = Math.max(extent[0][1] - extent[0][0], extent[1][1] - extent[1][0]);
        assert.ok(span >= 0.75 * side && extent.every(([low, high]) => low >= 0 && high <= side), `the arrows span ${span} of ${side}, inside it`);
        /* a small edit keeps the window (the grid stays under the reader); one that takes an arrow out of it fits it again */
        const axesAt = () => page.$$eval('.plane .plane-grid line.axis', (ls) => ls.map((l) => `${l.getAttribute('x1')},${l.getAttribute('y1')}`).join(' '));
        const tips = () => page.$$eval('.plane .arrow line', (ls) => ls.flatMap((l) => [Number(l.getAttribute('x2')), Number(l.getAttribute('y2'))]));
        const first = await axesAt();
        await typeInto(page, 'query', 0, 0, '0.25', { end: 'Enter' });
        await frames(page, 1);
        assert.equal(await axesAt(), first, 'X[0][0] 0.2 -> 0.25: the same window');
        await typeInto(page, 'query', 2, 0, '-3', { end: 'Enter' });
        await frames(page, 1);
        assert.notEqual(await axesAt(), first, 'X[2][0] -> -3: the window fitted again');
        for (const t of await tips()) assert.ok(t >= 0 && t <= side, `a tip at ${t}, inside the plane`);
        /* a case shown anew gets its own window: the lecture chosen again is drawn as it was first,
         * though its arrows would fit the window kept from X[2][1] = 1 */
        await typeInto(page, 'query', 2, 0, '0.7', { end: 'Enter' });
        await typeInto(page, 'query', 2, 1, '1', { end: 'Enter' });
        await setControl(page, 'example', 'lecture');
        await frames(page, 1);
        assert.equal(await axesAt(), first, 'the lecture chosen again: its first window');
      }));

    it('keeps every card’s size while an embedding is edited, though the numbers in a column change sign', () =>
      withPage(PAGE_URL, async (page) => {
        const values = [0.05, 0.45, 0.95, -0.85];
        /* the core's q for each value: one of its columns has numbers of both signs for some values and one sign for others */
        const signs = values.map((v) => { const c = copy(lecture.case); c.query[0][0] = v; const { data } = attention.forward(c).q; return [0, 1].map((j) => [0, 1, 2].some((i) => data[i * 2 + j] < 0)).join(); });
        assert.ok(new Set(signs).size > 1, `q's columns gain and lose a minus sign: ${signs.join(' | ')}`);
        const sizes = () => page.$$eval('.card', (cards) => cards.map((c) => { const r = c.getBoundingClientRect(); return `${c.dataset.card} ${r.width.toFixed(1)}×${r.height.toFixed(1)}`; }));
        const before = await sizes();
        for (const v of values) {
          await typeInto(page, 'query', 0, 0, String(v));
          await frames(page, 2);
          assert.equal(await valueOf(page, 'query', 0, 0), String(v));
          assert.deepEqual(await sizes(), before, `X[0][0] = ${v}`);
        }
      }));

    it('shows one stage alone when the link asks for it', () =>
      withPage(PAGE_URL + '#stage=scores', async (page) => {
        const shown = await page.$$eval('.card', (cards) => cards.filter((c) => getComputedStyle(c).display !== 'none').map((c) => c.dataset.card));
        assert.deepEqual(shown, ['query', 'scores']);
        await page.click('.focus-bar button');
        assert.ok((await page.$$eval('.card', (cards) => cards.filter((c) => getComputedStyle(c).display !== 'none').length)) > 10);
      }));

    if (name === 'chromium')
      it('prints a worksheet of every stage, without the controls', () =>
        withPage(PAGE_URL, async (page) => {
          await page.emulateMediaType('print');
          assert.equal(await page.$eval('.controls', (c) => getComputedStyle(c).display), 'none');
          assert.deepEqual(await page.$$eval('.card:not(.card-preview):not([hidden])', (cards) => cards.filter((c) => getComputedStyle(c).display === 'none').map((c) => c.dataset.card)), [], 'every card the view shows');
          const pdf = await page.pdf({ format: 'A4' });
          assert.ok(pdf.length > 10000);
        }));

    it('exports a stage as PNG, SVG, LaTeX and Markdown, and every stage as JSON', () =>
      withPage(PAGE_URL, async (page) => {
        await openShare(page);
        assert.equal(await page.$eval('[name=export-stage]', (s) => s.value), 'weights');
        const file = (kind) => page.evaluate(async (k) => {
          const { blob, name } = await window.attentionApp.share.file(k);
          const bytes = new Uint8Array(await blob.arrayBuffer());
          return { name, type: blob.type, size: bytes.length, head: Array.from(bytes.slice(0, 8)), text: k === 'png' ? '' : new TextDecoder().decode(bytes) };
        }, kind);
        const png = await file('png');
        assert.deepEqual(png.head, [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG');
        assert.equal(png.name, 'attention-weights.png');
        const svg = await file('svg');
        assert.match(svg.text, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        assert.match(svg.text, />0\.43</);
        const json = JSON.parse((await file('json')).text);
        assert.deepEqual(Object.keys(json.stages), STAGE_NAMES);
        await shareButton(page, 'LaTeX');
        assert.match(await page.$eval('.share-output', (t) => t.value), /\\begin\{(bmatrix|array)\}/);
        await shareButton(page, 'Markdown');
        assert.match(await page.$eval('.share-output', (t) => t.value), /\| *I *\|.*0\.4/s);
        // the list follows the cards: a stage that goes away is no longer offered
        await page.select('[name=export-stage]', 'in_proj_bias');
        await page.$eval('[name=bias]', (c) => c.click());
        await openShare(page);
        assert.equal(await page.$('[name=export-stage] option[value="in_proj_bias"]'), null);
        await shareButton(page, 'Markdown');
        assert.match(await page.$eval('.share-output', (t) => t.value), /\|/, 'another stage is exported');
      }));

    it('copies as PyTorch a snippet that prints the page’s numbers', { skip: !hasTorch && 'Debian’s python3-torch is not installed' }, () =>
      withPage(PAGE_URL, async (page) => {
        await typeInto(page, 'query', 2, 0, '-0.35');
        await setControl(page, 'attn_mask', 'causal');
        await openShare(page);
        await shareButton(page, 'Copy as PyTorch');
        const snippet = await page.$eval('.share-output', (t) => t.value);
        assert.match(snippet, /nn\.MultiheadAttention/);
        const run = spawnSync('/usr/bin/python3', ['-'], { input: snippet, encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        const printed = JSON.parse(run.stdout);
        const got = Object.fromEntries(STAGE_NAMES.map((n) => [n, flatten(printed[n])]));
        assert.deepEqual(compareStages(await readStages(page), got), []);
      }));

    it('imports a pasted state_dict, and lists a bad one’s problems key by key, keeping the state', () =>
      withPage(PAGE_URL, async (page) => {
        const f = fixtures.find((x) => x.name === 'two_heads');
        const paste = { state_dict: Object.fromEntries(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'].map((k) => [k, f.case[k]])),
          inputs: { query: f.case.query }, options: { num_heads: 2 }, tokens: f.case.tokens };
        await openShare(page);
        await page.$eval('.share-paste', (t, text) => { t.value = text; }, JSON.stringify(paste));
        await shareButton(page, 'Import');
        assert.deepEqual(compareStages(await readStages(page), f.stages), []);
        const before = await readStages(page);
        const bad = JSON.stringify({ in_proj_weight: [[1, 2]], 'out_proj.weight': [[1, 'x'], [0, 1]], nonsense: 1, '(': 1 });
        await page.$eval('.share-paste', (t, text) => { t.value = text; }, bad);
        await shareButton(page, 'Import');
        const errors = await page.$$eval('.share-errors li', (items) => items.map((li) => li.textContent));
        assert.ok(errors.length >= 2, errors.join(' | '));
        assert.ok(errors.some((e) => /nonsense/.test(e)) && errors.some((e) => /out_proj\.weight/.test(e)), errors.join(' | '));
        assert.ok(errors.some((e) => e.startsWith('(: ')), `a key that is no name is listed too: ${errors.join(' | ')}`);
        await page.$eval('.share-paste', (t) => { t.value = '{"in_proj_weight": [[1, 2],'; });
        await shareButton(page, 'Import');
        assert.match(await page.$eval('.share-errors', (e) => e.textContent), /line 1/);
        assert.deepEqual(await readStages(page), before, 'the state stays as it was');
      }));

    /* what the first screen shows, at each size a user has, in both themes */
    it('saves screenshots: phone, tablet, laptop and projector, light and dark', async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      for (const [size, width, height] of SCREEN_SIZES)
        for (const theme of ['light', 'dark'])
          await withPage(`${PAGE_URL}#theme=${theme}`, async (page) => {
            await frames(page, 2);
            await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}-${theme}.png`) });
          }, { width, height });
    });
  });
}
