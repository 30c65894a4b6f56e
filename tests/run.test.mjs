// run.test.mjs: the runner behind `make test` (tests/run.mjs) fails when a
// test fails, so that CI cannot pass a red suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';

test('run.mjs exits 1 when a test fails or a file cannot load, 0 when all pass (a failing todo too)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-test-'));
  const file = (name, text) => { writeFileSync(join(dir, name), `import { test } from 'node:test';\n${text}\n`); return join(dir, name); };
  const passes = file('passes.test.mjs', "test('passes', () => {});");
  const fails = file('fails.test.mjs', "test('fails', () => { throw new Error('no'); });");
  const todo = file('todo.test.mjs', "test.todo('a todo that fails', () => { throw new Error('not yet'); });");
  const broken = file('broken.test.mjs', 'this is not JavaScript (');
  /* (without NODE_TEST_CONTEXT, which this test's own runner set: with it, run.mjs exited 0 though a test failed) */
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  const run = (...files) => spawnSync(process.execPath, [join(ROOT, 'tests', 'run.mjs'), ...files], { encoding: 'utf8', env });
  try {
    assert.equal(run(passes, todo).status, 0);
    const failed = run(fails, passes);
    assert.equal(failed.status, 1);
    assert.match(failed.stdout, /not ok \d+ - fails/);
    assert.equal(run(broken, passes).status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
