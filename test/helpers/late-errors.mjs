// Preloaded into every test file's process (scripts/test.ts --import). A test file can fail after
// all its tests passed: an error thrown from a timer after teardown, or a non-zero exit. node's
// runner then reports only "test failed" for the file, and CI shows just the tail of its output.
// This records such errors, with the file and stack, to a log the harness prints at the end.
// It observes only (uncaughtExceptionMonitor): the process still fails the way it would have.
// Plain JavaScript: worker threads (Temporal's workflow threads) inherit --import without tsx.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';

// Only in the test files' processes: the runner's own process exits non-zero whenever a test fails.
const LOG = process.execArgv.includes('--test') || !isMainThread ? undefined : process.env.KURIR_LATE_ERRORS_LOG;
const file = relative(process.cwd(), process.argv[1] ?? '?');

/** @param {string} what */
function record(what) {
  if (!LOG) return;
  mkdirSync(dirname(LOG), { recursive: true });
  appendFileSync(LOG, `[${new Date().toISOString()}] ${file}: ${what}\n`);
}

process.on('uncaughtExceptionMonitor', (err, origin) => {
  record(`${origin}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
});
process.on('exit', (code) => {
  if (code !== 0) record(`exited with code ${code}`);
});
