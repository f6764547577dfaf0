import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyStatus, bestAttempt, decide, type FallbackRules } from './policy.js';
import type { Attempt, CanonicalStatus, StatusUpdate } from './types.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const attempt = (): Attempt => ({
  step: 0,
  channel: 'whatsapp',
  provider: 'wappin',
  state: 'tracking',
  providerMessageId: 'm1',
  timeline: [],
});
const update = (status: CanonicalStatus, ms: number, providerCode?: string): StatusUpdate => ({
  provider: 'wappin',
  providerMessageId: 'm1',
  status,
  occurredAt: iso(ms),
  providerCode,
  source: 'callback',
});
const rules = (r: Partial<FallbackRules> = {}): FallbackRules => ({ onInvalidNumber: true, onFailure: true, ...r });

test('status only moves forward; late and duplicate reports are kept in the timeline but change nothing', () => {
  const a = attempt();
  assert.equal(applyStatus(a, update('read', 3000)), true);
  assert.equal(applyStatus(a, update('delivered', 2000)), false);
  assert.equal(applyStatus(a, update('sent', 1000)), false);
  assert.equal(applyStatus(a, update('sent', 1000)), false, 'duplicate');
  assert.equal(a.status, 'read');
  assert.equal(a.timeline.length, 3);
  assert.deepEqual(
    a.timeline.map((e) => e.applied),
    [true, false, false],
  );
  assert.equal(a.sentAt, iso(1000), 'a late sent still records when it was sent');
  assert.equal(a.deliveredAt, iso(2000));
});

test('terminal statuses are final: failed after read changes nothing', () => {
  const a = attempt();
  applyStatus(a, update('read', 1));
  assert.equal(applyStatus(a, update('failed', 2)), false);
  assert.equal(a.status, 'read');
});

test('in-order and reversed reports end in the same status and milestones', () => {
  const seq = [update('sent', 1), update('delivered', 2), update('read', 3)];
  const a = attempt();
  const b = attempt();
  for (const u of seq) applyStatus(a, u);
  for (const u of [...seq].reverse()) applyStatus(b, u);
  assert.deepEqual([a.status, a.sentAt, a.deliveredAt, a.readAt], [b.status, b.sentAt, b.deliveredAt, b.readAt]);
});

test('read is success; invalid number and failure fall back only when the rules say so', () => {
  const a = attempt();
  applyStatus(a, update('read', 1));
  assert.deepEqual(decide(a, rules(), T0, T0 + 1e9), { kind: 'success' });
  const inv = attempt();
  applyStatus(inv, update('invalid_number', 1));
  assert.deepEqual(decide(inv, rules(), T0, T0 + 1e9), { kind: 'fallback', reason: 'invalid_number' });
  assert.deepEqual(decide(inv, rules({ onInvalidNumber: false }), T0, T0 + 1e9), { kind: 'stop' });
  const f = attempt();
  applyStatus(f, update('expired', 1));
  assert.deepEqual(decide(f, rules(), T0, T0 + 1e9), { kind: 'fallback', reason: 'failed' });
  assert.deepEqual(decide(f, rules({ onFailure: false }), T0, T0 + 1e9), { kind: 'stop' });
});

test('notReadWithin is measured from delivered, or from sent when no delivery report comes', () => {
  const d = attempt();
  applyStatus(d, update('sent', 0));
  applyStatus(d, update('delivered', 5_000));
  assert.deepEqual(decide(d, rules({ notReadWithin: '10 seconds' }), T0 + 6_000, T0 + 1e9), {
    kind: 'wait',
    until: T0 + 15_000,
    onTimeout: 'not_read',
  });
  assert.deepEqual(decide(d, rules({ notReadWithin: '10 seconds' }), T0 + 15_000, T0 + 1e9), {
    kind: 'fallback',
    reason: 'not_read',
  });
  const s = attempt();
  applyStatus(s, update('sent', 0));
  assert.deepEqual(decide(s, rules({ notReadWithin: '10 seconds' }), T0 + 1_000, T0 + 1e9), {
    kind: 'wait',
    until: T0 + 10_000,
    onTimeout: 'not_read',
  });
});

test('delivered without a read rule is success; notDeliveredWithin fires from sent', () => {
  const d = attempt();
  applyStatus(d, update('delivered', 0));
  assert.deepEqual(decide(d, rules({ notDeliveredWithin: '1 minute' }), T0, T0 + 1e9), { kind: 'success' });
  const s = attempt();
  applyStatus(s, update('sent', 0));
  assert.deepEqual(decide(s, rules({ notDeliveredWithin: '1 minute', notReadWithin: '1 hour' }), T0, T0 + 1e9), {
    kind: 'wait',
    until: T0 + 60_000,
    onTimeout: 'not_delivered',
  });
});

test('without rules an attempt is tracked until trackUntil, then stops', () => {
  const s = attempt();
  applyStatus(s, update('sent', 0));
  assert.deepEqual(decide(s, rules(), T0, T0 + 5_000), { kind: 'wait', until: T0 + 5_000, onTimeout: 'track_end' });
  assert.deepEqual(decide(s, rules(), T0 + 5_000, T0 + 5_000), { kind: 'stop' });
});

test('bestAttempt prefers read, then delivered, over failures', () => {
  const r = attempt();
  applyStatus(r, update('failed', 1));
  const d = { ...attempt(), provider: 'sms-masking' as const };
  applyStatus(d, update('delivered', 1));
  assert.equal(bestAttempt([r, d])?.provider, 'sms-masking');
});
