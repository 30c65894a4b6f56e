// walk.mjs: `make walk`: the page walked at random, as a user would, in
// Debian's Chromium and Firefox. Each step is one action (a number typed and
// ended by Enter, Tab or Escape, or left open for the next action; a number
// typed on a big matrix's canvas; undo, redo, both, Back then Forward; an
// example, an option, E or H, a token added or removed, a sentence, the
// walk-through, the plane's keys, training steps (a cell marked, a rate
// typed), "What moves this?", a card's detail, the theme, the layout, a link). After each, every matrix on
// the page must equal the core's forward() of the session's case, bit for
// bit (the page runs the build this Node runs), and the page must have
// logged no error; an example chosen or linked must be shown as it is, Undo
// then Redo and Back then Forward must give back the case shown before, and
// no cell's message may be shown for no field. The first step that breaks
// any of these stops the walk: it prints the steps that led there and exits
// 1. The same seed gives the same actions.
//
//   node tests/fuzz/walk.mjs [steps] [seed]    (WALK_STEPS, WALK_SEED in make)
import { launch, openPage, frames, readStages, cell, setControl, setHash, pageHash, PAGE_URL } from '../browser.mjs';
import { createAttention } from '../../web/attention.mjs';
import { compareStages } from '../helpers.mjs';
import Cases from '../../web/page/model/cases.js';

const STEPS = Number(process.argv[2] || 150), SEED = Number(process.argv[3] || 1);
/* [browser, width, height, link]: a laptop, a phone, the steps layout, a projector */
const WALKS = [['chromium', 1366, 900, ''], ['firefox', 1366, 900, ''], ['chromium', 390, 844, ''], ['firefox', 1366, 900, '#layout=steps'], ['chromium', 1920, 1080, '#present=1']];
const TEXTS = ['1.234', '-0.0005', '1e40', '0.5.', '3', '-2.75', '1e-7', 'abc', ''];
const SENTENCES = ['the cat sat', 'a dog ran under the rug', 'she said it', 'the the the the', 'kate saw john and he thanked her'];
const LINKS = ['#example=lecture', '#example=sentence&layout=steps', '#step=3', '#example=two_heads', '#theme=dark'];
const EXAMPLES = Object.keys(Cases.EXAMPLES).filter((name) => name !== 'paragraph'); /* (the largest: 1 s a switch, for nothing new) */

const attention = await createAttention();

/* The same actions for the same seed. */
function randomFrom(seed) {
  const next = Cases.seededRandom(seed);
  return { next, pick: (list) => list[Math.floor(next() * list.length)] };
}

const visible = async (page, selector) => { const e = await page.$(selector); return e && (await e.isVisible()) ? e : null; };

const shownCase = (page) => page.evaluate(() => JSON.stringify(window.attentionApp.session.getState().case));
/* how a typed number ends: null leaves it open for the next action */
const ENDS = ['Enter', 'Tab', 'Escape', null];
/* Types text and ends it; a refused text stays open until Escape. */
async function typeText(page, text, end) {
  await page.keyboard.type(text);
  if (!end) return;
  await page.keyboard.press(end);
  if (end !== 'Escape') await page.keyboard.press('Escape');
}

/* Each action: (page, random, broken) -> what it did, for the log; null when
 * it cannot be done here. broken(message): an invariant of the action failed. */
const ACTIONS = {
  async type(page, r) {
    const inputs = await page.evaluate(() => Object.keys(window.attentionApp.session.inputShapes).filter((k) => !/mask/.test(k)));
    const key = r.pick(inputs);
    const cells = await page.$$eval(`[data-stage="${key}"] td[data-row] input`, (all) => all.map((i) => { const td = i.closest('td'); return [td.dataset.head ?? null, td.dataset.row, td.dataset.col]; }));
    if (!cells.length) return null;
    const [head, row, col] = r.pick(cells), text = r.pick(TEXTS), end = r.pick(ENDS), selector = cell(key, row, col, head ?? undefined);
    await page.$eval(selector, (td) => td.scrollIntoView({ block: 'center' }));
    await page.click(selector);
    await page.$eval(`${selector} input`, (i) => i.select()).catch(() => {}); /* (a click on a heatmap's cell may not open it) */
    await page.keyboard.press('Backspace');
    await typeText(page, text, end);
    return `${key}[${head ?? '-'},${row},${col}] '${text}' ${end ?? 'left open'}`;
  },
  async typeOnCanvas(page, r) {
    const canvases = await page.$$('.canvas-matrix[data-stage] canvas');
    const inputs = await page.evaluate(() => Object.keys(window.attentionApp.session.inputShapes));
    const editable = [];
    for (const c of canvases) if (inputs.includes(await c.evaluate((e) => e.parentElement.dataset.stage))) editable.push(c);
    if (!editable.length) return null;
    const canvas = r.pick(editable), keys = Array.from({ length: Math.floor(r.next() * 4) }, () => r.pick(['ArrowRight', 'ArrowDown']));
    await canvas.focus();
    for (const key of keys) await page.keyboard.press(key);
    await page.keyboard.press('Enter');
    const text = r.pick(TEXTS), end = r.pick(ENDS);
    await typeText(page, text, end);
    return `${await canvas.evaluate((e) => e.parentElement.dataset.stage)} ${keys.join(' ')} '${text}' ${end ?? 'left open'}`;
  },
  async undo(page) { await page.click('[name=undo]').catch(() => {}); return ''; },
  async redo(page) { await page.click('[name=redo]').catch(() => {}); return ''; },
  async undoRedo(page, r, broken) {
    if (!(await page.evaluate(() => window.attentionApp.session.canUndo))) return null;
    const before = await shownCase(page);
    await page.click('[name=undo]'); /* (Back: its popstate comes later, and Redo waits for nothing) */
    await frames(page, 2);
    await page.click('[name=redo]');
    await frames(page, 2);
    if ((await shownCase(page)) !== before) broken('Undo then Redo did not give back the case shown before');
    return '';
  },
  async backForward(page, r, broken) {
    if (!(await page.evaluate(() => window.attentionApp.session.canUndo))) return null;
    await pageHash(page); /* (the last edit's entry) */
    const before = await shownCase(page);
    await page.goBack();
    if (!page.url().startsWith(PAGE_URL)) { /* (Back past the page's first entry) */
      await page.goForward();
      await page.waitForSelector('html[data-ready]');
      return 'left the page and came back';
    }
    await frames(page, 2);
    await page.goForward();
    await frames(page, 2);
    if ((await shownCase(page)) !== before) broken('Back then Forward did not give back the case shown before');
    return '';
  },
  async example(page, r, broken) {
    const name = r.pick(EXAMPLES);
    await setControl(page, 'example', name);
    if ((await shownCase(page)) !== JSON.stringify(Cases.exampleCase(name))) broken(`the case shown is not the example ${name}`);
    return name;
  },
  async option(page, r) {
    const name = r.pick(['bias', 'add_bias_kv', 'add_zero_attn', 'average_attn_weights']);
    await page.$eval(`[name=${name}]`, (box) => box.click());
    return name;
  },
  async size(page, r) { const [name, value] = r.pick([['embed_dim', '2'], ['embed_dim', '4'], ['embed_dim', '6'], ['embed_dim', '96'], ['num_heads', '1'], ['num_heads', '2']]); await setControl(page, name, value); return `${name}=${value}`; },
  async token(page, r) {
    if (r.next() < 0.5) { await page.$eval('.add-token', (b) => b.click()); return 'added'; }
    return (await page.$$eval('.remove-token', (all) => { all[0]?.click(); return all.length; })) ? 'removed' : null;
  },
  async sentence(page, r) {
    const field = await visible(page, '.sentence-input');
    if (!field) return null;
    const text = r.pick(SENTENCES);
    await field.click();
    await field.evaluate((i) => i.select());
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    return `'${text}'`;
  },
  async walkThrough(page, r) {
    if (!(await visible(page, '[name=walk]'))) return null;
    await page.click('[name=walk]');
    const steps = Math.floor(r.next() * 4);
    for (let k = 0; k < steps; k++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Escape');
    return `${steps} steps`;
  },
  async plane(page, r) {
    if (!(await page.$('.plane circle'))) return null;
    await page.$eval('.plane circle', (tip) => tip.focus());
    const keys = Array.from({ length: 1 + Math.floor(r.next() * 5) }, () => r.pick(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown']));
    for (const key of keys) await page.keyboard.press(key);
    return keys.join(' ');
  },
  /* a weights cell marked (or unmarked), a rate typed (some refused, some that
   * diverge), an optimiser chosen, then a few steps */
  async train(page, r) {
    if (!(await visible(page, '.train-step'))) return null;
    const done = [];
    if (r.next() < 0.5 && await page.$eval('[data-card="train"] select', (s) => s.value === 'weights')) {
      const cells = await page.$$('[data-stage="weights"] td[data-row]');
      if (cells.length) {
        const cell = r.pick(cells);
        await page.$eval('.train-mark', (b) => b.click());
        await cell.evaluate((e) => e.scrollIntoView({ block: 'center' }));
        await cell.click();
        await page.$eval('.train-mark', (b) => b.click());
        done.push(`marked ${await cell.evaluate((td) => `${td.dataset.head ?? 0},${td.dataset.row},${td.dataset.col}`)}`);
      }
    }
    if (r.next() < 0.3) {
      const rate = r.pick(['0.01', '0.5', '10', 'abc', '1e40', '0']);
      const field = await page.$('[data-card="train"] .train-lr');
      await field.evaluate((e) => e.scrollIntoView({ block: 'center' }));
      await field.click();
      await field.evaluate((i) => i.select());
      await page.keyboard.type(rate);
      await page.keyboard.press('Tab');
      done.push(`lr ${rate}`);
    }
    if (r.next() < 0.2) {
      const optimizer = r.pick(['adam', 'sgd']);
      await page.select('[data-card="train"] select[id$="-train-optimizer"]', optimizer);
      done.push(optimizer);
    }
    const steps = 1 + Math.floor(r.next() * 3);
    for (let k = 0; k < steps; k++) await page.$eval('.train-step', (b) => b.click());
    return [...done, `${steps} steps`].join(', ');
  },
  async grad(page, r) {
    const outputs = await page.$$('[data-stage="output"] td[data-row]');
    if (!outputs.length) return null;
    const td = r.pick(outputs);
    await td.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await td.click();
    await page.$eval('.explain-grad', (b) => { if (!b.hidden) b.click(); }).catch(() => {});
    if (r.next() < 0.5) await page.keyboard.press('Escape');
    return '';
  },
  async detail(page, r) {
    const opens = await page.$$('.card-open');
    if (!opens.length) return null;
    await r.pick(opens).evaluate((b) => b.click());
    await frames(page, 1);
    await page.keyboard.press('Escape');
    return '';
  },
  async theme(page, r) { const theme = r.pick(['light', 'dark', 'auto']); await setControl(page, 'theme', theme); return theme; },
  async layout(page, r) { const layout = r.pick(['pass', 'steps']); await setControl(page, 'layout', layout); return layout; },
  async link(page, r, broken) {
    const hash = r.pick(LINKS), name = /example=(\w+)/.exec(hash)?.[1];
    await pageHash(page); /* (else the same link as the one not yet replaced changes nothing) */
    await setHash(page, hash);
    if (name && (await shownCase(page)) !== JSON.stringify(Cases.exampleCase(name))) broken(`the case shown is not the example ${name}`);
    return hash;
  },
};
/* typing is most of what users do: it is drawn most often (on a canvas, only when there is one) */
const DRAWN = ['type', 'type', 'type', 'type', 'typeOnCanvas', 'typeOnCanvas', ...Object.keys(ACTIONS)];

/* One walk: { done: its actions, failure: the steps that led to it, or null }. */
async function walk([name, width, height, link], seed) {
  const random = randomFrom(seed), log = [];
  const browser = await launch(name);
  try {
    const { page, problems } = await openPage(browser, `${PAGE_URL}?build=${attention.build}${link}`, { width, height });
    for (let step = 0; step < STEPS; step++) {
      const action = random.pick(DRAWN);
      let did, broke = null;
      try {
        did = await ACTIONS[action](page, random, (message) => { broke = message; });
      } catch (e) {
        did = `(could not: ${e.message.split('\n')[0]})`;
      }
      if (did === null) continue;
      await frames(page, 2);
      const shown = await readStages(page);
      for (const stage of Object.values(shown)) stage.data = stage.data.map(Math.fround); /* (data-value: float32's shortest text) */
      const differences = compareStages(shown, attention.forward(await page.evaluate(() => window.attentionApp.session.getState().case)), { rtol: 0, atol: 0 });
      const orphans = await page.evaluate(() => [...document.querySelectorAll('.cell-error')] /* a cell's message shown for no field */
        .filter((m) => !m.hidden && m.textContent && m.getClientRects().length && !document.querySelector(`[aria-describedby~="${m.id}"]`)).map((m) => m.textContent));
      if (orphans.length) broke ??= `a message for no field: ${orphans[0]}`;
      log.push(`${log.length + 1} ${action} ${did}`);
      if (differences.length || problems.length || broke)
        return { done: log.length, failure: [...log.slice(-15), ...(broke ? [`  ${broke}`] : []), ...differences.slice(0, 5).map((d) => `  differs: ${d}`), ...problems.map((p) => `  ${p}`)].join('\n') };
    }
    return { done: log.length, failure: null };
  } finally {
    await browser.close();
  }
}

let failed = false;
for (const [n, setup] of WALKS.entries()) {
  const seed = SEED * 100 + n, label = `${setup[0]} ${setup[1]}×${setup[2]}${setup[3] ? ` ${setup[3]}` : ''}, seed ${seed}`;
  const { done, failure } = await walk(setup, seed);
  console.log(failure ? `FAIL  ${label}, at action ${done}:\n${failure}` : `ok    ${label}: ${done} actions`);
  failed ||= Boolean(failure);
}
process.exit(failed ? 1 : 0);
