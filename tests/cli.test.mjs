// cli.test.mjs: the CLI prints every stage of every fixture, from a file and
// from stdin, in the JSON format, non-finite numbers as strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixtures, flatten, compareStages, ROOT } from './helpers.mjs';

const CLI = join(ROOT, 'web', 'cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'attention-cli-'));

for (const f of loadFixtures()) {
  test(`cli: ${f.name}`, () => {
    const path = join(dir, `${f.name}.json`);
    writeFileSync(path, JSON.stringify(f.case));
    const run = spawnSync(process.execPath, [CLI, path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    const printed = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(printed), ['q', 'k', 'v', 'q_scaled', 'scores', 'weights', 'attn_weights', 'context', 'output']);
    const got = Object.fromEntries(Object.entries(printed).map(([k, v]) => [k, flatten(v)]));
    const failures = compareStages(got, f.stages);
    assert.deepEqual(failures, [], failures[0]);
    if (f.stages.weights.data.some(Number.isNaN)) assert.match(run.stdout, /"NaN"/);
    if (f.stages.scores.data.includes(-Infinity)) assert.match(run.stdout, /"-Infinity"/);
  });
}

test('cli: reads stdin with -, and the scalar build gives the same stages', () => {
  const lecture = readFileSync(join(ROOT, 'tests', 'fixtures', 'lecture.json'), 'utf8');
  const input = JSON.stringify(JSON.parse(lecture).case);
  const simd = spawnSync(process.execPath, [CLI, '-'], { input, encoding: 'utf8' });
  const scalar = spawnSync(process.execPath, [CLI, '--scalar', '-'], { input, encoding: 'utf8' });
  assert.equal(simd.status, 0, simd.stderr);
  assert.equal(scalar.status, 0, scalar.stderr);
  const a = JSON.parse(simd.stdout), b = JSON.parse(scalar.stdout);
  for (const name of Object.keys(a)) assert.deepEqual(compareStages({ [name]: flatten(a[name]) }, { [name]: flatten(b[name]) }), []);
});

test('cli: null counts as absent, and the forward arguments PyTorch takes are accepted', () => {
  const lecture = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'lecture.json'), 'utf8'));
  const input = JSON.stringify({ ...lecture.case, key: null, value: null, attn_mask: null, key_padding_mask: null,
    bias_k: null, bias_v: null, kdim: null, vdim: null, q_proj_weight: null, need_weights: true, dropout: 0.0, batch_first: false });
  const run = spawnSync(process.execPath, [CLI, '-'], { input, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const printed = JSON.parse(run.stdout);
  const got = Object.fromEntries(Object.entries(printed).map(([k, v]) => [k, flatten(v)]));
  const want = Object.fromEntries(Object.entries(lecture.stages).map(([k, v]) => [k, flatten(v)]));
  assert.deepEqual(compareStages(got, want), []);
});
