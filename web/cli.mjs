#!/usr/bin/env node
// cli.mjs: one forward pass from the command line.
//
//   node web/cli.mjs CASE.json     (or - for stdin)
//
// Prints every stage as JSON, one stage a line, non-finite numbers as the
// strings "NaN", "Infinity", "-Infinity". A case with "grad_output" (L×E),
// and optionally "grad_attn_weights" and "grad_weights", also gets the backward
// pass: after the stages, one line a gradient keyed "grad.<name>". Bad input: one line on stderr
// naming the key and the problem, exit 1. Wrong usage: exit 2. What PyTorch 2
// warns of (masks of two types) goes to stderr as "attention-cli: warning: ...",
// and the exit status stays 0.
import { readFileSync } from 'node:fs';
import { createAttention, supportedBuilds, parseCase, parseJSON, stagesToJSON } from './attention.mjs';

const usage = async () => `usage: attention-cli [--relaxed | --simd | --scalar] CASE.json
  CASE.json   a case in the JSON format of README.md, or - to read stdin
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
const flags = args.filter((a) => a.startsWith('--'));
const files = args.filter((a) => !a.startsWith('--'));
const unknown = flags.filter((f) => !Object.hasOwn(BUILD_FLAGS, f));
if (unknown.length) fail(`unknown option ${unknown[0]}\n${await usage()}`, 2);
if (files.length !== 1) fail(`expected one case file (or -), got ${files.length}; see --help`, 2);
if (flags.length > 1) fail('give at most one of --relaxed, --simd and --scalar', 2);

const path = files[0];
let text;
try {
  text = readFileSync(path === '-' ? 0 : path, 'utf8');
} catch (e) {
  fail(`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
}

try {
  const parsed = parseCase(parseJSON(text, path === '-' ? 'stdin' : path));
  for (const warning of parsed.warnings) process.stderr.write(`attention-cli: warning: ${warning}\n`);
  const attention = await createAttention({ build: BUILD_FLAGS[flags[0]] }).catch((e) => fail(e.message)); /* a build this Node cannot run */
  const stages = attention.forward(parsed);
  const grads = parsed.grads ? attention.backward(parsed.grads) : null;
  process.stdout.write(stagesToJSON(stages, grads) + '\n');
} catch (e) {
  if (e.name === 'CaseError' || e.name === 'CoreError') fail(e.message);
  throw e;
}
