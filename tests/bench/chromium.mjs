// chromium.mjs: `make bench`'s binding table in headless Chromium (Debian's):
// the page's binding (the classic scripts build/attn-wasm.js, web/case.js,
// web/core.js) on every build Chromium runs, by the resident and the copy
// path, against plain JS and tfjs-backend-wasm (its SIMD build, one thread:
// the page is not cross-origin isolated), at the four sizes of timing.mjs,
// with the same interleaved timer as in Node. The page is served from
// localhost (web/serve.mjs), as tfjs fetches its .wasm. Prints the table and
// the browser targets, with ratios from this run. A report, not a
// test: it exits 0 whatever it measures.
import { launch } from '../browser.mjs';
import { serve } from '../../web/serve.mjs';
import { SIZES, flopsOf, fmtTime, fmtGflops, fmtRatio, table } from './timing.mjs';

const TFJS = '/node_modules/@tensorflow/tfjs-backend-wasm/dist/';
const PAGE = `<!doctype html><meta charset="utf-8"><title>make bench</title>
<script src="/node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js"></script>
<script src="${TFJS}tf-backend-wasm.min.js"></script>
<script src="/build/attn-wasm.js"></script>
<script src="/web/case.js"></script>
<script src="/web/core.js"></script>`;

const server = await serve({ pages: { '/bench.html': PAGE } });
const browser = await launch('chromium');
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(10 * 60 * 1000);
  await page.goto(`http://127.0.0.1:${server.address().port}/bench.html`);
  const setup = await page.evaluate(async (wasmPath) => {
    tf.wasm.setWasmPaths(wasmPath);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start its wasm backend');
    await tf.ready();
    return {
      userAgent: navigator.userAgent, builds: AttnCore.supportedBuilds(), chosen: (await AttnCore.createAttention()).build,
      tfjs: `${tf.version_core}, backend ${tf.getBackend()}, SIMD ${(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'on' : 'off'}, ` +
        `${tf.backend().wasm.tfjs.getThreadsCount ? tf.backend().wasm.tfjs.getThreadsCount() : 1} thread`,
    };
  }, TFJS);
  console.log(`\nthe binding in headless Chromium (${setup.userAgent.match(/Chrome\/[\d.]+/)[0]}): builds it runs: ${setup.builds.join(', ')};` +
    ` createAttention() picks ${setup.chosen}; tfjs-backend-wasm ${setup.tfjs}`);

  const results = [];
  for (const [index, size] of SIZES.entries()) {
    /* one size a call, each in a fresh set of instances */
    const times = await page.evaluate(async (sizeIndex) => {
      const { SIZES: sizes, makeCase, forwards, timeTogether } = await import('/tests/bench/timing.mjs');
      const s = sizes[sizeIndex];
      const aCase = makeCase(s, 1000 + sizeIndex);
      const { fns, dispose } = await forwards(aCase, { createAttention: AttnCore.createAttention, builds: AttnCore.supportedBuilds(), tf });
      try {
        return timeTogether(fns, s.rounds);
      } finally {
        dispose();
      }
    }, index);
    results.push({ size, times });
  }

  const paths = setup.builds.flatMap((b) => (b === 'scalar' ? [b] : [b, `${b} copy`]));
  const impls = [...paths, 'plain', 'tfjs'];
  console.log('forward() in Chromium: median time per call after warm-up (GFLOPS); ratio to tfjs-backend-wasm below');
  console.log(table(['size', ...impls.map((k) => (k === 'plain' ? 'plain JS' : k === 'tfjs' ? 'tfjs-wasm' : k))],
    results.flatMap(({ size, times }) => [
      [`${size.name} (L=${size.L} E=${size.E} H=${size.H})`, ...impls.map((k) => `${fmtTime(times[k])} (${fmtGflops(flopsOf(size) / times[k] / 1e6)})`)],
      ['  / tfjs', ...impls.map((k) => fmtRatio(times[k] / times.tfjs))],
    ])));

  const t = results.find((r) => r.size.name === 'BERT-base layer').times;
  const vs = (a, b) => `${fmtRatio(a / b)} (${fmtTime(a)} vs ${fmtTime(b)})`;
  const targets = [
    [`the page's default createAttention() (${setup.chosen}, resident path) ≤ 0.45× tfjs-backend-wasm`, t[setup.chosen] / t.tfjs <= 0.45, vs(t[setup.chosen], t.tfjs)],
    ['the SIMD build (resident path), where relaxed SIMD is missing, ≤ 0.5× tfjs-backend-wasm', t.simd / t.tfjs <= 0.5, vs(t.simd, t.tfjs)],
  ];
  console.log('\ntargets (issue 14), the binding in headless Chromium at the BERT-base layer, measured in this run:');
  for (const [what, pass, detail] of targets) console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${what}: ${detail}`);
} finally {
  await browser.close();
  server.close();
}
