// run.mjs: every tests/*.test.mjs (or the files named on its command line),
// two files at a time, the longest first.
//
// `node --test` runs its files in name order, so views.test.mjs (the longest:
// 4 to 6 minutes, its two browsers one after the other) began late and ran
// on alone. Scheduled in name order, the files' measured durations leave one
// of the two workers idle for about 3.5 minutes at the end; longest first,
// about 15 seconds. Any file not named in LONGEST runs after them, in name order.
// Two at a time: most of a browser test's time is the browser's, so two
// overlap well on two cores (three were slower: 14 min 10 s against 12 min 29 s).
//
// The report is TAP, or `node --test`'s spec report on a terminal; the exit
// code is 1 if any test failed.
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/* The longest files, longest first. */
const LONGEST = ['views', 'page', 'exact', 'bigviews', 'hardening', 'relaxed', 'gradients-page'];

const rank = (name) => { const i = LONGEST.indexOf(name.replace('.test.mjs', '')); return i < 0 ? LONGEST.length : i; };
const named = process.argv.slice(2).map((file) => resolve(file));
const TESTS = fileURLToPath(new URL('.', import.meta.url));
const files = named.length ? named : readdirSync(TESTS).filter((name) => name.endsWith('.test.mjs'))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  .map((name) => join(TESTS, name));

const stream = run({ files, concurrency: 2 });
stream.on('test:fail', (event) => { if (!event.todo) process.exitCode = 1; });
stream.compose(process.stdout.isTTY ? new spec() : tap).pipe(process.stdout);
