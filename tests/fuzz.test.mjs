// fuzz.test.mjs: the libFuzzer target (tests/fuzz/fuzz_attn.c, under ASan and
// UBSan) replays the seed corpus and every input that once broke the core,
// without fuzzing. `make fuzz` is what fuzzes; this only keeps old findings fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './helpers.mjs';

const FUZZER = join(ROOT, 'build', 'fuzz-attn');
const INPUT_DIRS = ['corpus', 'regressions'].map((d) => join(ROOT, 'tests', 'fuzz', d));

/* The Makefile's FUZZ_CC: clang-14, else clang. */
const clang = spawnSync('sh', ['-c', 'command -v clang-14 || command -v clang'], { encoding: 'utf8' }).stdout.trim();

test('the fuzz target replays tests/fuzz/corpus and tests/fuzz/regressions without a failure', {
  skip: clang ? false : 'clang (Debian: clang-14 and libclang-rt-14-dev, which `.ci/deps test` installs) is not installed, so the libFuzzer target cannot be built',
  timeout: 5 * 60 * 1000,
}, () => {
  const build = spawnSync('make', ['--no-print-directory', 'build/fuzz-attn'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, `make build/fuzz-attn failed:\n${build.stdout}${build.stderr}`);

  const files = INPUT_DIRS.flatMap((dir) => readdirSync(dir).sort().map((f) => join(dir, f)));
  assert.ok(files.length > 0, 'no inputs to replay');
  // Given files (not directories), libFuzzer runs each once and writes nothing.
  const run = spawnSync(FUZZER, ['-timeout=60', '-rss_limit_mb=4096', ...files], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26,
    env: { ...process.env, FUZZ_ATTN_TRACE: '0' },
  });
  const failed = run.stderr.match(/^Running: (.*)$/gm)?.at(-1)?.slice('Running: '.length);
  assert.equal(run.status, 0,
    `the fuzz target failed (exit ${run.status}${run.signal ? `, ${run.signal}` : ''})` +
    `${failed ? ` on ${relative(ROOT, failed)}` : ''}; replay it with FUZZ_ATTN_TRACE=1 build/fuzz-attn FILE\n` +
    run.stderr.split('\n').filter((l) => !/^(Running|Executed|INFO):? /.test(l)).join('\n').slice(0, 8000));
  const executed = run.stderr.match(/^Executed /gm)?.length ?? 0;
  assert.equal(executed, files.length, `${executed} of ${files.length} inputs were run`);
});
