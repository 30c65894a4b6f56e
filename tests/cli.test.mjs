// cli.test.mjs: the CLI prints every stage of every fixture, from a file and
// from stdin, in the JSON format, non-finite numbers as strings, and with
// grad_* keys every gradient; PyTorch 2's warning for masks of two types on
// stderr; its builds (--scalar, --relaxed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixtures, flatten, compareStages, ROOT } from './helpers.mjs';
import { supportedBuilds } from '../web/attention.mjs';

const CLI = join(ROOT, 'web', 'cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'attention-cli-'));

const fixtures = loadFixtures();
const lecture = fixtures.find((f) => f.name === 'lecture');
/* PyTorch 2's warning for masks of two types, as the CLI prints it. */
const MISMATCHED = 'attention-cli: warning: Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for both instead.\n';
const isBool = (mask) => typeof [mask].flat(Infinity)[0] === 'boolean';
const mixedMasks = (c) => c.attn_mask != null && c.key_padding_mask != null && isBool(c.attn_mask) !== isBool(c.key_padding_mask);
/* What the CLI printed, as { stage: { shape, data } }. */
const stagesOf = (stdout) => Object.fromEntries(Object.entries(JSON.parse(stdout)).map(([k, v]) => [k, flatten(v)]));

for (const f of fixtures) {
  test(`cli: ${f.name}`, () => {
    const path = join(dir, `${f.name}.json`);
    writeFileSync(path, JSON.stringify(f.case));
    const run = spawnSync(process.execPath, [CLI, path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, mixedMasks(f.case) ? MISMATCHED : '', 'PyTorch 2\'s warning exactly when the masks\' types differ');
    const got = stagesOf(run.stdout);
    assert.deepEqual(Object.keys(got), ['q', 'k', 'v', 'q_scaled', 'scores', 'weights', 'attn_weights', 'context', 'output']);
    const failures = compareStages(got, f.stages);
    assert.deepEqual(failures, [], failures[0]);
    if (f.stages.weights.data.some(Number.isNaN)) assert.match(run.stdout, /"NaN"/);
    if (f.stages.scores.data.includes(-Infinity)) assert.match(run.stdout, /"-Infinity"/);
  });
}

test('cli: with grad_output (and grad_attn_weights, grad_weights), every fixture\'s gradients after its stages, one a line', () => {
  for (const f of fixtures) {
    const run = spawnSync(process.execPath, [CLI, '-'], { input: JSON.stringify({ ...f.case, ...f.grad_inputs }), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    const keys = lines.slice(1, -1).map((line) => JSON.parse(`{${line.replace(/,$/, '')}}`)).map((o) => Object.keys(o)[0]);
    const inputs = Object.keys(f.grads).filter((name) => !(name in f.stages));
    assert.deepEqual(keys, [...Object.keys(f.stages), ...inputs.map((n) => `grad.${n}`), ...Object.keys(f.stages).map((n) => `grad.${n}`)], `${f.name}: the lines, in order`);
    const printed = stagesOf(run.stdout);
    const got = Object.fromEntries(Object.keys(f.grads).map((name) => [name, printed[`grad.${name}`]]));
    const failures = [...compareStages(printed, f.stages), ...compareStages(got, f.grads)];
    assert.deepEqual(failures, [], `${f.name}: ${failures[0]}`);
  }
});

test('cli: reads stdin with -, and the scalar build gives the same stages', () => {
  const input = JSON.stringify(lecture.case);
  const simd = spawnSync(process.execPath, [CLI, '-'], { input, encoding: 'utf8' });
  const scalar = spawnSync(process.execPath, [CLI, '--scalar', '-'], { input, encoding: 'utf8' });
  assert.equal(simd.status, 0, simd.stderr);
  assert.equal(scalar.status, 0, scalar.stderr);
  assert.deepEqual(compareStages(stagesOf(scalar.stdout), stagesOf(simd.stdout)), []);
});

test('cli: --relaxed runs the relaxed build (Node 20 with --experimental-wasm-relaxed-simd), stages and gradients; without the flag it says what is missing', () => {
  const input = JSON.stringify({ ...lecture.case, ...lecture.grad_inputs });
  const run = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', CLI, '--relaxed', '-'], { input, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const printed = stagesOf(run.stdout);
  const grads = Object.fromEntries(Object.keys(lecture.grads).map((name) => [name, printed[`grad.${name}`]]));
  assert.deepEqual([...compareStages(printed, lecture.stages), ...compareStages(grads, lecture.grads)], []);
  const help = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', CLI, '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /default: createAttention\(\)'s choice, .*\n.*: here relaxed\)/);
  if (supportedBuilds().includes('relaxed')) return; /* this Node runs it without the flag */
  const without = spawnSync(process.execPath, [CLI, '--relaxed', '-'], { input, encoding: 'utf8' });
  assert.equal(without.status, 1);
  assert.match(without.stderr, /^attention-cli: this engine cannot run the relaxed build: it needs wasm relaxed SIMD .*--experimental-wasm-relaxed-simd\)\n$/);
  assert.equal(without.stdout, '');
});

test('cli: null counts as absent, and the forward arguments PyTorch takes are accepted', () => {
  const input = JSON.stringify({ ...lecture.case, key: null, value: null, attn_mask: null, key_padding_mask: null,
    bias_k: null, bias_v: null, kdim: null, vdim: null, q_proj_weight: null, need_weights: true, dropout: 0.0, batch_first: false });
  const run = spawnSync(process.execPath, [CLI, '-'], { input, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(compareStages(stagesOf(run.stdout), lecture.stages), []);
});

test('cli: --svg STAGE prints that stage as the widget draws it, the core\'s numbers and the tokens; a stage the case lacks or a stray --theme is a usage error', async () => {
  const { createAttention } = await import('../web/attention.mjs');
  const Format = (await import('../web/page/model/format.js')).default;
  const path = join(dir, 'poster.json');
  writeFileSync(path, JSON.stringify(lecture.case));
  const run = spawnSync(process.execPath, [CLI, '--svg', 'weights', path], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* role="img"/);
  const weights = (await createAttention({ build: 'simd' })).forward(lecture.case).weights.data;
  const texts = [...run.stdout.matchAll(/<text [^>]*text-anchor="middle">([^<]*)<\/text>/g)].map((m) => m[1]);
  for (const x of weights) assert.ok(texts.includes(Format.cellText(x)), `${Format.cellText(x)} drawn`);
  for (const token of lecture.case.tokens) assert.match(run.stdout, new RegExp(`>${token}</text>`), `the token ${token} labels it`);
  assert.match(run.stdout, /fill="#ffffff"/, 'light by default');
  assert.match(spawnSync(process.execPath, [CLI, '--svg', 'output', '--theme', 'dark', path], { encoding: 'utf8' }).stdout, /fill="#1e2127"/, '--theme dark');
  for (const [args, message] of [
    [['--svg', 'nope', path], /^attention-cli: --svg: no stage nope in this case; it has query, .*weights.*\n$/],
    [['--theme', 'dark', path], /^attention-cli: --theme is for --svg STAGE\n$/],
    [['--svg', 'weights', '--theme', 'blue', path], /^attention-cli: --theme: expected light\|dark, got "blue"\n$/],
  ]) {
    const bad = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    assert.equal(bad.status, 2, args.join(' '));
    assert.match(bad.stderr, message);
  }
});
