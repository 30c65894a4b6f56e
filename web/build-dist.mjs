#!/usr/bin/env node
// build-dist.mjs: `make dist` — the visualiser as two self-contained files.
//   dist/attention-viz.js    <attention-viz>, for <script src> in any page
//   dist/attention-viz.html  one page for an <iframe>, driven by its hash
// The scripts are the page's own, concatenated inside one function so that
// they add nothing to the host page's globals but the custom element.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path) => readFileSync(join(ROOT, path), 'utf8');
/* index.html's scripts, in its order, the widget in place of the page's glue */
const SCRIPTS = [...read('index.html').matchAll(/<script src="([^"]+)"><\/script>/g)]
  .map(([, path]) => (path === 'web/page/main.js' ? 'web/widget.js' : path));
if (!SCRIPTS.includes('web/widget.js')) throw new Error('index.html: no <script src="web/page/main.js"> to put the widget in place of');

const css = read('web/page/style.css');
const bundle = [
  '/* attention-viz.js: <attention-viz>, an embeddable torch.nn.MultiheadAttention visualiser.',
  ' * Self-contained: the WebAssembly core is inlined. Built by `make dist` from the project\'s web/ and core/. */',
  '(function () {',
  '  \'use strict\';',
  '  /* the scripts below put their modules on "globalThis": here, a private object */',
  `  var globalThis = { AttnStyles: ${JSON.stringify(css)} };`,
  ...SCRIPTS.map((path) => `/* ---- ${path} ---- */\n${read(path)}`),
  '})();',
  '',
].join('\n');

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Attention, number by number</title>
<style>html, body { margin: 0; background: Canvas; color: CanvasText; font-family: system-ui, sans-serif; } attention-viz { padding: 0.5rem 0.8rem; }</style>
</head>
<body>
<attention-viz></attention-viz>
<script>
${bundle}
</script>
<script>
/* The state, flags included (controls=none|compact|full, theme, stage), is the hash. */
(function () {
  var viz = document.querySelector('attention-viz');
  var written = '';
  function load() { if (location.hash !== written) viz.setAttribute('state', location.hash.length > 1 ? location.hash : ''); }
  load();
  viz.addEventListener('change', function () { written = viz.hash; history.replaceState(null, '', written); });
  window.addEventListener('hashchange', load);
})();
</script>
</body>
</html>
`;

mkdirSync(join(ROOT, 'dist'), { recursive: true });
writeFileSync(join(ROOT, 'dist', 'attention-viz.js'), bundle);
writeFileSync(join(ROOT, 'dist', 'attention-viz.html'), page);
console.log(`dist/attention-viz.js (${(bundle.length / 1024).toFixed(0)} KiB), dist/attention-viz.html (${(page.length / 1024).toFixed(0)} KiB)`);
