#!/usr/bin/env node
// cli.mjs: one forward pass from the command line.
//
//   node web/cli.mjs CASE.json     (or - for stdin)
//
// Prints every stage as JSON, one stage a line, non-finite numbers as the
// strings "NaN", "Infinity", "-Infinity". Bad input: one line on stderr
// naming the key and the problem, exit 1. Wrong usage: exit 2.
import { readFileSync } from 'node:fs';
import { createAttention, parseCase, parseJSON, stagesToJSON, STAGE_NAMES } from './attention.mjs';

const USAGE = `usage: attention-cli [--scalar | --simd] CASE.json
  CASE.json   a case in the JSON format of README.md, or - to read stdin
  --scalar    use the scalar wasm build (default: SIMD when supported)
  --simd      use the SIMD wasm build, or fail
Prints every stage (${STAGE_NAMES.join(', ')}) as JSON.`;

function fail(message, code = 1) {
  process.stderr.write(`attention-cli: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
const flags = args.filter((a) => a.startsWith('--'));
const files = args.filter((a) => !a.startsWith('--'));
const unknown = flags.filter((f) => f !== '--scalar' && f !== '--simd');
if (unknown.length) fail(`unknown option ${unknown[0]}\n${USAGE}`, 2);
if (files.length !== 1) fail(`expected one case file (or -), got ${files.length}; see --help`, 2);
if (flags.length > 1) fail('give at most one of --scalar and --simd', 2);

const path = files[0];
let text;
try {
  text = readFileSync(path === '-' ? 0 : path, 'utf8');
} catch (e) {
  fail(`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
}

try {
  const parsed = parseCase(parseJSON(text, path === '-' ? 'stdin' : path));
  const attention = await createAttention({ simd: flags[0] === '--simd' ? true : flags[0] === '--scalar' ? false : undefined });
  process.stdout.write(stagesToJSON(attention.forward(parsed)) + '\n');
} catch (e) {
  if (e.name === 'CaseError' || e.name === 'CoreError') fail(e.message);
  throw e;
}
