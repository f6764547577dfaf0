// Determinism guard: every recorded history under test/histories/ must replay against the
// current workflow code. An incompatible change fails here (CONTRIBUTING.md: re-record before the first
// tagged release, a patch marker after it).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { HISTORIES_DIR, loadHistory, replayWithCurrentCode } from './helpers/histories.js';
import { requireHarness } from './helpers/stack.js';

const files = readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('recorded histories exist for every workflow', () => {
  assert.ok(
    files.some((f) => f.startsWith('message-')),
    'message workflow histories',
  );
  assert.ok(
    files.some((f) => f.startsWith('otp-')),
    'OTP workflow histories',
  );
});

for (const file of files) {
  test(`replays ${file}`, async () => {
    requireHarness();
    await replayWithCurrentCode(file, loadHistory(file));
  });
}
