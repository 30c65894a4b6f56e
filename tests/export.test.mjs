// export.test.mjs: web/page/model/export.js. The PyTorch snippet of each fixture,
// run by Debian's python3-torch, must print the fixture's stages; the JSON,
// LaTeX, Markdown and SVG exports must be well-formed and escape user text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixtures, flatten, compareStages, PYTHON, hasTorch, ROOT } from './helpers.mjs';
import { createAttention } from '../web/attention.mjs';

const require = createRequire(import.meta.url);
const Export = require('../web/page/model/export.js');
const Format = require('../web/page/model/format.js');

const fixtures = loadFixtures();
const byName = Object.fromEntries(fixtures.map((f) => [f.name, f]));
const NO_TORCH = `${PYTHON} cannot import torch (Debian's python3-torch is not installed here): the PyTorch snippets are not run`;
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
const EVIL = '<img src=x onerror=alert(1)>';

/* python3 - (the source on stdin), or python3 -c source with `input` on stdin */
function runPython(source, input = null) {
  return new Promise((resolve) => {
    const child = execFile(PYTHON, input === null ? ['-'] : ['-c', source], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1' } },
      (err, stdout, stderr) => resolve({ status: err ? err.code ?? 1 : 0, stdout, stderr }));
    child.stdin.end(input === null ? source : input);
  });
}

/* ---- the PyTorch snippet ---- */

const REQUIRED = ['lecture', 'two_heads', 'no_bias', 'causal_bool_mask', 'float_mask', 'padding_mask', 'bias_kv_and_zero_attn',
  'kdim_vdim_everything', 'per_head_attn_mask', 'float_padding_mask', 'float_mask_and_float_padding', 'fully_masked_row',
  'per_head_weights', 'cross_attention'];

test('the fixtures the snippet test must cover exist', () => {
  for (const name of REQUIRED) assert.ok(byName[name], `fixture ${name}.json is missing`);
});

test('pytorchSnippet: text for the lecture case', () => {
  const py = Export.pytorchSnippet(byName.lecture.case);
  assert.match(py, /torch\.nn\.MultiheadAttention\(\n {4}embed_dim=2, num_heads=1, bias=True, add_bias_kv=False,\n {4}add_zero_attn=False, kdim=2, vdim=2, dtype=f64,\n\)\.eval\(\)/);
  assert.match(py, /with torch\.no_grad\(\):\n {4}mha\.load_state_dict\(state_dict\)/);
  assert.match(py, /need_weights=True, average_attn_weights=average_attn_weights/);
  assert.match(py, /"in_proj_weight": torch\.tensor\(\[\n {8}\[1\.5, -0\.5\],\n {8}\[0\.8, 2\.0\],/);
  assert.match(py, /tokens = \["I", "am", "good"\]/);
  assert.match(py, /key = value = query {2}# self-attention/);
  for (const stage of ['q', 'k', 'v', 'q_scaled', 'scores', 'weights', 'attn_weights', 'context', 'output'])
    assert.match(py, new RegExp(`"${stage}": ${stage}[,}]`), `prints ${stage}`);
});

test('pytorchSnippet: each option adds its lines', () => {
  const py = Export.pytorchSnippet(byName.kdim_vdim_everything.case);
  assert.match(py, /"q_proj_weight": /);
  assert.doesNotMatch(py, /in_proj_weight"|in_proj_bias/);
  assert.match(py, /"bias_k": torch\.tensor\(\[-0\.21484375, 0\.71875, -0\.89453125, -0\.36328125\], dtype=f64\)\.view\(1, 1, E\),/);
  assert.match(py, /torch\.cat\(\[k, mha\.bias_k\.view\(1, E\)\]\)/);
  assert.match(py, /torch\.cat\(\[k, torch\.zeros\(1, E, dtype=f64\)\]\)/);
  assert.match(py, /mask = F\.pad\(attn_mask, \(0, 2\)\)/);
  assert.match(py, /mask\.logical_or\(F\.pad\(key_padding_mask, \(0, 2\)\)\)/);
  assert.match(py, /key = torch\.tensor/);
  assert.match(py, /average_attn_weights = False/);
  assert.match(Export.pytorchSnippet(byName.float_mask_and_padding.case), /mask = mask\.masked_fill\(key_padding_mask, -inf\)/);
  assert.match(Export.pytorchSnippet(byName.float_mask.case), /\[0\.0, -inf, 0\.25, -1\.5\]/);
  assert.match(Export.pytorchSnippet(byName.nan_in_query.case), /nan/);
});

test('pytorchSnippet: user text cannot break out of its string', () => {
  const c = { ...byName.lecture.case, tokens: ['a"\nprint("pwned")#', "b'\\", '\u2028<x>'] };
  const py = Export.pytorchSnippet(c);
  assert.ok(py.includes('tokens = ["a\\"\\nprint(\\"pwned\\")#", "b\'\\\\", "\\u2028<x>"]'), py.split('\n').find((l) => l.startsWith('tokens')));
});

/* Runs many snippets in one python (torch is imported once), each as its own
 * __main__ with its own globals, stdout and stderr. */
const BATCH_DRIVER = `
import contextlib, io, json, sys, traceback
sources = json.load(sys.stdin)
results = []
for name, source in sources:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            exec(compile(source, name, "exec"), {"__name__": "__main__"})
            status = 0
        except BaseException:
            traceback.print_exc()
            status = 1
    results.append({"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()})
json.dump(results, sys.stdout)
`;

function checkPrinted(run, stages) {
  assert.equal(run.status, 0, `python failed:\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /warning: .* differs/, 'the hand-computed stages disagree with the module');
  assert.doesNotMatch(run.stdout, /pwned\n/);
  assert.equal(run.stdout.trim().split('\n').length, 11, 'one stage a line');
  const printed = JSON.parse(run.stdout);
  assert.deepEqual(Object.keys(printed), Object.keys(stages));
  const got = Object.fromEntries(Object.keys(stages).map((name) => [name, flatten(printed[name])]));
  assert.deepEqual(compareStages(got, stages, { rtol: 1e-9, atol: 1e-9 }), [], 'float64 from the same numbers: equal to rounding');
}

/* The snippet merges the masks as PyTorch 1.13 does, which the fixtures made by
 * PyTorch 2's rule (a float key_padding_mask beside an attn_mask) differ from. */
const NEEDS_PYTORCH2 = 'made by PyTorch 2\'s mask rule (make_fixtures.py), which the snippet\'s PyTorch 1.13 does not follow';

test('pytorchSnippet: every fixture, run by PyTorch, prints the fixture\'s stages', { skip: hasTorch ? false : NO_TORCH, timeout: 600000 }, async (t) => {
  for (const f of fixtures.filter((f) => f.needs_pytorch2)) await t.test(f.name, { skip: NEEDS_PYTORCH2 }, () => {});
  const cases = fixtures.filter((f) => !f.needs_pytorch2).map((f) => ({ name: f.name, case: f.case, stages: f.stages }));
  /* hostile tokens change nothing */
  cases.push({ name: 'lecture with odd tokens', case: { ...byName.lecture.case, tokens: ['a"\nprint("pwned")#', "b'\\", EVIL] }, stages: byName.lecture.stages });
  await t.test('lecture, as a script of its own', async () => checkPrinted(await runPython(Export.pytorchSnippet(byName.lecture.case)), byName.lecture.stages));
  const batch = await runPython(BATCH_DRIVER, JSON.stringify(cases.map((c) => [c.name, Export.pytorchSnippet(c.case)])));
  assert.equal(batch.status, 0, batch.stderr);
  const results = JSON.parse(batch.stdout);
  for (const [i, item] of cases.entries()) await t.test(item.name, () => checkPrinted(results[i], item.stages));
});

/* ---- JSON ---- */

test('stagesJSON: the case and every stage, one a line, non-finite as strings', async () => {
  const attention = await createAttention();
  for (const name of ['lecture', 'fully_masked_row', 'nan_in_query', 'float_mask']) {
    const { case: c } = byName[name];
    const stages = attention.forward(c);
    const text = Export.stagesJSON(c, stages);
    const doc = JSON.parse(text);
    assert.deepEqual(Object.keys(doc), ['case', 'stages']);
    assert.deepEqual(doc.case, c, `${name}: the case comes back as it was`);
    assert.deepEqual(Object.keys(doc.stages), ['q', 'k', 'v', 'q_scaled', 'scores', 'weights', 'attn_weights', 'context', 'output']);
    for (const [stage, { shape, data }] of Object.entries(stages)) {
      const back = flatten(doc.stages[stage]);
      assert.deepEqual(back.shape, shape);
      back.data.forEach((x, i) => assert.ok(Object.is(Math.fround(x), data[i]) || (Number.isNaN(x) && Number.isNaN(data[i])), `${name} ${stage}[${i}]`));
      assert.ok(text.split('\n').some((line) => line.startsWith(`    "${stage}": [`) && (line.endsWith(']') || line.endsWith('],'))), `${stage} on one line`);
    }
    if (name === 'fully_masked_row') assert.match(text, /"NaN"/);
    if (name === 'float_mask') assert.match(text, /"-Infinity"/);
  }
  /* numbers in a case held as numbers (NaN, ±∞) or as typed arrays */
  const c = { ...byName.lecture.case, query: { shape: [3, 2], data: Float32Array.from([0.2, 0.1, 0.9, 0.4, 0.7, NaN]) }, attn_mask: [[0, -Infinity, 0], [0, 0, NaN], [0, 0, 0]] };
  const doc = JSON.parse(Export.stagesJSON(c, {}));
  assert.deepEqual(doc.case.query, [[0.2, 0.1], [0.9, 0.4], [0.7, 'NaN']]);
  assert.deepEqual(doc.case.attn_mask, [[0, '-Infinity', 0], [0, 0, 'NaN'], [0, 0, 0]]);
});

/* ---- LaTeX ---- */

/* Braces balance (escaped ones aside), environments nest. */
function checkLatex(tex) {
  const body = tex.replace(/^%.*$/gm, '').replace(/\\[{}\\]/g, '');
  let depth = 0;
  for (const ch of body) {
    depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    assert.ok(depth >= 0, `unbalanced } in\n${tex}`);
  }
  assert.equal(depth, 0, `unbalanced { in\n${tex}`);
  const stack = [];
  for (const [, kind, env] of tex.matchAll(/\\(begin|end)\{(\w+)\}/g)) {
    if (kind === 'begin') stack.push(env);
    else assert.equal(stack.pop(), env, `\\end{${env}} does not close its \\begin`);
  }
  assert.equal(stack.length, 0);
}

/* Rows of the first matrix environment: their & counts. */
function latexRows(tex, env) {
  const inner = tex.slice(tex.indexOf(`\\begin{${env}}`), tex.indexOf(`\\end{${env}}`)).split('\n').slice(1).join('\n');
  return inner.split('\\\\').map((row) => row.trim()).filter(Boolean).filter((r) => r !== '\\hline').map((row) => row.replace(/^\\hline\s*/, ''));
}

test('latex: a bmatrix, numbers to 4 decimals, one per head, labels as an array', () => {
  const w = byName.lecture.stages.attn_weights;
  const tex = Export.latex('attn_weights', w.shape, w.data);
  checkLatex(tex);
  assert.match(tex, /^% attn_weights: 3×3\n\\begin\{bmatrix\}\n0\.1634 & 0\.4260 & 0\.4106 \\\\\n/);
  assert.deepEqual(latexRows(tex, 'bmatrix').map((r) => r.split('&').length), [3, 3, 3]);
  assert.match(Export.latex('q', [1, 2], [1.23456, -0.00001], { digits: 2 }), /1\.23 & 0\.00/);
  assert.match(Export.latex('x', [2], [2.5e7, -3e-9]), /2\.5000 \\times 10\^\{7\} & 0\.0000/);

  const s = byName.fully_masked_row.stages;
  const scores = Export.latex('scores', s.scores.shape, s.scores.data);
  checkLatex(scores);
  assert.equal(scores.match(/\\begin\{bmatrix\}/g).length, 2);
  assert.match(scores, /\\text\{head \}0:\\;\n\\begin\{bmatrix\}[^]*\\qquad\n\\text\{head \}1:/);
  assert.match(scores, /-\\infty/);
  assert.match(Export.latex('weights', s.weights.shape, s.weights.data), /\\text\{NaN\}/);
  assert.match(Export.latex('x', [2], [Infinity, -Infinity]), /\\infty & -\\infty/);

  const labelled = Export.latex('attn_weights', w.shape, w.data, { rowLabels: ['I', 'am', 'good'], colLabels: ['I', 'am', 'good'] });
  checkLatex(labelled);
  assert.match(labelled, /\\begin\{array\}\{l\|rrr\}\n & \\text\{I\} & \\text\{am\} & \\text\{good\} \\\\\n\\hline\n\\text\{I\} & 0\.1634/);
  assert.deepEqual(latexRows(labelled, 'array').map((r) => r.split('&').length), [4, 4, 4, 4]);
  const colsOnly = Export.latex('q', [2, 2], [1, 2, 3, 4], { colLabels: ['a', 'b'] });
  checkLatex(colsOnly);
  assert.match(colsOnly, /\\begin\{array\}\{rr\}\n\\text\{a\} & \\text\{b\} \\\\\n\\hline\n1\.0000 & 2\.0000/);
});

test('latex: user text is escaped', () => {
  const tokens = ['a_b$c&d%e#f{g}h\\i~j^k<l>m|n"o', EVIL, 'line\nbreak'];
  const tex = Export.latex('attn_weights', [3, 3], new Float32Array(9), { rowLabels: tokens, colLabels: tokens });
  checkLatex(tex);
  assert.ok(tex.includes('\\text{a\\_b\\$c\\&d\\%e\\#f\\{g\\}h\\textbackslash{}i\\textasciitilde{}j\\textasciicircum{}k\\textless{}l\\textgreater{}m\\textbar{}n\'\'o}'), tex);
  assert.ok(tex.includes('\\text{\\textless{}img src=x onerror=alert(1)\\textgreater{}}'));
  assert.ok(tex.includes('\\text{line break}'));
});

test('latex: compiles (pdflatex, else KaTeX when either is installed)', async (t) => {
  const s = byName.fully_masked_row.stages;
  const tokens = ['a_b$c&d%e#f{g}h\\i~j^k<l>m|n"o', EVIL, 'x'];
  const pieces = [
    Export.latex('scores', s.scores.shape, s.scores.data),
    Export.latex('weights', s.weights.shape, s.weights.data, { rowLabels: tokens, colLabels: tokens }),
    Export.latex('q', s.q.shape, s.q.data, { rowLabels: tokens }),
    Export.latex('x', [2], [2.5e7, -Infinity]),
  ];
  const pdflatex = which('pdflatex');
  let katex = null;
  try { katex = require('katex'); } catch { /* not installed */ }
  if (!pdflatex && !katex) return t.skip('neither pdflatex nor the katex package is installed: compiling skipped (structure checked above)');
  if (pdflatex) {
    const dir = mkdtempSync(join(tmpdir(), 'attn-latex-'));
    try {
      writeFileSync(join(dir, 'm.tex'), `\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n${pieces.map((p) => `\\[\n${p}\\]\n`).join('\n')}\\end{document}\n`);
      const run = spawnSync(pdflatex, ['-interaction=nonstopmode', '-halt-on-error', 'm.tex'], { cwd: dir, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stdout.slice(-2000));
    } finally { rmSync(dir, { recursive: true, force: true }); }
  } else for (const p of pieces) katex.renderToString(p, { throwOnError: true, displayMode: true });
});

/* ---- Markdown ---- */

const cellsOf = (line) => line.replace(/^\| | \|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim());

test('markdown: a GitHub table per head, numbers to 4 decimals', () => {
  const w = byName.lecture.stages.attn_weights;
  const md = Export.markdown('attn_weights', w.shape, w.data, { rowLabels: ['I', 'am', 'good'], colLabels: ['I', 'am', 'good'] });
  assert.equal(md, [
    '**attn\\_weights** (3×3)', '',
    '|   | I | am | good |',
    '| --- | ---: | ---: | ---: |',
    '| I | 0.1634 | 0.4260 | 0.4106 |',
    '| am | 0.0494 | 0.3217 | 0.6289 |',
    '| good | 0.0791 | 0.2469 | 0.6739 |', ''].join('\n'));
  const s = byName.fully_masked_row.stages;
  const scores = Export.markdown('scores', s.scores.shape, s.scores.data);
  const blocks = scores.trim().split('\n\n**');
  assert.equal(blocks.length, 2);
  assert.match(scores, /^\*\*scores\*\*, head 0 \(3×3\)\n\n\| {3}\| 0 \| 1 \| 2 \|\n/);
  assert.match(scores, /\n\n\*\*scores\*\*, head 1 \(3×3\)\n/);
  assert.match(scores, /-∞/);
  assert.match(Export.markdown('weights', s.weights.shape, s.weights.data), /NaN/);
  for (const line of scores.split('\n').filter((l) => l.startsWith('|'))) assert.equal(cellsOf(line).length, 4, line);
});

test('markdown: user text is escaped', () => {
  const tokens = ['a|b', EVIL, '*bold* _it_ `code` [link](x) $x$ :smile: \\ & # ~~s~~', 'two\nlines'];
  const md = Export.markdown('weights', [4, 4], new Float32Array(16), { rowLabels: tokens, colLabels: tokens });
  const lines = md.split('\n').filter((l) => l.startsWith('|'));
  assert.equal(lines.length, 6);
  for (const line of lines) assert.equal(cellsOf(line).length, 5, `${line}: a | in a label split a cell`);
  assert.equal(cellsOf(lines[0])[1], 'a\\|b');
  assert.equal(cellsOf(lines[0])[2], '\\<img src=x onerror=alert\\(1\\)\\>');
  assert.equal(cellsOf(lines[0])[3], '\\*bold\\* \\_it\\_ \\`code\\` \\[link\\]\\(x\\) \\$x\\$ \\:smile\\: \\\\ \\& \\# \\~\\~s\\~\\~');
  assert.equal(cellsOf(lines[0])[4], 'two lines');
  assert.doesNotMatch(md, /(?<!\\)</);
});

/* ---- SVG ---- */

/* A small XML well-formedness check: one root, tags nest, attributes quoted
 * and unique, & only in entities, no < in text or attribute values. */
function checkXML(xml) {
  const stack = [];
  let roots = 0, i = 0;
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = lt < 0 ? xml.slice(i) : xml.slice(i, lt);
    assert.doesNotMatch(text, entity, `a bare & in text: ${text}`);
    if (!stack.length) assert.match(text, /^\s*$/, `text outside the root: ${text}`);
    if (lt < 0) break;
    let j = lt + 1, quote = null;
    for (; j < xml.length; j++) {
      if (quote) { if (xml[j] === quote) quote = null; else assert.notEqual(xml[j], '<', 'a < in an attribute value'); }
      else if (xml[j] === '"' || xml[j] === "'") quote = xml[j];
      else if (xml[j] === '>') break;
    }
    const tag = xml.slice(lt + 1, j);
    i = j + 1;
    if (tag.startsWith('/')) {
      assert.equal(stack.pop(), tag.slice(1).trim(), `</${tag.slice(1)}> closes another element`);
      continue;
    }
    const m = /^([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_:][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)$/.exec(tag);
    assert.ok(m, `malformed tag <${tag}>`);
    const names = [...m[2].matchAll(/([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)];
    assert.equal(new Set(names.map((a) => a[1])).size, names.length, `a repeated attribute in <${tag}>`);
    for (const a of names) assert.doesNotMatch(a[2] ?? a[3], entity, `a bare & in <${tag}>`);
    if (!stack.length) roots++;
    if (!m[3]) stack.push(m[1]);
  }
  assert.equal(stack.length, 0, `unclosed: ${stack.join(', ')}`);
  assert.equal(roots, 1);
}

function xmllint(svg) {
  const lint = which('xmllint');
  if (!lint) return null;
  const run = spawnSync(lint, ['--noout', '-'], { input: svg, encoding: 'utf8' });
  assert.equal(run.status, 0, `xmllint: ${run.stderr}`);
  return true;
}

test('heatmapSVG: standalone, well-formed, the page\'s colours and text, heads side by side', () => {
  const w = byName.lecture.stages.attn_weights;
  const tokens = ['I', 'am', 'good'];
  const svg = Export.heatmapSVG('attn_weights', w.shape, w.data, { rowLabels: tokens, colLabels: tokens });
  checkXML(svg);
  xmllint(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/);
  assert.match(svg, /<title>attn_weights \(3×3\)<\/title>/);
  for (const [, family] of svg.matchAll(/font-family="([^"]*)"/g)) assert.match(family, /^(sans-serif|serif|monospace)$/);
  const { background, color } = Format.cellColours(w.data[0], 'sequential', 1, 'light');
  assert.ok(svg.includes(`fill="${background}"/>\n<text`), 'the first cell has the page\'s colour');
  assert.ok(svg.includes(`fill="${color}" text-anchor="middle">${Format.cellText(w.data[0])}</text>`), 'the number in the page\'s text colour');
  assert.equal(svg.match(/<rect x=/g).length, 9);
  for (const t of tokens) assert.ok(svg.includes(`>${t}</text>`));

  const s = byName.fully_masked_row.stages;
  const scores = Export.heatmapSVG('scores', s.scores.shape, s.scores.data, { theme: 'dark', kind: 'diverging' });
  checkXML(scores);
  xmllint(scores);
  assert.equal(scores.match(/<g class="head" data-head="\d">/g).length, 2);
  assert.match(scores, />head 1<\/text>/);
  assert.match(scores, /<rect width="100%" height="100%" fill="#1e2127"\/>/);
  assert.match(scores, /stroke-dasharray/, '−∞ is drawn dashed');
  assert.match(scores, />−∞<\/text>/);
  const scale = Format.niceScale(Format.maxAbs(s.scores.data));
  const first = Format.cellColours(s.scores.data[0], 'diverging', scale, 'dark');
  assert.ok(scores.includes(`fill="${first.background}"/>`), 'diverging colours scaled as on the page, over the heads');
  const [head0, head1] = scores.split('<g class="head"').slice(1).map((group) => [...group.matchAll(/<rect x="([\d.]+)" y="([\d.]+)"/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) })));
  assert.ok(Math.min(...head1.map((r) => r.x)) > Math.max(...head0.map((r) => r.x)), 'head 1 to the right of head 0');
  assert.equal(head1[0].y, head0[0].y, 'heads side by side, on one line');
  const weights = Export.heatmapSVG('weights', s.weights.shape, s.weights.data, { numbers: false });
  checkXML(weights);
  assert.match(weights, /fill="url\(#attn-nan-weights\)"/, 'NaN hatched');
  assert.doesNotMatch(weights, /text-anchor="middle">/, 'no numbers');
});

test('heatmapSVG: user text is XML-escaped', () => {
  const tokens = [EVIL, 'a&b "c" \'d\'', 'ctrl\u0001\u0008\uFFFF\uD800x', ']]> <!-- -->'];
  const svg = Export.heatmapSVG('attn_weights', [4, 4], new Float32Array(16).fill(0.25), { rowLabels: tokens, colLabels: tokens, title: `${EVIL} & title` });
  checkXML(svg);
  const linted = xmllint(svg);
  assert.doesNotMatch(svg, /<img/);
  assert.ok(svg.includes('&lt;img src=x onerror=alert(1)&gt;</text>'));
  assert.ok(svg.includes('a&amp;b &quot;c&quot; &#39;d&#39;</text>'));
  assert.ok(svg.includes('>ctrlx</text>'), 'characters XML cannot hold are dropped');
  assert.ok(svg.includes(']]&gt; &lt;!-- --&gt;</text>'));
  assert.ok(svg.includes('aria-label="&lt;img src=x onerror=alert(1)&gt; &amp; title"'));
  if (!linted) console.log('# xmllint not installed: checked with the built-in well-formedness check only');
});

test('the module is pure and classic: no DOM at load, one global in a page', () => {
  const vm = require('node:vm');
  const context = { AttnCase: require('../web/case.js'), AttnFormat: Format };
  vm.createContext(context);
  vm.runInContext(readFileSync(join(ROOT, 'web/page/model/export.js'), 'utf8'), context);
  assert.deepEqual(Object.keys(context), ['AttnCase', 'AttnFormat', 'AttnExport']);
  assert.equal(typeof context.AttnExport.heatmapSVG, 'function');
  assert.equal(typeof context.AttnExport.pytorchSnippet, 'function');
});
