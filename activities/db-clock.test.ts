import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DbClock } from './db-clock.js';

// The database clock runs 1,000,000 ms ahead of performance.now() in these round trips.
const OFFSET = 1_000_000;

test('round trips narrow the offset to the fastest one, and a slot is never placed early', () => {
  const clock = new DbClock();
  // A slow round trip (40 ms), the database read 30 ms into it.
  clock.observe(100, 140, 130 + OFFSET);
  assert.deepEqual(clock.toLocal(200 + OFFSET), { at: 240 - 30, uncertainMs: 40 });
  // A fast one (2 ms), read 1 ms into it: the slot at 200 is placed at 201 at the latest.
  clock.observe(1_000, 1_002, 1_001 + OFFSET);
  const placed = clock.toLocal(200 + OFFSET);
  assert.equal(placed.uncertainMs, 2);
  assert.ok(placed.at >= 200 && placed.at <= 201, `placed at ${placed.at}`);
});

test('bounds that stop overlapping (a clock was stepped) start again from the newest round trip', () => {
  const clock = new DbClock();
  clock.observe(0, 2, 1 + OFFSET);
  clock.observe(10, 12, 11 + OFFSET + 500); // the database clock jumped 500 ms
  assert.deepEqual(clock.toLocal(100 + OFFSET + 500), { at: 101, uncertainMs: 2 });
});

test('old round trips are forgotten (clocks drift)', () => {
  const clock = new DbClock();
  clock.observe(0, 1, 0.5 + OFFSET); // tight
  clock.observe(40_000, 40_020, 40_010 + OFFSET); // 40 s later, a loose one only
  assert.equal(clock.toLocal(OFFSET).uncertainMs, 20);
});
