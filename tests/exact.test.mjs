// exact.test.mjs: the page under every hand, in headless Chromium and
// Firefox: typed numbers used exactly whatever ends the edit, half-typed
// text never applied, the theme repainting every cell, the walk-through's
// keys and focus, one numbering, partial links, undo and Back, panels in
// view, the keyboard and the toolbar, names of any script, and axe-core.
// Every number is checked against the core's forward() of the case the page
// should show.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createAttention } from '../web/attention.mjs';
import Cases from '../web/page/model/cases.js';
import Link from '../web/page/model/link.js';
import Format from '../web/page/model/format.js';
import { compareStages, ROOT } from './helpers.mjs';
import { BROWSERS, PAGE_URL, launch, visit, readStages, pageHash, setHash, frames, cell, typeInto, valueOf, plain, errorOf, setControl } from './browser.mjs';

const attention = await createAttention();
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const lectureWith = (change) => { const c = Cases.lectureCase(); change(c); return c; };
const shows = async (page, expected) => compareStages(await readStages(page), attention.forward(expected));
const inViewport = (page, selector) => page.$eval(selector, (e) => {
  const r = e.getBoundingClientRect();
  return r.left >= -0.5 && r.top >= -0.5 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5 && r.width > 0; /* (sub-pixel rounding) */
});

for (const name of BROWSERS) {
  describe(`exact under every hand, in ${name}`, { concurrency: false }, () => {
    let browser;
    before(async () => { browser = await launch(name); });
    after(async () => { await browser?.close(); });
    const withPage = async (url, body, options) => assert.deepEqual(await visit(browser, url, body, options), [], 'no console error, page error or dialog');

    it('uses a typed number exactly, to float32, whatever ends the edit: Enter, Tab, a click elsewhere, ↓', () =>
      withPage(PAGE_URL, async (page) => {
        const expected = Cases.lectureCase();
        const typed = [['query', 0, 0, '1.234', 'Enter'], ['query', 0, 1, '-0.0005', 'Tab'], ['query', 1, 0, '12345', 'click'],
          ['in_proj_weight', 2, 1, '0.005', 'Enter'], ['out_proj.bias', 0, 0, '3.14159', 'Tab'], ['in_proj_bias', 0, 4, '12345.678', 'click']];
        for (const [stage, row, col, text, end] of typed) {
          await typeInto(page, stage, row, col, text, { end: end === 'click' ? null : end });
          if (end === 'click') await page.click('.page-header h1');
          const key = stage, value = Number(text);
          if (Array.isArray(expected[key][0])) expected[key][row][col] = value; else expected[key][col] = value;
          assert.equal(await valueOf(page, stage, row, col), Format.dataText(Math.fround(value)), `${text} then ${end}`);
          assert.equal(Math.fround(Number(await valueOf(page, stage, row, col))), Math.fround(value));
        }
        assert.deepEqual(await shows(page, expected), [], 'every stage is the core’s for the numbers as typed');
        const link = Link.decode(await pageHash(page)).case;
        assert.deepEqual(link.query, expected.query, 'the link holds the numbers as typed');
        assert.deepEqual(link.in_proj_bias, expected.in_proj_bias);
        /* ↓ while editing nudges the exact value: 1.234 − 0.1 = 1.134 */
        await typeInto(page, 'query', 2, 1, '1.234', { end: null });
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Tab');
        expected.query[2][1] = 1.134;
        assert.equal(await valueOf(page, 'query', 2, 1), '1.134');
        assert.deepEqual(await shows(page, expected), []);
        /* the cell shows fewer digits; the explanation and the editor every one */
        assert.equal(await page.$eval(cell('query', 0, 0), (td) => td.textContent), '1.23');
        await page.click(cell('query', 0, 0));
        assert.equal(await page.$eval(`${cell('query', 0, 0)} input`, (i) => i.value), '1.234');
      }));

    it('never applies or guesses text that is not a complete number, as typed key by key', () =>
      withPage(PAGE_URL, async (page) => {
        const original = Cases.lectureCase();
        const inUse = async () => Math.fround(Number(await valueOf(page, 'query', 0, 0)));
        /* "1e40": 1 and 1e4 are numbers on the way and are used live; 1e is
         * not, and 1e40 is past float32: then the value from before the edit */
        await page.click(cell('query', 0, 0));
        const steps = [['1', 1], ['e', 0.2], ['4', 1e4], ['0', 0.2]];
        for (const [key, value] of steps) {
          await page.keyboard.type(key);
          assert.equal(await inUse(), Math.fround(value), `after typing ${key}`);
        }
        assert.match(await errorOf(page, 'query', 0, 0), /"1e40" is beyond float32's range .* still using 0\.2/);
        await page.keyboard.press('Tab'); /* the edit ends with the text still bad: the message stays, 0.2 stays in use */
        assert.equal(await inUse(), Math.fround(0.2));
        assert.match(await errorOf(page, 'query', 0, 0), /beyond float32/);
        assert.deepEqual(await shows(page, original), []);
        for (const [text, message] of [['1.2.3', /not a number: "1\.2\.3"/], ['0x10', /not a number: "0x10"/], ['1e', /not a number: "1e"/],
          [' 2 5 ', /not a number: "2 5"/], ['1,000', /comma/], ['3.5e38', /beyond float32/], ['-1e39', /beyond float32/]]) {
          await typeInto(page, 'query', 0, 0, text);
          assert.equal(await inUse(), Math.fround(0.2), `${JSON.stringify(text)} is not applied`);
          assert.match(await errorOf(page, 'query', 0, 0), message, JSON.stringify(text));
          assert.deepEqual(await shows(page, original), [], JSON.stringify(text));
        }
        await page.keyboard.press('Escape'); /* Escape restores the text of the value in use */
        assert.equal(await page.$eval(cell('query', 0, 0), (td) => td.textContent), '0.20');
        assert.equal(await page.$eval(`${cell('query', 0, 0)} input`, (i) => getComputedStyle(i).display), 'none', 'the input closes');
        assert.equal(await errorOf(page, 'query', 0, 0), '');
        /* every number is back as it was (0.2, not its float32 0.2000000029…): the lecture again, by name */
        assert.equal(await page.$eval('[name=example]', (list) => list.value), 'lecture');
        assert.equal(await pageHash(page), '#example=lecture');
        /* float32's largest number, written as numpy prints it, is in range */
        await typeInto(page, 'query', 0, 0, '3.4028235e38');
        assert.equal(await valueOf(page, 'query', 0, 0), '3.4028235e+38');
        assert.deepEqual(await shows(page, lectureWith((c) => { c.query[0][0] = 3.4028235e38; })), []);
      }));

    it('shows one cell’s message at a time, the last to go wrong or the invalid one focused or hovered, and lets a click through to the cells it covers', () =>
      withPage(PAGE_URL, async (page) => {
        const shown = () => page.$$eval('.cell-error:not([hidden])', (messages) => messages.map((m) => m.textContent));
        await typeInto(page, 'query', 0, 0, '1,5', { end: 'Tab' });
        await typeInto(page, 'query', 0, 1, 'abc', { end: 'Tab' });
        const [last] = await shown();
        assert.deepEqual(await shown(), [last], 'one message on screen');
        assert.match(last, /not a number: "abc"/, 'the last cell to go wrong');
        assert.match(await errorOf(page, 'query', 0, 0), /comma/, 'the other keeps its message, as its input’s description');
        assert.deepEqual(await page.$eval(cell('query', 0, 1), (td) => { const box = td.closest('.stage'); return [box.scrollLeft, box.scrollWidth <= box.clientWidth]; }), [0, true],
          'X’s card does not scroll sideways: an input wider than its cell opens to the left, a bad text keeps to its cell');
        assert.deepEqual(await shows(page, Cases.lectureCase()), [], 'both in error: the values from before in use');
        /* the cell the message lies over takes a click, and an edit */
        const under = await page.$eval(cell('query', 1, 0), (td) => { const r = td.getBoundingClientRect(); const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2); return td.contains(top) || top.className; });
        assert.equal(under, true, 'nothing on top of X[am][0]');
        await typeInto(page, 'query', 1, 0, '-0.0625');
        assert.deepEqual(await shows(page, lectureWith((c) => { c.query[1][0] = -0.0625; })), []);
        await page.focus(cell('query', 0, 0));
        assert.equal((await shown()).length, 1);
        assert.match((await shown())[0], /comma/, 'focused: its message');
        await page.hover(cell('query', 0, 1));
        assert.match((await shown())[0], /"abc"/, 'hovered: its message');
        await typeInto(page, 'query', 0, 1, '0.375');
        assert.equal((await shown()).length, 1);
        assert.match((await shown())[0], /comma/, 'one fixed: the other’s message comes back');
        await typeInto(page, 'query', 0, 0, '1.5');
        assert.deepEqual(await shown(), []);
        assert.deepEqual(await shows(page, lectureWith((c) => { c.query[0][0] = 1.5; c.query[0][1] = 0.375; c.query[1][0] = -0.0625; })), []);
      }));
    it('keeps a cell’s message beside its cell and off the box that explains another, and puts it back when the box closes', () =>
      withPage(`${PAGE_URL}#example=sentence`, async (page) => {
        const rects = () => page.evaluate((selector) => {
          const rect = (e) => { const r = e?.getBoundingClientRect(); return r && { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
          return { message: rect(document.querySelector('.cell-error:not([hidden])')), box: rect(document.querySelector('.explain:not([hidden])')), cell: rect(document.querySelector(selector)) };
        }, cell('query', 3, 0));
        const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        /* X is a compact heatmap here: after the edit, a box below X[on] explains the cell pointed at or focused, where the message would go */
        await typeInto(page, 'query', 3, 0, '1,000', { end: 'Tab' });
        await frames(page, 2);
        const open = await rects();
        assert.ok(open.message && open.box, 'a message and a box on screen');
        assert.match(await errorOf(page, 'query', 3, 0), /comma/);
        assert.equal(overlap(open.message, open.box), false, 'the message does not cover the box');
        assert.ok(open.message.bottom <= open.cell.top && open.cell.top - open.message.bottom < 6, 'it is just above its cell');
        await page.keyboard.press('Escape');
        await frames(page, 2);
        const closed = await rects();
        assert.equal(closed.box, undefined, 'Escape closes the box');
        assert.ok(closed.message.top >= closed.cell.bottom && closed.message.top - closed.cell.bottom < 6, 'the message is back below its cell');
        assert.equal(overlap(closed.message, open.box), true, 'where the box lay');
      }, { width: 900, height: 700 }));

    it('repaints every cell in the chosen palette when the theme changes, from the control or the system, and prints light', () =>
      withPage(PAGE_URL, async (page) => {
        /* every coloured cell's background is its palette entry in `theme` */
        const painted = (theme) => page.$$eval('td[class*="c-"]', (tds) => tds.map((td) => [td.className.match(/c-([sd])(\d+)/).slice(1), getComputedStyle(td).backgroundColor]))
          .then((cells) => cells.filter(([[kind, index], colour]) => Format.colourTable(kind === 's' ? 'sequential' : 'diverging', theme)[Number(index)].background !== colour));
        assert.deepEqual(await painted('light'), []);
        await setControl(page, 'theme', 'dark');
        assert.deepEqual(await painted('dark'), [], 'the control: every cell at once');
        assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), 'dark', 'the browser’s own parts (scrollbars, spin buttons) dark too, on a light system');
        await typeInto(page, 'query', 1, 1, '-0.75');
        assert.deepEqual(await painted('dark'), [], 'after an edit, still one palette');
        if (name === 'chromium') {
          await page.emulateMediaType('print');
          assert.deepEqual(await painted('light'), [], 'print from dark: the light palette');
          await page.emulateMediaType(null);
          await setControl(page, 'theme', 'auto');
          await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
          assert.deepEqual(await painted('dark'), [], 'the system turning dark');
          await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
          assert.deepEqual(await painted('light'), [], 'and light again');
        }
        /* the text of each cell reads against its colour (WCAG AA, 4.5:1) */
        const low = await page.$$eval('td[class*="c-"]', (tds) => tds.filter((td) => {
          const rgb = (s) => s.match(/\d+/g).slice(0, 3).map(Number);
          const lum = (c) => c.map((v) => { const x = v / 255; return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; }).reduce((s, x, i) => s + x * [0.2126, 0.7152, 0.0722][i], 0);
          const style = getComputedStyle(td), a = lum(rgb(style.backgroundColor)), b = lum(rgb(style.color));
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) < 4.5;
        }).length);
        assert.equal(low, 0);
      }));

    it('walks through with the keyboard whatever has focus: from a link, at the first and the last step', () =>
      withPage(PAGE_URL + '#step=3', async (page) => {
        const step = () => page.$eval('.walk', (w) => Number(w.dataset.step));
        assert.equal(await step(), 3, 'a link opens the walk-through at its step');
        await page.evaluate(() => document.activeElement.blur());
        await page.keyboard.press('PageDown');
        assert.equal(await step(), 4, 'PageDown with nothing focused');
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press(' ');
        assert.equal(await step(), 6);
        for (let i = 0; i < 5; i++) await page.keyboard.press('PageDown');
        assert.equal(await step(), 8, 'the last step');
        await page.keyboard.press('PageDown');
        assert.equal(await step(), 8);
        await page.keyboard.press('PageUp');
        assert.equal(await step(), 7, 'keys still work at the last step');
        for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowLeft');
        assert.equal(await step(), 1, 'the first step');
        await page.keyboard.press('ArrowRight');
        assert.equal(await step(), 2, 'keys still work at the first step');
        await page.focus(cell('query', 0, 0)); /* a cell keeps its arrows, the walk-through its pages */
        await page.keyboard.press('ArrowRight');
        assert.equal(await step(), 2);
        await page.keyboard.press('PageDown');
        assert.equal(await step(), 3);
        await page.keyboard.press('Escape');
        assert.equal(await page.$eval('.walk', (w) => w.hidden), true, 'Escape closes it');
        /* opened from its button: focus goes in, and back to the button when it closes */
        await page.focus('[name=walk]');
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate(() => document.activeElement.closest('.walk') !== null), true, 'focus is in the panel');
        await page.keyboard.press('PageDown');
        assert.equal(await step(), 2);
        await page.keyboard.press('Escape');
        assert.equal(await page.evaluate(() => document.activeElement.getAttribute('name')), 'walk', 'focus is back on the button');
      }));

    it('numbers alike: section N is walk-through step N is step=N in the link, in the pass as in the steps', async () => {
      await withPage(PAGE_URL, async (page) => {
        const badges = await page.$$eval('.card[data-step] .card-step', (spans) => spans.map((b) => [b.textContent, b.closest('.card').dataset.step]));
        assert.ok(badges.length > 10);
        for (const [text, step] of badges) assert.equal(text, step, 'each card shows its step');
        await page.click('[name=walk]');
        for (let n = 1; n <= 8; n++) {
          assert.equal(await page.$eval('.walk', (w) => w.dataset.step), String(n));
          assert.deepEqual([...new Set(await page.$$eval('.is-current', (marked) => marked.map((m) => m.dataset.step)))], [String(n)], `the cards of step ${n} are marked`);
          assert.match(await pageHash(page), new RegExp(`step=${n}$`));
          await page.keyboard.press('PageDown');
        }
      });
      await withPage(PAGE_URL + '#layout=steps', async (page) => {
        const sections = await page.$$eval('.step', (steps) => steps.map((s) => [Number(s.dataset.step), s.querySelector('.step-number').textContent, s.querySelector('h2').textContent.replace(/^\d+\s*/, '')]));
        assert.deepEqual(sections.map(([n]) => n), sections.map((_, i) => i + 1));
        await page.click('[name=walk]');
        for (const [n, number, title] of sections) {
          assert.equal(number, String(n));
          assert.equal(await page.$eval('.walk', (w) => w.dataset.step), String(n));
          assert.equal(await page.$eval('.walk-title', (t) => t.textContent), title, `step ${n} is section ${n}`);
          assert.deepEqual([...new Set(await page.$$eval('.is-current', (marked) => marked.map((m) => m.dataset.step)))], [String(n)], `the cards of step ${n} are marked`);
          assert.match(await pageHash(page), new RegExp(`step=${n}$`));
          await page.keyboard.press('PageDown');
        }
      });
    });

    it('fills a partial link in from the default example: #step=5, #stage=weights, #example=sentence', () =>
      withPage(PAGE_URL, async (page) => {
        await setHash(page, '#step=5');
        assert.deepEqual(await shows(page, Cases.lectureCase()), []);
        assert.equal(await page.$eval('.walk', (w) => w.dataset.step), '5');
        assert.equal(await page.$eval('.banner', (b) => b.hidden), true);
        await setHash(page, '#stage=weights');
        assert.deepEqual(await page.$$eval('.card', (cards) => cards.filter((c) => getComputedStyle(c).display !== 'none').map((c) => c.dataset.card)), ['query', 'weights']);
        await setHash(page, '#example=sentence');
        assert.deepEqual(await shows(page, Cases.EXAMPLES.sentence.make()), []);
        assert.equal(await page.$eval('[name=example]', (s) => s.value), 'sentence');
        await setHash(page, '#example=paragraph&num_heads=8');
        assert.deepEqual(await shows(page, { ...Cases.EXAMPLES.paragraph.make(), num_heads: 8 }), []);
        /* a bad link says so and keeps what is shown; the message goes with the next valid state */
        await setHash(page, '#example=nope');
        assert.match(await page.$eval('.banner', (b) => b.textContent), /no example "nope"/);
        assert.deepEqual(await shows(page, { ...Cases.EXAMPLES.paragraph.make(), num_heads: 8 }), []);
        await setHash(page, '#example=lecture');
        assert.equal(await page.$eval('.banner', (b) => b.hidden), true, 'the banner clears as soon as a valid state is in place');
      }));

    it('walks the edits with Back and Forward, Ctrl+Z and Ctrl+Shift+Z; a drag is one entry', () =>
      withPage(PAGE_URL, async (page) => {
        const first = lectureWith((c) => { c.query[0][0] = 0.75; });
        const second = lectureWith((c) => { c.query[0][0] = 0.75; c.in_proj_weight[1][1] = -2.5; });
        await typeInto(page, 'query', 0, 0, '0.75');
        await typeInto(page, 'in_proj_weight', 1, 1, '-2.5');
        await pageHash(page);
        await page.goBack();
        await page.waitForFunction(() => document.querySelector('[data-stage="in_proj_weight"] [data-row="1"][data-col="1"]').dataset.value === '2');
        assert.deepEqual(await shows(page, first), [], 'Back undoes the last edit');
        await page.goForward();
        await page.waitForFunction(() => document.querySelector('[data-stage="in_proj_weight"] [data-row="1"][data-col="1"]').dataset.value === '-2.5');
        assert.deepEqual(await shows(page, second), [], 'Forward redoes it');
        await page.focus('[name=reset]'); /* outside a field being typed in */
        await page.keyboard.down('Control');
        await page.keyboard.press('z');
        await page.keyboard.press('z');
        await page.keyboard.up('Control');
        await page.waitForFunction(() => document.querySelector('[data-stage="query"] [data-row="0"][data-col="0"]').dataset.value === '0.2');
        assert.deepEqual(await shows(page, Cases.lectureCase()), [], 'Ctrl+Z twice: the lecture');
        await page.keyboard.down('Control');
        await page.keyboard.down('Shift');
        await page.keyboard.press('z');
        await page.keyboard.up('Shift');
        await page.keyboard.up('Control');
        await page.waitForFunction(() => document.querySelector('[data-stage="query"] [data-row="0"][data-col="0"]').dataset.value === '0.75');
        assert.deepEqual(await shows(page, first), [], 'Ctrl+Shift+Z redoes');
        /* a drag of 40 px is one entry: one undo goes back to before it */
        const box = await (await page.$(cell('query', 2, 1))).boundingBox();
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        for (let dx = 5; dx <= 40; dx += 5) await page.mouse.move(box.x + box.width / 2 + dx, box.y + box.height / 2);
        await page.mouse.up();
        assert.equal(await valueOf(page, 'query', 2, 1), '1.2');
        await page.focus('[name=reset]');
        await page.keyboard.down('Control');
        await page.keyboard.press('z');
        await page.keyboard.up('Control');
        await page.waitForFunction(() => document.querySelector('[data-stage="query"] [data-row="2"][data-col="1"]').dataset.value === '0.8');
        assert.deepEqual(await shows(page, first), [], 'one undo undoes the whole drag');
      }));

    it('shows a big matrix’s canvas’s refused number whole, out of its card; goes Back while a number is typed there or in a cell, and uses nothing of what was typed in the case Back shows, nor says anything of it', () =>
      withPage(PAGE_URL, async (page) => {
        await setControl(page, 'embed_dim', '96'); /* W_in is 288 × 96: a canvas */
        await pageHash(page);
        const canvas = '.canvas-matrix[data-stage="in_proj_weight"] canvas';
        await page.focus(canvas);
        await page.keyboard.press('Enter');
        await page.keyboard.type('abc');
        await page.keyboard.press('Enter'); /* refused: the box stays open, its message tied to it */
        const message = await page.$eval('.canvas-input', (i) => {
          const m = i.getRootNode().getElementById(i.getAttribute('aria-describedby')), r = m.getBoundingClientRect();
          return { text: m.textContent, inCard: Boolean(m.closest('figure')), inView: r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight };
        });
        assert.deepEqual(message, { text: 'not a number: "abc" — still using 1.5', inCard: false, inView: true }, 'whole: not in the card, which clips it');
        await page.$eval('.canvas-input', (i) => i.select());
        await page.keyboard.type('9.5'); /* not yet used: a canvas's number is used at Enter or blur */
        await page.goBack();
        await page.waitForFunction(() => document.querySelector('[data-stage="query"] [data-row="0"][data-col="0"]')?.dataset.value === '0.2');
        await frames(page, 2);
        assert.deepEqual(await shows(page, Cases.lectureCase()), [], 'the lecture, without 9.5');
        assert.equal(await page.evaluate(() => window.attentionApp.session.canRedo), true, 'no edit made after Back');
        /* a text that is no number (no edit, so no entry), left in X's cell, Back to another shape: its message goes with the cell */
        await page.goForward();
        await page.waitForSelector(canvas);
        await typeInto(page, 'query', 0, 0, 'abc', { end: null });
        assert.match(await errorOf(page, 'query', 0, 0), /not a number/);
        await page.goBack();
        await page.waitForFunction(() => !document.querySelector('.canvas-matrix'));
        await frames(page, 2);
        assert.deepEqual(await page.$$eval('.cell-error', (all) => all.filter((e) => e.isConnected && !e.hidden && e.textContent).map((e) => e.textContent)), [], 'no message left');
        assert.deepEqual(await shows(page, Cases.lectureCase()), []);
      }));

    it('takes Back to an entry whose link reads otherwise than the page writes it as Back, not as a new link: Forward still redoes', () =>
      withPage(PAGE_URL, async (page) => {
        const first = lectureWith((c) => { c.query[0][0] = 0.75; });
        await typeInto(page, 'query', 0, 0, '0.75');
        /* the entry's link as another writer spelled it (as an older page, or
         * a write of several entries at once, can): the same state */
        await page.evaluate(async () => {
          await new Promise((r) => setTimeout(r, 400)); /* (the edit's own write first) */
          history.replaceState(history.state, '', `${location.hash.replace('&tokens=I,am,good', '')}&tokens=I,am,good`); /* (its keys in another order) */
        });
        await typeInto(page, 'in_proj_weight', 1, 1, '-2.5');
        await pageHash(page);
        await page.goBack();
        await page.waitForFunction(() => document.querySelector('[data-stage="in_proj_weight"] [data-row="1"][data-col="1"]').dataset.value === '2');
        assert.deepEqual(await shows(page, first), [], 'Back undoes the last edit');
        await frames(page, 2);
        assert.equal(await page.evaluate(() => window.attentionApp.session.canRedo), true, 'its hashchange made no new entry');
        await page.goForward();
        await page.waitForFunction(() => document.querySelector('[data-stage="in_proj_weight"] [data-row="1"][data-col="1"]').dataset.value === '-2.5');
        assert.equal(await page.$eval('.banner', (b) => b.hidden), true);
        /* two steps Back at once (two quick Ctrl+Z): the browser may fire
         * both popstates before either hashchange */
        await page.evaluate(() => { history.back(); history.back(); });
        await page.waitForFunction(() => document.querySelector('[data-stage="query"] [data-row="0"][data-col="0"]').dataset.value === '0.2');
        await frames(page, 2);
        assert.equal(await page.evaluate(() => window.attentionApp.session.canRedo), true, 'neither hashchange made a new entry');
        assert.deepEqual(await shows(page, Cases.lectureCase()), []);
      }));

    it('keeps a causal mask causal when tokens are added or removed', () =>
      withPage(PAGE_URL, async (page) => {
        await setControl(page, 'attn_mask', 'causal');
        await page.click('.add-token');
        const tokens = await page.$$eval('[data-stage="query"] input.token', (inputs) => inputs.map((i) => i.value));
        assert.equal(tokens.length, 4);
        const query = (await readStages(page)).query;
        const c = { ...Cases.lectureCase(), tokens, query: [0, 1, 2, 3].map((i) => [query.data[2 * i], query.data[2 * i + 1]]), attn_mask: Cases.causalMask(4) };
        assert.deepEqual(await shows(page, c), [], 'four tokens, still causal');
        assert.equal(await page.$eval('[name=attn_mask]', (s) => s.value), 'causal');
        await page.click('[aria-label="remove token am"]');
        const three = { ...c, tokens: [tokens[0], tokens[2], tokens[3]], query: [c.query[0], c.query[2], c.query[3]], attn_mask: Cases.causalMask(3) };
        assert.deepEqual(await shows(page, three), [], 'three again, still causal');
      }));

    it('keeps the last good state when a control asks for one the core cannot configure, and goes on from it', () =>
      withPage(PAGE_URL, async (page) => {
        await typeInto(page, 'query', 0, 1, '0.125');
        const good = lectureWith((c) => { c.query[0][1] = 0.125; });
        await setControl(page, 'num_heads', '3');
        assert.match(await page.$eval('[data-control="num_heads"] .control-error', (e) => e.textContent), /embed_dim 2 is not divisible by num_heads 3/);
        assert.equal(await page.$eval('[name=num_heads]', (i) => i.value), '1', 'the control shows the value in use');
        assert.deepEqual(await shows(page, good), []);
        await typeInto(page, 'query', 2, 0, '-1.5');
        good.query[2][0] = -1.5;
        assert.deepEqual(await shows(page, good), [], 'the next edit computes on the last good state');
        assert.equal(await page.$eval('[data-control="num_heads"] .control-error', (e) => e.textContent), '', 'and the message goes');
      }));

    it('keeps every panel in view on a phone: the export panel, the explanation (above when there is no room below, a bottom sheet when pinned), cell errors', () =>
      withPage(PAGE_URL, async (page) => {
        assert.equal(await page.$eval('.walk', (w) => w.hidden), false, 'a phone opens on the lesson');
        await page.keyboard.press('Escape');
        await page.click('.controls-settings'); /* the toolbar folds away on a phone */
        await page.click('.share-toggle');
        assert.equal(await inViewport(page, '.share-panel'), true, 'the export panel');
        await page.keyboard.press('Escape');
        assert.equal(await page.$eval('.share-panel', (p) => p.hidden), true, 'Escape closes it');
        await page.click('.share-toggle');
        await page.click('.page-header h1');
        assert.equal(await page.$eval('.share-panel', (p) => p.hidden), true, 'a click outside closes it');
        /* a cell at the bottom of the screen explains itself above */
        const target = cell('context', 2, 1);
        await page.mouse.move(1, 1); /* (not over a cell once scrolled: a hovered cell is explained, as it should be) */
        await page.$eval(target, (td) => window.scrollBy(0, td.getBoundingClientRect().bottom - innerHeight + 4));
        await page.$eval(target, (td) => td.focus({ preventScroll: true }));
        await frames(page, 2); /* (placed once laid out) */
        assert.equal(await page.$eval('.explain', (e) => e.dataset.side), 'above');
        assert.equal(await inViewport(page, '.explain'), true);
        /* it follows its cell */
        await page.evaluate(() => window.scrollBy(0, -120));
        await frames(page, 2);
        const [box, cellBox] = await page.$eval(target, (td) => [document.querySelector('.explain').getBoundingClientRect().bottom, td.getBoundingClientRect().top]);
        assert.ok(Math.abs(cellBox - box) <= 12, `the box stays by its cell: ${box} vs ${cellBox}`);
        await page.keyboard.press('Escape');
        assert.equal(await page.$eval('.explain', (e) => e.hidden), true, 'Escape closes the explanation');
        /* a tap pins it, at the bottom of the screen */
        await page.click(target);
        assert.equal(await page.$eval('.explain', (e) => e.classList.contains('is-pinned') && e.classList.contains('is-sheet')), true);
        assert.equal(await inViewport(page, '.explain'), true);
        await page.click('.page-header h1');
        assert.equal(await page.$eval('.explain', (e) => e.hidden), true, 'a click elsewhere closes it');
        /* a cell's error message at the right edge stays on the screen */
        await typeInto(page, 'in_proj_bias', 0, 5, 'not a number at all', { end: null });
        const id = await page.$eval(`${cell('in_proj_bias', 0, 5)} input`, (i) => i.getAttribute('aria-describedby'));
        assert.match(await errorOf(page, 'in_proj_bias', 0, 5), /not a number/);
        assert.equal(await inViewport(page, `#${id}`), true, 'the message is on the screen');
      }, { width: 390, height: 844 }));

    it('reads a number in a wide heatmap from the keyboard, and the toolbar never hides the focused cell', () =>
      withPage(PAGE_URL + '#example=paragraph', async (page) => {
        await page.focus(cell('in_proj_weight', 0, 0));
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('ArrowDown');
        const readout = await page.$eval('[data-readout]', (r) => ({ hidden: r.hidden, ...r.dataset, text: r.textContent }));
        assert.equal(readout.hidden, false, 'the readout shows');
        assert.deepEqual([readout.stage, readout.row, readout.col], ['in_proj_weight', '1', '1']);
        assert.equal(readout.value, await valueOf(page, 'in_proj_weight', 1, 1));
        assert.ok(plain(readout.text).includes(`= ${Format.fullText(Number(readout.value))}`), readout.text);
        /* a cell of a computed heatmap too */
        await page.focus(cell('q', 3, 7));
        assert.equal(await page.$eval('[data-readout]', (r) => r.dataset.value), await valueOf(page, 'q', 3, 7));
        /* the sticky toolbar: put a cell just under it, then move focus to it */
        await page.$eval(cell('in_proj_weight', 40, 3), (td) => window.scrollBy(0, td.getBoundingClientRect().top - document.querySelector('.controls').getBoundingClientRect().bottom + 2));
        await page.focus(cell('in_proj_weight', 41, 3));
        await page.keyboard.press('ArrowUp');
        await frames(page, 2);
        const [top, toolbar] = await page.$eval(cell('in_proj_weight', 40, 3), (td) => [td.getBoundingClientRect().top, document.querySelector('.controls').getBoundingClientRect().bottom]);
        assert.ok(top >= toolbar, `the focused cell (top ${top}) is below the toolbar (bottom ${toolbar})`);
      }));

    it('has a skip link to the matrices', () =>
      withPage(PAGE_URL, async (page) => {
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the matrices');
        assert.equal(await inViewport(page, '.skip-link'), true, 'it shows when focused');
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate(() => document.activeElement.closest('[data-stage]')?.dataset.stage), 'query');
      }));

    it('keeps names of any script in order: right-to-left tokens are isolated, long ones shortened with the whole name at hand', () =>
      withPage(PAGE_URL + Link.encode({ case: { ...Cases.lectureCase(), tokens: ['אני', 'שמח', 'a-very-long-token-name-indeed'] } }, { whole: true }), async (page) => {
        const summary = await page.$eval('[data-card="weights"] .summary', (p) => p.textContent);
        for (const token of ['אני', 'שמח']) assert.ok(summary.includes(`\u2068${token}\u2069`), `${token} is isolated in the summary`);
        assert.match(plain(summary), /The key each token attends to most: אני → \S+ \(\d\.\d\d\), שמח → /);
        const header = await page.$eval('[data-stage="weights"] thead tr:last-child th:last-child bdi', (b) => ({ dir: b.dir, text: b.textContent, title: b.title }));
        assert.deepEqual(header, { dir: 'auto', text: 'a-very-long…', title: 'a-very-long-token-name-indeed' });
        assert.equal(await page.$eval('[data-stage="query"] input.token', (i) => i.dir), 'auto');
      }));

    it('passes axe-core with no critical or serious violation: light, dark, walking through, a big example, panels open, on a phone', async () => {
      for (const [label, url, setup, options] of [
        ['light', PAGE_URL, null, {}], ['dark', PAGE_URL + '#theme=dark', null, {}],
        ['walking through', PAGE_URL + '#step=6', null, {}], ['walking through, dark', PAGE_URL + '#step=6&theme=dark', null, {}],
        ['the largest example', PAGE_URL + '#example=paragraph', null, {}],
        ['panels and messages open', PAGE_URL, async (page) => {
          await page.click('.share-toggle');
          await page.click(cell('weights', 0, 1));
          await typeInto(page, 'query', 0, 0, 'abc', { end: null });
          await setControl(page, 'num_heads', '3');
        }, {}],
        ['a phone, dark', PAGE_URL + '#theme=dark', null, { width: 390, height: 844 }],
      ].filter(([label]) => name === 'chromium' || ['light', 'a phone, dark'].includes(label))) /* (axe reads the DOM, much the same in both: Firefox checks two, as axe on a page takes it 3-6 s) */
        await withPage(url, async (page) => {
          if (setup) await setup(page);
          await page.addScriptTag({ path: AXE });
          const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'], preload: false })).violations
            .filter((v) => v.impact === 'critical' || v.impact === 'serious')
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].target.join(' ')}`));
          assert.deepEqual(violations, [], label);
        }, options);
    });
  });
}
