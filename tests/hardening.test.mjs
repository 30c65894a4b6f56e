// hardening.test.mjs: the page and the widget under attack: hostile token
// names, a strict Content-Security-Policy, random and broken links, limits,
// a long session, the scalar build forced; and the JS API's answer to every
// kind of bad case.
import { describe, it, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAttention, CaseError } from '../web/attention.mjs';
import Link from '../web/page/model/link.js';
import { serve, STRICT_CSP } from '../web/serve.mjs';
import { loadFixtures, compareStages, seededRandom } from './helpers.mjs';
import { BROWSERS, PAGE_URL, launch, openPage, visit, readStages, setHash, typeInto, valueOf } from './browser.mjs';

const fixtures = loadFixtures();
const lecture = fixtures.find((f) => f.name === 'lecture');
const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const attention = await createAttention();

/* ---- the JS API: one row per kind of bad case ---- */

const lectureCase = () => JSON.parse(JSON.stringify(lecture.case));
const BAD_CASES = [
  ['not an object', () => 'query', '', /a case must be a JSON object, got "query"/],
  ['an unknown key', () => ({ ...lectureCase(), hedas: 2 }), 'hedas', /unknown key "hedas"/],
  ['a missing weight', () => { const c = lectureCase(); delete c.in_proj_weight; return c; }, 'in_proj_weight', /missing in_proj_weight/],
  ['a wrong shape', () => ({ ...lectureCase(), 'out_proj.weight': [[1, 2, 3], [4, 5, 6]] }), 'out_proj.weight', /expected E×E = 2×2, got 2×3/],
  ['a string for a number', () => { const c = lectureCase(); c.query[0][1] = '0.1'; return c; }, 'query', /query\[0\]\[1\]: expected a number, got "0\.1"/],
  ['a negative size', () => ({ ...lectureCase(), num_heads: -1 }), 'num_heads', /num_heads: expected a positive integer, got -1/],
  ['a zero size', () => ({ ...lectureCase(), embed_dim: 0 }), 'embed_dim', /embed_dim: expected a positive integer, got 0/],
  ['E not divisible by heads', () => ({ ...lectureCase(), num_heads: 3, embed_dim: 2 }), 'num_heads', /embed_dim 2 is not divisible by num_heads 3/],
  ['a mask of the wrong type', () => ({ ...lectureCase(), key_padding_mask: { 0: true } }), 'key_padding_mask', /key_padding_mask: expected an array, got an object/],
  ['a mask of mixed types', () => ({ ...lectureCase(), key_padding_mask: [true, 0, false] }), 'key_padding_mask', /mixes booleans and numbers/],
];

test('the JS API throws a CaseError naming the key for every kind of bad case', async () => {
  for (const [what, make, key, message] of BAD_CASES)
    assert.throws(() => attention.forward(make()), (e) => e instanceof CaseError && e.key === key && message.test(e.message), what);
  const big = { num_heads: 1, query: Array.from({ length: 4097 }, () => [1]), in_proj_weight: [[1], [1], [1]], 'out_proj.weight': [[1]] };
  assert.throws(() => attention.forward(big), (e) => e.name === 'CoreError' && e.code === 2 && /tgt_len is 4097, past the limit of 4096/.test(e.message), 'sizes past the limit');
});

test('NaN and Infinity given on purpose are not errors: they propagate as in PyTorch', async () => {
  for (const name of ['nan_in_query', 'nan_in_cross_query']) {
    const f = fixtures.find((x) => x.name === name);
    assert.deepEqual(compareStages(attention.forward(f.case), f.stages), [], name);
  }
  const c = lectureCase();
  c.query[2][0] = 'Infinity';
  const stages = attention.forward(c);
  assert.ok(stages.output.data.some((x) => !Number.isFinite(x)));
});

/* ---- the page and the widget ---- */

for (const name of BROWSERS) {
  describe(`hardened page in ${name}`, { concurrency: false }, () => {
    let browser, server, reports, reportWait = 5000; /* reportWait: set by the CSP test from the control page's report */
    before(async () => {
      browser = await launch(name);
      reports = [];
      const policy = `${STRICT_CSP}; report-uri /csp-report`;
      server = await serve({
        headers: () => ({ 'content-security-policy': policy }),
        onReport: (body) => reports.push(body),
        pages: {
          /* a page that breaks the policy: proves that violations are reported here */
          '/csp-control.html': '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>control</title><link rel="icon" href="data:,"></head><body><script>window.ran = 1;</script><p style="color: red">x</p></body></html>',
          '/csp-widgets.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>widgets under CSP</title><link rel="icon" href="data:,"></head><body>
            <attention-viz id="a" controls="full"></attention-viz>
            <attention-viz id="b" tokens="${JSON.stringify([HOSTILE, 'b']).replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" stage="weights"></attention-viz>
            <script src="/dist/attention-viz.js"></script></body></html>`,
        },
      });
    });
    after(async () => {
      await browser?.close();
      server?.close();
    });
    const origin = () => `http://127.0.0.1:${server.address().port}`;

    const withPage = (url, body, options) => visit(browser, url, body, options); /* -> the problems seen */

    it('shows a hostile token as text, never as HTML', async () => {
      const c = { ...lectureCase(), tokens: [HOSTILE, 'am', '<b>good</b>'] };
      const problems = await withPage(PAGE_URL + Link.encode({ case: c }, { whole: true }), async (page) => {
        assert.equal(await page.$eval('[data-stage="query"] input.token', (i) => i.value), HOSTILE);
        const header = await page.$eval('[data-stage="weights"] thead tr:last-child th[scope=col] bdi', (bdi) => ({ text: bdi.textContent, title: bdi.title }));
        assert.equal(header.title, HOSTILE, 'the whole name on hover');
        assert.ok(header.text.startsWith('<img src=x') && header.text.endsWith('…'), `a long name is shortened: ${header.text}`);
        await page.hover('[data-stage="weights"] [data-row="0"][data-col="2"]');
        assert.match(await page.$eval('.explain', (e) => e.textContent), /<b>good<\/b>/);
        assert.equal(await page.$$eval('.attn-view img, .attn-view b', (found) => found.length), 0, 'no element made from a token');
        assert.equal(await page.evaluate(() => window.__pwned), undefined);
      });
      assert.deepEqual(problems, []);
    });

    it('runs under a strict Content-Security-Policy with no violation report', async () => {
      const control = await browser.newPage();
      await control.goto(`${origin()}/csp-control.html`);
      assert.equal(await control.evaluate(() => window.ran), undefined, 'the inline script was blocked');
      /* the control stays open until its report arrives: a page closed first may never send it (Firefox under load) */
      const start = Date.now();
      while (!reports.length && Date.now() - start < 20000) await new Promise((r) => setTimeout(r, 50));
      await control.close();
      assert.ok(reports.length > 0, 'a violation is reported to this server');
      reportWait = Math.min(20000, Math.max(1000, 4 * (Date.now() - start))); /* reports are sent asynchronously: wait well past the control's */
      reports.length = 0;
      const problems = await withPage(`${origin()}/index.html`, async (page) => {
        assert.deepEqual(compareStages(await readStages(page), lecture.stages), []);
        await typeInto(page, 'query', 0, 0, '5');
        await page.click('[name=walk]');
        await page.keyboard.press('ArrowRight');
        await page.hover('[data-stage="q"] [data-row="0"][data-col="0"]');
      });
      await new Promise((r) => setTimeout(r, reportWait));
      assert.deepEqual(reports, [], 'no CSP violation report');
      assert.deepEqual(problems, []);
    });

    it('runs two widgets under the same policy, a hostile token shown as text', async () => {
      const { page, problems } = await openPage(browser, `${origin()}/csp-widgets.html`, { ready: null });
      await page.waitForFunction(() => document.querySelectorAll('attention-viz[data-ready]').length === 2, { timeout: 20000 });
      assert.equal(await page.$eval('#b', (v) => v.shadowRoot.querySelector('input.token').value), HOSTILE);
      assert.equal(await page.$eval('#b', (v) => v.shadowRoot.querySelectorAll('img').length), 0);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      /* the export panel, a script loaded beside attention-viz.js when it opens */
      await page.$eval('#a', (v) => v.shadowRoot.querySelector('.share-toggle').click());
      await page.waitForFunction(() => document.querySelector('#a').shadowRoot.querySelector('.share-panel')?.hidden === false, { timeout: 10000 });
      /* the train card, another script loaded beside it when first asked for */
      await page.$eval('#a', (v) => v.shadowRoot.querySelector('.train-load').click());
      await page.waitForFunction(() => document.querySelector('#a').shadowRoot.querySelector('[data-card="train"] .train-step'), { timeout: 10000 });
      await page.close();
      await new Promise((r) => setTimeout(r, reportWait));
      assert.deepEqual(reports, []);
      assert.deepEqual(problems, []);
    });

    it('never breaks on random, truncated, mutated or oversized links', async () => {
      const random = seededRandom(6);
      const valid = Link.encode({ case: lecture.case, view: { theme: 'dark' } }, { whole: true });
      const pick = (s) => s[Math.floor(random() * s.length)];
      const hashes = [];
      for (let i = 0; i < 40; i++) hashes.push('#' + Array.from({ length: 1 + Math.floor(random() * 80) }, () => pick('v=1&;,|%#xTFNaInfity0123456789.-_eE<>"\'/\\')).join(''));
      for (let i = 0; i < 40; i++) hashes.push(valid.slice(0, 1 + Math.floor(random() * valid.length)));
      for (let i = 0; i < 40; i++) {
        const at = Math.floor(random() * valid.length);
        hashes.push(valid.slice(0, at) + pick('=&;,|%x9-.') + valid.slice(at + 1));
      }
      hashes.push('#v=1&' + 'query=1,'.repeat(40000), '#v=1&tokens=' + 'a,'.repeat(100) + '&num_heads=1', '#v=1&embed_dim=100000&num_heads=1');
      const problems = await withPage(PAGE_URL, async (page) => {
        /* a link that cannot be read keeps what is shown, with a message */
        let expected = lecture.case;
        for (const hash of hashes) {
          const read = await setHash(page, hash);
          let readable = true, partly = false; /* partly: a view key or an unknown one left out, the rest shown */
          try {
            if (read.length > 1) ({ case: expected, problems: partly = false } = Link.decode(read));
          } catch {
            readable = false;
          }
          const banner = await page.$eval('.banner', (b) => (b.hidden ? '' : b.textContent));
          const label = hash.slice(0, 60);
          if (readable && !partly) assert.equal(banner, '', label);
          else assert.match(banner, /could not be read/, label);
          assert.deepEqual(compareStages(await readStages(page), attention.forward(expected)), [], label);
        }
      });
      assert.deepEqual(problems, []);
    });

    it('enforces its limits on tokens, E and heads with a message', async () => {
      const tooMany = { ...lectureCase(), tokens: Array.from({ length: 513 }, (_, i) => `t${i}`), query: Array.from({ length: 513 }, () => [0.1, 0.2]) };
      const problems = await withPage(PAGE_URL + Link.encode({ case: tooMany }, { whole: true }), async (page) => {
        assert.match(await page.$eval('.banner', (b) => b.textContent), /at most 512 tokens/);
        await page.$eval('[name=embed_dim]', (i) => { i.value = '2048'; i.dispatchEvent(new Event('change')); });
        assert.match(await page.$eval('[data-control="embed_dim"] .control-error', (e) => e.textContent), /embed_dim up to 1024/);
        await page.$eval('[name=num_heads]', (i) => { i.value = '0'; i.dispatchEvent(new Event('change')); });
        assert.match(await page.$eval('[data-control="num_heads"] .control-error', (e) => e.textContent), /a whole number from 1/);
        assert.deepEqual(compareStages(await readStages(page), lecture.stages), [], 'the last good state stays');
      });
      assert.deepEqual(problems, []);
    });

    for (const [query, footer] of [['', /relaxed-SIMD build/], ['?build=relaxed', /relaxed-SIMD build/], ['?build=simd', /\(SIMD build/], ['?build=scalar', /scalar build/], ['?nosimd', /scalar build/]])
      it(`runs the build ${query || 'the browser runs best'} asks for, with the same numbers`, async () => {
        const problems = await withPage(`${PAGE_URL}${query}`, async (page) => {
          assert.match(await page.$eval('.footer', (f) => f.textContent), footer);
          assert.deepEqual(compareStages(await readStages(page), lecture.stages), []);
        });
        assert.deepEqual(problems, []);
      });

    it('marks a NaN typed on purpose, and lets it propagate', async () => {
      const problems = await withPage(PAGE_URL, async (page) => {
        await typeInto(page, 'query', 1, 0, 'NaN');
        assert.match(await page.$eval('[data-card="query"] .input-note', (n) => n.textContent), /query holds NaN/);
        assert.equal(await page.$eval('[data-stage="query"] [data-row="1"][data-col="0"]', (td) => td.classList.contains('is-nan')), true);
        assert.equal(await valueOf(page, 'output', 0, 0), 'NaN');
      });
      assert.deepEqual(problems, []);
    });

    if (name === 'chromium')
      it('keeps wasm memory and the DOM flat over 5,000 edits, resizes and preset switches', async () => {
        const problems = await withPage(PAGE_URL, async (page) => {
          const measure = () => page.evaluate(() => ({ memory: window.attentionApp.session.attention.memoryBytes(), nodes: document.getElementsByTagName('*').length }));
          const session = (rounds) => page.evaluate((n) => {
            const s = window.attentionApp.session;
            const apply = (edit) => { const result = s.apply(edit); if (!result.ok) throw new Error(result.error.message); };
            for (let i = 0; i < n; i++) {
              if (i % 500 === 0) apply({ type: 'example', name: ['sentence', 'lecture'][(i / 500) % 2] });
              else if (i % 1000 === 250) { apply({ type: 'example', name: 'paragraph' }); apply({ type: 'example', name: 'lecture' }); }
              else if (i % 100 === 0) apply({ type: 'option', key: 'embed_dim', value: [2, 4, 6, 8][(i / 100) % 4] * s.config.num_heads });
              else if (i % 10 === 0) apply(i % 20 ? { type: 'add-token' } : { type: 'remove-token', index: 1 });
              else apply({ type: 'cell', key: 'query', index: i % s.parsed.inputs.query.length, value: ((i % 17) - 8) / 10 });
            }
            apply({ type: 'example', name: 'lecture' });
          }, rounds);
          await session(1000); /* every size once: memory reaches its high-water mark */
          const settled = await measure();
          for (let done = 1000; done < 5000; done += 1000) await session(1000);
          assert.deepEqual(await measure(), settled);
        });
        assert.deepEqual(problems, []);
      });
  });
}
