// modelfile-page.test.mjs: model files on the page (index.html from file://), in
// Chromium and Firefox: a .safetensors file opened through the Export / import
// panel's file input, num_heads asked for (and which module, of a whole
// model's file); an .npz dropped onto the view (a
// synthetic drop); what the page shows compared with the core's forward() of
// the case the file holds. A damaged file, a file too big for the page and a
// wrong answer keep the state, with every problem listed key by key.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAttention } from '../web/attention.mjs';
import { ROOT, loadFixtures, compareStages } from './helpers.mjs';
import { BROWSERS, PAGE_URL, launch, visit, readStages, pageHash } from './browser.mjs';
import { safetensors, npz, caseTensors, asNumpy } from './tensorfiles.mjs';
import { createRequire } from 'node:module';

const { readModelFile } = createRequire(import.meta.url)('../web/page/model/modelfile.js');

const attention = await createAttention();
const fixtures = loadFixtures();
const byName = Object.fromEntries(fixtures.map((f) => [f.name, f]));
const dir = mkdtempSync(join(tmpdir(), 'attention-modelfile-page-'));
const save = (name, bytes) => { const path = join(dir, name); writeFileSync(path, bytes); return path; };

/* two heads, saved as a model's layer 3, with tokens but without num_heads */
const twoHeads = byName.two_heads.case;
const layerFile = save('layer.safetensors', safetensors(caseTensors(twoHeads, 'encoder.layers.3.self_attn.'), { tokens: JSON.stringify(twoHeads.tokens) }));
/* bias_k, bias_v, a zero row and both masks (bool), deflated, options as entries */
const masked = byName.bias_kv_and_zero_attn.case;
const maskedNpz = npz({
  ...asNumpy(caseTensors(masked)),
  num_heads: { descr: '<i8', shape: [], data: BigInt64Array.of(BigInt(masked.num_heads)) },
  add_zero_attn: { descr: '|b1', shape: [], data: Uint8Array.of(1) },
}, { compressed: true });
/* a whole model: two attention modules (the second's in_proj_weight negated), neither with num_heads */
const twoHeadsOther = { ...twoHeads, in_proj_weight: twoHeads.in_proj_weight.map((row) => row.map((x) => -x)) };
const weightsOf = (c, prefix) => Object.fromEntries(Object.entries(caseTensors(c)).filter(([k]) => !['query', 'key', 'value', 'attn_mask', 'key_padding_mask'].includes(k)).map(([k, v]) => [prefix + k, v]));
const modelFile = save('model.safetensors', safetensors({ ...weightsOf(twoHeads, 'layers.0.self_attn.'), ...weightsOf(twoHeadsOther, 'layers.1.self_attn.'), query: caseTensors(twoHeads).query }, { tokens: JSON.stringify(twoHeads.tokens) }));
/* a BERT checkpoint, two layers of two heads (E = 4), without any input: the page asks for rows of random numbers */
const bertLayer = (c, prefix) => {
  const t = caseTensors(c), E = c.in_proj_weight[0].length;
  const band = (tensor, b) => ({ dtype: 'F32', shape: [E, ...tensor.shape.slice(1)], data: tensor.data.slice(b * tensor.data.length / 3, (b + 1) * tensor.data.length / 3) });
  return Object.fromEntries(['query', 'key', 'value'].flatMap((part, b) => [[`${prefix}self.${part}.weight`, band(t.in_proj_weight, b)], [`${prefix}self.${part}.bias`, band(t.in_proj_bias, b)]])
    .concat([[`${prefix}output.dense.weight`, t['out_proj.weight']], [`${prefix}output.dense.bias`, t['out_proj.bias']]]));
};
const checkpointBytes = safetensors({ ...bertLayer(twoHeads, 'bert.encoder.layer.0.attention.'), ...bertLayer(twoHeadsOther, 'bert.encoder.layer.1.attention.') });
const checkpoint = save('checkpoint.safetensors', checkpointBytes);
const damaged = save('damaged.safetensors', safetensors(caseTensors(twoHeads), { num_heads: '2' }).slice(0, -4));
/* past the page's limits: 513 tokens (E = 4, two heads); a BERT-size layer loads (bigviews.test.mjs) */
function tooManyTokens() {
  const L = 513, E = 4;
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.1;
  const tensor = (shape) => ({ dtype: 'F32', shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, random) });
  return safetensors({
    'encoder.layer.3.attention.in_proj_weight': tensor([3 * E, E]), 'encoder.layer.3.attention.in_proj_bias': tensor([3 * E]),
    'encoder.layer.3.attention.out_proj.weight': tensor([E, E]), 'encoder.layer.3.attention.out_proj.bias': tensor([E]), query: tensor([L, E]),
  }, { num_heads: '2' });
}
const tooBigFile = save('too-many-tokens.safetensors', tooManyTokens());

const status = (page) => page.$eval('.share-status', (p) => p.textContent);
const errorsShown = (page) => page.$$eval('.share-errors li', (items) => items.map((li) => li.textContent));
/* waits for the panel to say a file was read: opened, refused, or a question */
const settled = (page) => page.waitForFunction(() => /^(Opened|Nothing imported|.* does not say|.* attention modules: choose)/.test(document.querySelector('.share-status').textContent), { timeout: 30000 });
const chooseFile = async (page, path) => {
  await page.evaluate(() => document.querySelector('.share-status').replaceChildren());
  await (await page.$('.share-panel input[type=file][name=model-file]')).uploadFile(path);
  await settled(page);
};
/* a drop of a file onto the view, as a browser fires it: dragover (which the view must accept), then drop */
const dropFile = async (page, name, bytes) => {
  const accepted = await page.evaluate(async (fileName, base64) => {
    document.querySelector('.share-status')?.replaceChildren();
    const data = new DataTransfer();
    data.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], fileName));
    const view = document.querySelector('.attn-view');
    const over = new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true });
    view.querySelector('[data-stage="weights"]').dispatchEvent(over);
    view.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    return over.defaultPrevented;
  }, name, Buffer.from(bytes).toString('base64'));
  await settled(page);
  return accepted;
};

for (const name of BROWSERS) {
  describe(`model files in ${name}`, { concurrency: false }, () => {
    let browser;
    before(async () => { browser = await launch(name); });
    after(async () => { await browser?.close(); });
    const withPage = async (body) => assert.deepEqual(await visit(browser, PAGE_URL, body), [], 'no console error, page error or dialog');

    it('opens a .safetensors file from the file input: asks for num_heads, refuses a wrong one, then shows the file\'s stages', () =>
      withPage(async (page) => {
        const lecture = await readStages(page);
        await page.click('.share-toggle');
        await chooseFile(page, layerFile);
        assert.equal(await status(page), 'layer.safetensors does not say num_heads: give it to open the file.');
        assert.match(await page.$eval('.share-ask', (f) => f.textContent), /num_heads.*divides embed_dim 4/);
        assert.equal(await page.evaluate(() => document.activeElement.name), 'num_heads', 'the question has focus');
        await page.type('.share-ask input[name=num_heads]', '3');
        await page.click('.share-ask button[type=submit]');
        await settled(page);
        assert.deepEqual(await errorsShown(page), ['num_heads: embed_dim 4 is not divisible by num_heads 3']);
        assert.equal(await page.$eval('.share-ask', (f) => f.hidden), false, 'asked again');
        assert.deepEqual(await readStages(page), lecture, 'the state stays as it was');
        await page.$eval('.share-ask input[name=num_heads]', (input) => { input.value = ''; });
        await page.type('.share-ask input[name=num_heads]', '2');
        await page.click('.share-ask button[type=submit]');
        await settled(page);
        assert.match(await status(page), /^Opened layer\.safetensors: the weights of encoder\.layers\.3\.self_attn; add_zero_attn false \(PyTorch's default; the file does not say\)\.$/);
        assert.deepEqual(await errorsShown(page), []);
        assert.equal(await page.$eval('.share-ask', (f) => f.hidden), true);
        assert.deepEqual(compareStages(await readStages(page), attention.forward(twoHeads)), [], 'the page shows the core\'s stages of the file\'s case');
        assert.deepEqual(await page.$$eval('[data-stage="query"] input.token', (inputs) => inputs.map((i) => i.value)), twoHeads.tokens);
      }));

    it('opens one attention module of a whole model\'s file: which one is asked for, from the file\'s list, with num_heads', () =>
      withPage(async (page) => {
        await page.click('.share-toggle');
        await chooseFile(page, modelFile);
        assert.equal(await status(page), 'model.safetensors holds 2 attention modules: choose one, and give num_heads, to open it.');
        assert.deepEqual(await page.$$eval('.share-ask select[name=module] option', (options) => options.map((o) => o.value)), ['layers.0.self_attn', 'layers.1.self_attn']);
        assert.match(await page.$eval('.share-ask', (f) => f.textContent), /module.*of the file's 2 attention modules.*num_heads.*divides embed_dim 4/);
        assert.equal(await page.evaluate(() => document.activeElement.name), 'module', 'the first question has focus');
        await page.select('.share-ask select[name=module]', 'layers.1.self_attn');
        await page.type('.share-ask input[name=num_heads]', '2');
        await page.click('.share-ask button[type=submit]');
        await settled(page);
        assert.match(await status(page), /^Opened model\.safetensors: the weights of layers\.1\.self_attn; the file's other attention modules left out: layers\.0\.self_attn; /);
        assert.equal(await page.$eval('.share-ask', (f) => f.hidden), true);
        assert.deepEqual(compareStages(await readStages(page), attention.forward(twoHeadsOther)), [], 'the page shows the core\'s stages of the module chosen');
      }));

    it('opens a checkpoint without any input: its module, num_heads and how many rows of random numbers are asked for; the page shows the core\'s stages of them', () =>
      withPage(async (page) => {
        await page.click('.share-toggle');
        await chooseFile(page, checkpoint);
        assert.equal(await status(page), 'checkpoint.safetensors holds 2 attention modules: choose one, and give num_heads and query rows (L), to open it.');
        assert.match(await page.$eval('.share-ask', (f) => f.textContent), /num_heads.*divides embed_dim 4.*query rows \(L\).*tokens, each a row of 4 random numbers/);
        await page.select('.share-ask select[name=module]', 'bert.encoder.layer.1.attention');
        await page.type('.share-ask input[name=num_heads]', '2');
        /* an answer that is no count of rows, or more than the page shows: refused beside its field, which keeps the focus */
        const rows = '.share-ask input[name=query_rows]';
        for (const [typed, message] of [['abc', 'query_rows: expected a positive whole number, got "abc"'], ['600', 'query_rows: the page shows at most 512 tokens, not 600; the CLI takes any size (--random-query)']]) {
          await page.$eval(rows, (input) => { input.value = ''; });
          await page.type(rows, typed);
          await page.keyboard.press('Enter');
          const field = await page.$eval(rows, (input) => ({ invalid: input.getAttribute('aria-invalid'), message: document.getElementById(input.getAttribute('aria-describedby'))?.textContent, beside: input.parentElement.contains(document.getElementById(input.getAttribute('aria-describedby'))), focused: document.activeElement === input }));
          assert.deepEqual(field, { invalid: 'true', message, beside: true, focused: true }, typed);
        }
        /* the CLI's flag as code, on one line, even in a narrow form */
        await page.$eval('.share-panel', (panel) => { panel.style.width = '14rem'; });
        assert.deepEqual(await page.$eval('.share-ask .control-error:not(:empty)', (m) => [...m.querySelectorAll('code')].map((c) => [c.textContent, c.getClientRects().length])), [['--random-query', 1]]);
        await page.$eval('.share-panel', (panel) => { panel.style.width = ''; });
        assert.equal(await page.$eval('.share-ask input[name=num_heads]', (input) => input.getAttribute('aria-invalid')), null, 'num_heads was good');
        await page.$eval(rows, (input) => { input.value = ''; });
        await page.type(rows, '6');
        await page.click('.share-ask button[type=submit]');
        await settled(page);
        assert.match(await status(page), /query: 6 rows of 4 random numbers \(normal: mean 0, sd 1, seed 0\), as asked \(the file has no input\)/);
        const expected = await readModelFile(checkpointBytes, 'checkpoint.safetensors', { options: { module: 'bert.encoder.layer.1.attention', num_heads: 2, query_rows: 6 } });
        assert.deepEqual(compareStages(await readStages(page), attention.forward(expected.case)), [], 'the core\'s stages of the layer on those rows');
        assert.equal((await readStages(page)).q.shape[0], 6);
        /* the answered form is gone, but not the focus: it is back on the file chooser, and Escape closes the panel */
        assert.equal(await page.evaluate(() => document.activeElement.name), 'model-file');
        await page.keyboard.press('Escape');
        assert.equal(await page.$eval('.share-panel', (p) => p.hidden), true);
        assert.equal(await page.evaluate(() => document.activeElement.className), 'share-toggle');
      }));

    it('opens an .npz dropped onto the view, deflated, with its options inside', () =>
      withPage(async (page) => {
        assert.equal(await dropFile(page, 'masked.npz', maskedNpz), true, 'the view accepts a dragged file');
        assert.match(await status(page), /^Opened masked\.npz: tokens t0 … t3 \(the file has none\)\.$/);
        assert.deepEqual(compareStages(await readStages(page), attention.forward(masked)), []);
        assert.equal(await page.$eval('.share-panel', (p) => p.hidden), false, 'the panel shows what happened');
        /* a .json file dropped is read as a paste */
        await dropFile(page, 'two.json', new TextEncoder().encode(JSON.stringify({ ...twoHeads, tokens: ['a', 'b', 'c'] })));
        assert.match(await status(page), /^Opened two\.json/);
        assert.deepEqual(compareStages(await readStages(page), attention.forward(twoHeads)), []);
      }));

    it('a damaged file and a file too big for the page keep the state, their problems listed key by key', () =>
      withPage(async (page) => {
        const before = await readStages(page), hash = await pageHash(page);
        await page.click('.share-toggle');
        await chooseFile(page, damaged);
        assert.equal(await status(page), 'Nothing imported: 1 problem.');
        assert.equal(await page.$eval('.share-status', (p) => p.nextElementSibling.className), 'share-errors', 'said just above its problems, below the import');
        assert.equal(await page.$eval('.share-export-status', (p) => p.textContent), '', 'not where the exports say what they did');
        await page.addScriptTag({ path: join(ROOT, 'node_modules', 'axe-core', 'axe.min.js') });
        const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'], preload: false })).violations
          .filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id}: ${v.nodes[0].target.join(' ')}`));
        assert.deepEqual(violations, [], 'axe-core, the problems listed (a list of them, not an alert whose items are no list\'s)');
        const [problem, ...more] = await errorsShown(page);
        assert.match(problem, /^query: data_offsets \[\d+,\d+\] go past the end of the data \(\d+ bytes\): the file is truncated$/);
        assert.deepEqual(more, []);
        assert.deepEqual(await readStages(page), before, 'the state stays as it was');
        await chooseFile(page, tooBigFile);
        assert.deepEqual(await errorsShown(page), ['query: the page shows at most 512 tokens, this has 513; the CLI takes any size']);
        assert.deepEqual(await readStages(page), before, 'the state stays as it was');
        assert.equal(await pageHash(page), hash);
        /* a dropped file that is no model file */
        assert.equal(await dropFile(page, 'notes.txt', new Uint8Array([104, 105])), true);
        assert.deepEqual(await errorsShown(page), ['notes.txt: expected a .safetensors or .npz file']);
        assert.deepEqual(await readStages(page), before);
      }));
  });
}
