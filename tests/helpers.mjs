// helpers.mjs: what the test suites share: the fixtures, the tolerance check,
// the native driver, and seeded random cases and losses.
import { supportedBuilds } from '../web/attention.mjs';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import Cases from '../web/page/model/cases.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURE_DIR = join(ROOT, 'tests', 'fixtures');

/* Every fixture: { name, description, case, stages, grad_inputs, grads } with
 * the JSON strings for non-finite numbers turned back into numbers in stages
 * and grads. grad_inputs holds the case keys grad_output (and for some,
 * grad_attn_weights and grad_weights) of the loss whose gradients grads holds,
 * of every input and stage by name. */
export function loadFixtures() {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort().map((file) => {
    const doc = JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8'));
    if (doc.version !== 1) throw new Error(`${file}: fixture version ${doc.version}, expected 1`);
    const stages = {};
    for (const [name, nested] of Object.entries(doc.stages)) stages[name] = flatten(nested);
    const grads = {};
    for (const [name, nested] of Object.entries(doc.grads)) grads[name] = flatten(nested);
    return { ...doc, stages, grads };
  });
}

/* Debian's python3 and whether it has python3-torch (the export tests run PyTorch when it does) */
export const PYTHON = '/usr/bin/python3';
export const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

export const NON_FINITE = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/* Nested arrays (numbers or the non-finite strings) -> { shape, data: Float64Array } */
export function flatten(nested) {
  const shape = [];
  for (let level = nested; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values = nested.flat(Infinity).map((x) => (typeof x === 'string' ? NON_FINITE[x] : x));
  return { shape, data: Float64Array.from(values) };
}

/* The acceptance tolerance: |a - b| <= rtol·|ref| + atol·max(1, max|ref|) over
 * the stage, with NaN and ±inf required exactly where the reference has them. */
export const RTOL = 1e-4;
export const ATOL = 2e-5;

/* Returns null when got matches want, or a message naming the first bad index. */
export function compareStage(name, got, want, { rtol = RTOL, atol = ATOL } = {}) {
  if (JSON.stringify(got.shape) !== JSON.stringify(want.shape))
    return `${name}: shape [${got.shape}], expected [${want.shape}]`;
  let scale = 1;
  for (const x of want.data) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
  for (let i = 0; i < want.data.length; i++) {
    const a = got.data[i], b = want.data[i];
    const ok = Number.isFinite(b) ? Math.abs(a - b) <= rtol * Math.abs(b) + atol * scale : Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
    if (!ok) return `${name}[${unravel(i, want.shape).join('][')}]: got ${a}, expected ${b} (tolerance ${(rtol * Math.abs(b) + atol * scale).toExponential(2)})`;
  }
  return null;
}

export function unravel(index, shape) {
  const at = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(index % shape[d]);
    index = Math.floor(index / shape[d]);
  }
  return at;
}

/* All stages of got against want; returns the failures (empty when all pass). */
export function compareStages(got, want, options) {
  return Object.keys(want).map((name) => (got[name] ? compareStage(name, got[name], want[name], options) : `${name}: missing`)).filter(Boolean);
}

/* ---- the builds under test ---- */

/* The builds that core.test.mjs, random.test.mjs and binding.test.mjs check: ATTN_BUILDS
 * (comma-separated names of relaxed, simd, scalar, native) when it is set;
 * otherwise every wasm build this engine runs, and the native one. Node 20
 * runs the relaxed build only with --experimental-wasm-relaxed-simd:
 * relaxed.test.mjs runs those three suites again with the flag and
 * ATTN_BUILDS=relaxed when this Node lacks it. */
export const TESTED_BUILDS = process.env.ATTN_BUILDS ? process.env.ATTN_BUILDS.split(',') : [...supportedBuilds(), 'native'];
export const TESTED_WASM_BUILDS = TESTED_BUILDS.filter((b) => b !== 'native');

/* ---- the native driver (core/driver.c) ---- */

export const NATIVE = join(ROOT, 'build', 'attn-native');
export const NATIVE_ASAN = join(ROOT, 'build', 'attn-native-asan');

/* A float for the driver: %f-readable, with the C spellings of non-finite. */
function driverNumber(x) {
  return Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : String(x);
}

/* The driver's commands for one parsed case, given the config field order;
 * with grads ({ stage: data } of dL/d output, attn_weights, weights), then
 * its backward pass. */
export function driverScript(parsed, configFields, command = 'forward', grads = null) {
  const lines = [`config ${configFields.map((f) => parsed.config[f]).join(' ')}`];
  for (const [name, data] of Object.entries(parsed.inputs)) lines.push(`input ${name} ${Array.from(data, driverNumber).join(' ')}`);
  lines.push(command);
  if (grads) {
    for (const stage of ['output', 'attn_weights', 'weights'])
      if (grads[stage]) lines.push(`grad_input ${stage} ${Array.from(grads[stage], driverNumber).join(' ')}`);
    lines.push('backward');
  }
  return lines.join('\n') + '\n';
}

/* Runs the driver on a script; returns { results: [stages | grads | {error}
 * | {medianMs, minMs}], stderr, status }: a forward's stages and a backward's
 * gradients (of inputs and stages by name) each make one result. */
export function runDriver(binary, script) {
  const run = spawnSync(binary, [], { input: script, encoding: 'utf8', maxBuffer: 1 << 28 });
  const results = [];
  let current = null, kind = null;
  for (const line of run.stdout.split('\n')) {
    const words = line.split(' ');
    if (words[0] === 'error') results.push({ error: { code: Number(words[1]), message: words.slice(2).join(' ') } });
    if (words[0] === 'time') results.push({ medianMs: Number(words[1]), minMs: Number(words[2]) });
    if (words[0] !== 'stage' && words[0] !== 'grad') { current = null; continue; }
    if (!current || kind !== words[0] || words[1] in current) results.push((current = {})); /* the next pass's */
    kind = words[0];
    const rank = Number(words[2]);
    const shape = words.slice(3, 3 + rank).map(Number);
    const data = Float64Array.from(words.slice(6), (w) => (/nan/.test(w) ? NaN : w === 'inf' ? Infinity : w === '-inf' ? -Infinity : Number(w)));
    current[words[1]] = { shape, data };
  }
  return { results, stderr: run.stderr, status: run.status };
}

/* ---- seeded random cases ---- */

/* The page's seeded generator (mulberry32), so a failing case can be replayed. */
export const { seededRandom } = Cases;

/* A product past float32: the lecture with query[0][0] = FLT_MAX. q·kᵀ then
 * sums +inf and a product below -FLT_MAX: inf - inf, NaN, in PyTorch 1.13
 * (checked with Debian's python3-torch) as in a mul then an add; a fused
 * multiply-add, which does not round the product, gives +inf. */
export function overflowingCase() {
  const c = structuredClone(loadFixtures().find((f) => f.name === 'lecture').case);
  c.query[0][0] = 3.4028234663852886e38;
  return c;
}

/* A seeded loss for stages of these shapes ({ name: { shape } }), as
 * backward() takes it, nested: dL/d output always, dL/d attn_weights for half
 * of the calls, dL/d weights for a third. */
export function randomGradients(random, stages) {
  const like = ({ shape }) => {
    const fill = (depth) => Array.from({ length: shape[depth] }, () => (depth + 1 < shape.length ? fill(depth + 1) : Math.fround(random() * 2 - 1)));
    return fill(0);
  };
  const given = { output: like(stages.output) };
  if (random() < 0.5) given.attn_weights = like(stages.attn_weights);
  if (random() < 0.3) given.weights = like(stages.weights);
  return given;
}

/* A random case in the JSON format: every option, shapes up to the limits given. */
export function randomCase(random, { minLen = 1, maxLen = 9, minHeads = 1, maxHeads = 4, minHeadDim = 1, maxHeadDim = 6 } = {}) {
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const chance = (p) => random() < p;
  const matrix = (rows, cols, scale) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround((random() * 2 - 1) * scale)));
  const vector = (n, scale) => matrix(1, n, scale)[0];
  const H = int(minHeads, maxHeads), E = H * int(minHeadDim, maxHeadDim), L = int(minLen, maxLen);
  const cross = chance(0.4);
  const S = cross ? int(minLen, maxLen) : L;
  const kdim = cross && chance(0.5) ? int(1, 8) : E;
  const vdim = cross && chance(0.5) ? int(1, 8) : E;
  const c = {
    embed_dim: E, num_heads: H, bias: chance(0.7), add_bias_kv: chance(0.3), add_zero_attn: chance(0.3),
    kdim, vdim, average_attn_weights: chance(0.6), query: matrix(L, E, 1),
  };
  if (cross || kdim !== E || vdim !== E) {
    c.key = matrix(S, kdim, 1);
    c.value = matrix(S, vdim, 1);
  }
  const w = 1.5 / Math.sqrt(E);
  if (kdim === E && vdim === E) c.in_proj_weight = matrix(3 * E, E, w * Math.sqrt(E));
  else Object.assign(c, { q_proj_weight: matrix(E, E, 1), k_proj_weight: matrix(E, kdim, 1), v_proj_weight: matrix(E, vdim, 1) });
  if (c.bias) c.in_proj_bias = vector(3 * E, 0.5);
  if (c.add_bias_kv) Object.assign(c, { bias_k: vector(E, 1), bias_v: vector(E, 1) });
  c['out_proj.weight'] = matrix(E, E, 1);
  if (c.bias) c['out_proj.bias'] = vector(E, 0.5);
  const maskKind = int(0, 2); /* none, bool, float */
  const perHead = chance(0.3);
  const maskCell = () => (maskKind === 1 ? chance(0.25) : chance(0.15) ? '-Infinity' : Math.fround(random() * 4 - 2));
  if (maskKind) c.attn_mask = perHead ? Array.from({ length: H }, () => Array.from({ length: L }, () => Array.from({ length: S }, maskCell)))
    : Array.from({ length: L }, () => Array.from({ length: S }, maskCell));
  const padKind = int(0, 2);
  if (padKind === 1) c.key_padding_mask = Array.from({ length: S }, () => chance(0.2));
  if (padKind === 2) c.key_padding_mask = Array.from({ length: S }, () => (chance(0.2) ? '-Infinity' : Math.fround(random() * 2 - 1)));
  return c;
}
