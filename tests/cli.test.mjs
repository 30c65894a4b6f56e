// cli.test.mjs: the CLI prints every stage of every fixture, from a file and
// from stdin, in the JSON format, non-finite numbers as strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixtures, flatten, compareStages, ROOT } from './helpers.mjs';

const CLI = join(ROOT, 'web', 'cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'attention-cli-'));

const fixtures = loadFixtures();
const lecture = fixtures.find((f) => f.name === 'lecture');
/* What the CLI printed, as { stage: { shape, data } }. */
const stagesOf = (stdout) => Object.fromEntries(Object.entries(JSON.parse(stdout)).map(([k, v]) => [k, flatten(v)]));

for (const f of fixtures) {
  test(`cli: ${f.name}`, () => {
    const path = join(dir, `${f.name}.json`);
    writeFileSync(path, JSON.stringify(f.case));
    const run = spawnSync(process.execPath, [CLI, path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    const got = stagesOf(run.stdout);
    assert.deepEqual(Object.keys(got), ['q', 'k', 'v', 'q_scaled', 'scores', 'weights', 'attn_weights', 'context', 'output']);
    const failures = compareStages(got, f.stages);
    assert.deepEqual(failures, [], failures[0]);
    if (f.stages.weights.data.some(Number.isNaN)) assert.match(run.stdout, /"NaN"/);
    if (f.stages.scores.data.includes(-Infinity)) assert.match(run.stdout, /"-Infinity"/);
  });
}

test('cli: reads stdin with -, and the scalar build gives the same stages', () => {
  const input = JSON.stringify(lecture.case);
  const simd = spawnSync(process.execPath, [CLI, '-'], { input, encoding: 'utf8' });
  const scalar = spawnSync(process.execPath, [CLI, '--scalar', '-'], { input, encoding: 'utf8' });
  assert.equal(simd.status, 0, simd.stderr);
  assert.equal(scalar.status, 0, scalar.stderr);
  assert.deepEqual(compareStages(stagesOf(scalar.stdout), stagesOf(simd.stdout)), []);
});

test('cli: null counts as absent, and the forward arguments PyTorch takes are accepted', () => {
  const input = JSON.stringify({ ...lecture.case, key: null, value: null, attn_mask: null, key_padding_mask: null,
    bias_k: null, bias_v: null, kdim: null, vdim: null, q_proj_weight: null, need_weights: true, dropout: 0.0, batch_first: false });
  const run = spawnSync(process.execPath, [CLI, '-'], { input, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(compareStages(stagesOf(run.stdout), lecture.stages), []);
});
