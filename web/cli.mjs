#!/usr/bin/env node
// cli.mjs: one forward pass from the command line.
//
//   node web/cli.mjs CASE.json     (or - for stdin)
//   node web/cli.mjs layer.safetensors [--num-heads 12]   (or an .npz file)
//   node web/cli.mjs model.safetensors --module layers.3.self_attn [--num-heads 12]
//
// A trained example's file (web/examples/NAME.json: a JSON object with a
// "case" key) is read as its case.
// Prints every stage as JSON, one stage a line, non-finite numbers as the
// strings "NaN", "Infinity", "-Infinity". A case with "grad_output" (L×E),
// and optionally "grad_attn_weights" and "grad_weights", also gets the backward
// pass: after the stages, one line a gradient keyed "grad.<name>". Bad input: one line on stderr
// naming the key and the problem, exit 1. Wrong usage: exit 2. What PyTorch 2
// warns of (masks of two types) goes to stderr as "attention-cli: warning: ...",
// and the exit status stays 0. --svg STAGE prints that stage as the widget
// draws it, one SVG (web/page/model/poster.js), instead: a poster to put
// inside <attention-viz> until it starts. A model file (.safetensors, .npz) is read by
// web/page/model/modelfile.js; what it does not say comes from the flags in
// MODEL_FLAGS, and num_heads (or, in a file of several attention modules,
// the module) missing is an error that names its flag.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createAttention, supportedBuilds, parseCase, parseJSON, stagesToJSON } from './attention.mjs';

const require = createRequire(import.meta.url);
const ModelFile = require('./page/model/modelfile.js');
const Poster = require('./page/model/poster.js');
const Catalogue = require('./page/model/catalogue.js');
const { Session } = require('./page/model/session.js');

/* The flags of a model file: the option each sets, and how its value reads. */
const MODEL_FLAGS = {
  '--num-heads': { key: 'num_heads', value: 'N', help: 'num_heads, when the file does not say (a state_dict does not hold it)',
    read: (text) => (/^\d+$/.test(text) && Number(text) >= 1 ? Number(text) : undefined) },
  '--module': { key: 'module', value: 'PATH', help: 'in a file of several attention modules (a whole model), the one to open, e.g. encoder.layers.3.self_attn',
    read: (text) => text },
  '--random-query': { key: 'query_rows', value: 'L', help: 'a file with no input (a checkpoint): L rows of random numbers (normal, seed 0) as its query',
    read: (text) => (/^\d+$/.test(text) && Number(text) >= 1 ? Number(text) : undefined) },
  '--add-zero-attn': { key: 'add_zero_attn', set: true, help: 'the module has add_zero_attn=True (default: the file\'s, else False)' },
  '--no-average-attn-weights': { key: 'average_attn_weights', set: false, help: 'attn_weights per head (forward(average_attn_weights=False))' },
  '--tokens': { key: 'tokens', value: 'JSON', help: 'token labels, e.g. \'["I","am","good"]\' (default: the file\'s, else t0, t1, ...)',
    read: (text) => { try { return JSON.parse(text); } catch { return undefined; } } },
};

/* --svg STAGE and its --theme: a picture instead of the numbers */
const PICTURE_FLAGS = {
  '--svg': { key: 'stage', value: 'STAGE', help: 'print that stage as the widget draws it, an SVG (e.g. weights)', read: (text) => text || undefined },
  '--theme': { key: 'theme', value: 'light|dark', help: 'the SVG\'s colours (default light)', read: (text) => (['light', 'dark'].includes(text) ? text : undefined) },
};

const usage = async () => `usage: attention-cli [--relaxed | --simd | --scalar] [--svg STAGE [--theme light|dark]] CASE.json
       attention-cli [--relaxed | --simd | --scalar] [--svg STAGE] [model file flags] MODEL.safetensors | MODEL.npz
  CASE.json   a case in the JSON format of README.md, or - to read stdin;
              an example file (web/examples/NAME.json) computes its "case"
  MODEL.*     a state_dict saved with safetensors or numpy.savez (README.md),
              with query (and key, value) beside it; its options are these
              flags, else the file's (safetensors __metadata__, .npz entries):
${Object.entries(MODEL_FLAGS).map(([flag, f]) => `    ${`${flag}${f.value ? ` ${f.value}` : ''}`.padEnd(27)} ${f.help}`).join('\n')}
${Object.entries(PICTURE_FLAGS).map(([flag, f]) => `  ${`${flag} ${f.value}`.padEnd(29)} ${f.help}`).join('\n')}
  --relaxed   use the relaxed-SIMD wasm build, or fail (Node 20 runs it only
              with node --experimental-wasm-relaxed-simd)
  --simd      use the SIMD wasm build, or fail
  --scalar    use the scalar wasm build
  (default: createAttention()'s choice, the first of relaxed, SIMD and scalar
  that this Node runs: here ${supportedBuilds()[0]})
Prints every stage (${(await createAttention()).stageNames.join(', ')}) as JSON, in
the order they are computed; with "grad_output" (and optionally
"grad_attn_weights", "grad_weights") in the case, then the gradient of every
input and stage, keyed "grad.<name>".`;

const BUILD_FLAGS = { '--relaxed': 'relaxed', '--simd': 'simd', '--scalar': 'scalar' };

function fail(message, code = 1) {
  process.stderr.write(`attention-cli: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(await usage() + '\n');
  process.exit(0);
}
const flags = [], files = [], options = {}, picture = {}; /* options: from MODEL_FLAGS; picture: from PICTURE_FLAGS */
for (let i = 0; i < args.length; i++) {
  if (!args[i].startsWith('--')) { files.push(args[i]); continue; }
  const [flag, inline] = args[i].split(/=(.*)/s);
  const spec = MODEL_FLAGS[flag] || PICTURE_FLAGS[flag], into = MODEL_FLAGS[flag] ? options : picture;
  if (!spec) { flags.push(args[i]); continue; }
  if (!spec.value) { into[spec.key] = spec.set; continue; }
  const text = inline ?? args[++i];
  if (text === undefined) fail(`${flag} needs a value (${spec.value}); see --help`, 2);
  into[spec.key] = spec.read(text);
  if (into[spec.key] === undefined) fail(`${flag}: expected ${['num_heads', 'query_rows'].includes(spec.key) ? 'a positive whole number' : spec.key === 'tokens' ? 'JSON such as \'["I","am","good"]\'' : spec.value}, got ${JSON.stringify(text)}`, 2);
}
if (picture.theme && !picture.stage) fail('--theme is for --svg STAGE', 2);
const unknown = flags.filter((f) => !Object.hasOwn(BUILD_FLAGS, f));
if (unknown.length) fail(`unknown option ${unknown[0]}\n${await usage()}`, 2);
if (files.length !== 1) fail(`expected one case file (or -), got ${files.length}; see --help`, 2);
if (flags.length > 1) fail('give at most one of --relaxed, --simd and --scalar', 2);

const path = files[0];
const isModel = ModelFile.isModelFile(path);
if (!isModel && Object.keys(options).length) {
  const flag = Object.keys(MODEL_FLAGS).find((f) => MODEL_FLAGS[f].key in options);
  fail(`${flag} is for model files (.safetensors, .npz); a JSON case ${flag === '--module' ? 'is one module' : 'holds its options itself'}`, 2);
}
let text;
try {
  text = readFileSync(path === '-' ? 0 : path, isModel ? null : 'utf8');
} catch (e) {
  fail(`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
}

/* A model file's case, or exit 1 with its first problem (and what flag a
 * missing option takes). */
async function modelCase(bytes) {
  const result = await ModelFile.readModelFile(bytes, path, { options });
  if (result.missing) {
    const m = result.missing[0], flag = Object.keys(MODEL_FLAGS).find((f) => MODEL_FLAGS[f].key === m.key);
    fail(`${m.message}; pass ${flag} ${MODEL_FLAGS[flag].value || ''}`.trim());
  }
  if (result.errors) {
    const [first, ...more] = result.errors;
    fail(`${first.message}${more.length ? ` (and ${more.length} more problem${more.length > 1 ? 's' : ''})` : ''}`);
  }
  return result.case;
}

try {
  const json = isModel ? null : parseJSON(text, path === '-' ? 'stdin' : path);
  const isExample = json !== null && typeof json === 'object' && !Array.isArray(json) && Object.hasOwn(json, 'case');
  const parsed = parseCase(isModel ? await modelCase(text) : isExample ? json.case : json);
  for (const warning of parsed.warnings) process.stderr.write(`attention-cli: warning: ${warning}\n`);
  const attention = await createAttention({ build: BUILD_FLAGS[flags[0]] }).catch((e) => fail(e.message)); /* a build this Node cannot run */
  if (picture.stage) {
    const session = new Session({ attention, state: { case: isModel ? await modelCase(text) : isExample ? json.case : json, view: {} } });
    const svg = Poster.stageSVG(session, picture.stage, { theme: picture.theme });
    if (!svg) fail(`--svg: no stage ${picture.stage} in this case; it has ${Catalogue.matrixCards(session.sections()).map((card) => card.stage).join(', ')}`, 2);
    process.stdout.write(svg);
    process.exit(0);
  }
  const stages = attention.forward(parsed);
  const grads = parsed.grads ? attention.backward(parsed.grads) : null;
  process.stdout.write(stagesToJSON(stages, grads) + '\n');
} catch (e) {
  if (e.name === 'CaseError' || e.name === 'CoreError') fail(e.message);
  throw e;
}
