#!/usr/bin/env node
// build-dist.mjs: `make dist` — the visualiser as files to copy anywhere.
//   dist/attention-viz.js          <attention-viz>, for <script src> in any page
//   dist/attention-viz.html        one page for an <iframe>, driven by its hash
//   dist/attention-viz-scrolly.html  a demo: prose driving one widget as it
//                                  scrolls (web/demo/scrolly.html)
//   dist/attention-viz-relaxed.js  the core's three builds (relaxed SIMD,
//   dist/attention-viz-simd.js     SIMD, scalar), each loaded only by the
//   dist/attention-viz-scalar.js   engines that run it (widget.js: loadBuild)
//   dist/attention-viz-share.js    the export and import panel, loaded when
//                                  first opened (widget.js: LazyShare), with
//                                  its English words (PART_WORDS)
//   dist/attention-viz-train.js    the train card, loaded when first asked
//                                  for (widget.js: LazyTrainer), with its
//                                  English words
//   dist/attention-viz-es.js       the Spanish table, loaded when a widget
//                                  is shown in Spanish (widget.js: loadLanguage)
//   dist/attention-viz-examples.js the trained examples, loaded when a state
//                                  names one or the example list is shown
//                                  (widget.js: loadExamples)
// The scripts are the page's own, concatenated inside one function so that
// they add nothing to the host page's globals but the custom element, and
// minified by esbuild. No build is inlined: an engine runs one of the three
// (Chromium and Firefox the relaxed one), so an inlined build is dead weight
// for the others (the SIMD one was 21 KB of the 90). A build's script holds
// its wasm as hex (gzip packs hex to about 21 KB, base64 to 27 KB) and hands
// it to the element class (AttentionViz.addBuild), so it loads from file://
// as from a server.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
const { transformSync } = await import('esbuild').catch(() => {
  console.error('build-dist.mjs: esbuild is missing: run npm ci (.ci/deps build does)');
  process.exit(1);
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path) => readFileSync(join(ROOT, path), 'utf8');
const hex = (build) => readFileSync(join(ROOT, 'build', `attn-${build}.wasm`)).toString('hex');
/* index.html's scripts, in its order, the widget in place of the page's glue,
 * without the three builds' base64 (build/attn-wasm.js), and without the
 * parts loaded when first used (PARTS: attention-viz-NAME.js each, its
 * scripts in index.html's order) */
const PARTS = {
  share: ['web/page/model/export.js', 'web/page/model/import.js', 'web/page/model/modelfile.js', 'web/page/model/poster.js', 'web/page/ui/share.js'],
  train: ['web/page/model/training.js', 'web/page/ui/training.js'],
  es: ['web/page/text/es.js'],
  examples: ['build/attn-examples.js'],
};
/* The English words of the lazy parts (their keys' prefixes in en.js) go
 * with them, not in attention-viz.js; the other languages are parts whole. */
const PART_WORDS = { share: ['sh.', 'imp.', 'mf.'], train: ['tr.'] };
const ENGLISH = createRequire(import.meta.url)('./page/text/en.js');
const wordsOf = (name) => Object.fromEntries(Object.entries(ENGLISH).filter(([key]) => (PART_WORDS[name] || []).some((p) => key.startsWith(p))));
const addEnglish = (table) => `globalThis.AttnText.add('en', ${JSON.stringify(table)});`;
const mainWords = Object.fromEntries(Object.entries(ENGLISH).filter(([key]) => !Object.values(PART_WORDS).flat().some((p) => key.startsWith(p))));
const ALL = [...read('index.html').matchAll(/<script src="([^"]+)"><\/script>/g)]
  .map(([, path]) => (path === 'web/page/main.js' ? 'web/widget.js' : path));
const LAZY = Object.values(PARTS).flat();
/* the page's alone, for the widget's size budget: big layers' canvases (the
 * widget keeps the limits of matrices drawn as tables: widget.js), the
 * heatmaps' backdrops (whose colours are the page's palettes, not a host's
 * custom properties: the widget's heatmaps keep a class per cell) and the
 * plane of E = 2 */
const PAGE_ONLY = ['web/page/ui/backdrop.js', 'web/page/ui/canvas.js', 'web/page/ui/plane.js', 'web/page/ui/fit.js'];
const SCRIPTS = ALL.filter((path) => path !== 'build/attn-wasm.js' && !LAZY.includes(path) && !PAGE_ONLY.includes(path));
for (const [name, paths] of Object.entries(PARTS))
  if (!paths.every((path) => ALL.includes(path))) throw new Error(`index.html no longer loads every script of ${name}: update PARTS`);
if (!SCRIPTS.includes('web/widget.js')) throw new Error('index.html: no <script src="web/page/main.js"> to put the widget in place of');

/* The page's CSS without the rules a widget never matches: those of the
 * page-only scripts' elements (PAGE_ONLY: a canvas, its row labels, a grid
 * of them, a backdrop, the plane), of index.html's header and footer, and
 * those for a view that is not embedded (a widget's view is). A rule goes
 * when each of its selectors is such; the minified CSS is walked rule by
 * rule, into @media and @supports blocks. */
const PAGE_ONLY_SELECTOR = /:not\(\.is-embedded\)|\.(canvas-matrix|canvas-rows|is-canvas-grid|backdrop-box|plane|plane-grid|plane-legend|card-plane|page-header|page-about)(?![\w-])/;
function widgetCss(css) {
  let kept = '', at = 0;
  while (at < css.length) {
    const open = css.indexOf('{', at);
    if (open < 0) return kept + css.slice(at);
    let close = open, depth = 0;
    do depth += css[close] === '{' ? 1 : css[close] === '}' ? -1 : 0; while (depth && ++close < css.length);
    const prelude = css.slice(at, open), body = css.slice(open + 1, close);
    const selectors = prelude.split(/,(?![^(]*\))/); /* (not the commas inside :is(…)) */
    if (/^@(media|supports)/.test(prelude)) { const inner = widgetCss(body); if (inner) kept += `${prelude}{${inner}}`; }
    else if (prelude.startsWith('@') || !selectors.every((selector) => PAGE_ONLY_SELECTOR.test(selector))) kept += `${prelude}{${body}}`;
    at = close + 1;
  }
  return kept;
}
const css = widgetCss(transformSync(read('web/page/style.css'), { loader: 'css', minify: true }).code);
const HEADER = '/* attention-viz.js: <attention-viz>, an embeddable torch.nn.MultiheadAttention visualiser (MIT).\n' +
  ' * Built by `make dist` from the project\'s web/ and core/; attention-viz-relaxed.js, -simd.js, -scalar.js, -share.js, -train.js, -es.js and -examples.js beside it. */\n';
const source = [
  '(function () {',
  '  \'use strict\';',
  '  /* the scripts below put their modules on "globalThis": here, a private object */',
  `  var globalThis = { AttnStyles: ${JSON.stringify(css)}, AttnWasm: {} };`,
  ...SCRIPTS.map((path) => `/* ---- ${path} ---- */\n${path === 'web/page/text/en.js' ? addEnglish(mainWords) : read(path)}`),
  '})();',
].join('\n');
const bundle = HEADER + transformSync(source, { minify: true }).code;
/* a part's scripts, for the element class (widget.js: LazyShare, LazyTrainer, loadLanguage, loadExamples) */
const WHAT = { share: 'the export and import panel', train: 'the train card', es: 'the Spanish words', examples: 'the trained examples' };
const partScript = (name) => `/* attention-viz-${name}.js: ${WHAT[name]} of attention-viz.js, loaded by it when first used. */\n` +
  transformSync(`(function(){var v=customElements.get("attention-viz");v&&v.addModules("${name}",function(globalThis){'use strict';\n${[addEnglish(wordsOf(name)), ...PARTS[name].map(read)].join('\n')}})})();`, { minify: true }).code;
/* a build's script: its hex, for the element class (widget.js: loadBuild) */
const buildScript = (build) => `/* attention-viz-${build}.js: the ${build} build of attention-viz.js's core, loaded by it when chosen. */\n` +
  `(function(){var v=customElements.get("attention-viz");v&&v.addBuild("${build}","${hex(build)}")})();\n`;

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Attention, number by number</title>
<style>
/* the page around the view has the view's background (style.css: --bg), so a dark view has no light margin */
html, body { margin: 0; font-family: system-ui, sans-serif; }
html { background: #f6f7f9; color: #1b1d21; color-scheme: light; }
@media (prefers-color-scheme: dark) { html:not([data-theme="light"]) { background: #15171b; color: #e8e9ec; color-scheme: dark; } }
html[data-theme="dark"] { background: #15171b; color: #e8e9ec; color-scheme: dark; }
attention-viz { padding: 0.5rem 0.8rem; }
</style>
</head>
<body>
<attention-viz></attention-viz>
<script>
${bundle}
</script>
<script>
/* The state, flags included (controls=none|compact|full, theme, stage), is the hash.
 * The page takes the view's theme (auto, light, dark) for its background, and
 * tells its parent its height whenever that changes:
 *   { type: 'attention-viz:height', height: N }   (CSS pixels, README.md) */
(function () {
  var viz = document.querySelector('attention-viz');
  var written = '';
  function load() { if (location.hash !== written) viz.setAttribute('state', location.hash.length > 1 ? location.hash : ''); }
  function theme() { if (viz.app) document.documentElement.dataset.theme = viz.app.root.dataset.theme; }
  load();
  viz.addEventListener('ready', theme);
  viz.addEventListener('change', function () { written = viz.hash; history.replaceState(null, '', written); theme(); });
  window.addEventListener('hashchange', function () { load(); theme(); });
  var told = 0;
  new ResizeObserver(function () {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== told && window.parent !== window) window.parent.postMessage({ type: 'attention-viz:height', height: height }, '*');
    told = height;
  }).observe(document.body);
})();
</script>
</body>
</html>
`;

mkdirSync(join(ROOT, 'dist'), { recursive: true });
writeFileSync(join(ROOT, 'dist', 'attention-viz.js'), bundle);
writeFileSync(join(ROOT, 'dist', 'attention-viz.html'), page);
/* the scrollytelling demo, as it is: it loads attention-viz.js from beside it */
writeFileSync(join(ROOT, 'dist', 'attention-viz-scrolly.html'), read('web/demo/scrolly.html'));
for (const name of Object.keys(PARTS)) writeFileSync(join(ROOT, 'dist', `attention-viz-${name}.js`), partScript(name));
for (const build of ['relaxed', 'simd', 'scalar']) writeFileSync(join(ROOT, 'dist', `attention-viz-${build}.js`), buildScript(build));
const gzipped = (text) => (gzipSync(text, { level: 9 }).length / 1024).toFixed(1);
console.log(`dist/attention-viz.js (${gzipped(bundle)} KiB gzipped), dist/attention-viz.html, dist/attention-viz-{relaxed,simd,scalar,share,train,es,examples}.js, dist/attention-viz-scrolly.html`);
