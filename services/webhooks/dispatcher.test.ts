// Retry spacing: doubling from the initial backoff, capped, with jitter in [half, full] of the step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMs } from './dispatcher.js';

test('exponential backoff with equal jitter, capped', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => backoffMs(n, 1_000, 60_000, 1)),
    [1_000, 2_000, 4_000, 8_000],
  );
  assert.deepEqual(
    [1, 2, 3].map((n) => backoffMs(n, 1_000, 60_000, 0)),
    [500, 1_000, 2_000],
  );
  assert.equal(backoffMs(30, 1_000, 60_000, 1), 60_000);
  // 24 hours of retries at the defaults (5 s doubling to 1 h) is about 40 attempts, not thousands.
  let t = 0;
  let n = 0;
  while (t < 86_400_000) t += backoffMs(++n, 5_000, 3_600_000, 0.5);
  assert.ok(n > 30 && n < 50, `${n} attempts in 24 h`);
});
