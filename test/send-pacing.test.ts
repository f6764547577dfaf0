// The send schedule in PostgreSQL (db/send-pacing.ts) against a real database: one reservation
// for a batch of sends hands out evenly spaced slots, stops at the wait limit, and says when the
// next slot will be free; a later reservation continues the schedule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensurePacingRow, reserveSendSlots } from '../db/send-pacing.js';
import { useHarnessPool } from './helpers/stack.js';

const pool = useHarnessPool();

const opts = { intervalMs: 100, toleranceMs: 29, maxWaitMs: 1_000 };

test('a batch reservation spaces its slots, stops at the wait limit and says when to ask again', async () => {
  const provider = `pace-${process.pid}-${Date.now()}`;
  await ensurePacingRow(pool(), provider);
  const first = await reserveSendSlots(pool(), provider, 25, opts);
  assert.ok('slots' in first, JSON.stringify(first));
  // 1 s of room at 100 ms apart: the first slot now, then ten more at most.
  assert.ok(first.slots.length >= 10 && first.slots.length <= 11, `${first.slots.length} slots`);
  assert.ok(first.slots[0]! < 50, `first slot at once (${first.slots[0]} ms)`);
  for (let i = 2; i < first.slots.length; i++)
    assert.ok(Math.abs(first.slots[i]! - first.slots[i - 1]! - 100) < 1, `slot ${i} follows by the interval`);
  // Any one second of the schedule holds at most (1000 + tolerance) / interval + 1 = 11 slots.
  const last = first.slots.at(-1)!;
  assert.ok(first.slots.filter((s) => s > last - 1_000).length <= 11);

  const full = await reserveSendSlots(pool(), provider, 5, opts);
  assert.ok('retryAfterMs' in full, 'no slot within the wait limit');
  assert.ok(full.retryAfterMs >= 0 && full.retryAfterMs <= 200, `ask again in ${full.retryAfterMs} ms`);

  await new Promise((r) => setTimeout(r, full.retryAfterMs + 150));
  const later = await reserveSendSlots(pool(), provider, 3, opts);
  assert.ok('slots' in later && later.slots.length >= 1, 'room again once the schedule moved on');
  // It continues the schedule: its first slot is near the wait limit, not now.
  assert.ok(later.slots[0]! > 600, `continues the schedule (${later.slots[0]} ms)`);
});
