import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyStatus,
  bestAttempt,
  decide,
  noteSkippedRules,
  rulesFor,
  shortestTimedRuleMs,
  type FallbackRules,
} from './policy.js';
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

test('a step is final at the best status it can report: an SMS is done at delivered, notReadWithin does not apply', () => {
  const sms: Attempt = {
    ...attempt(),
    channel: 'sms',
    provider: 'sms-masking',
    reports: { delivered: true, read: false },
  };
  applyStatus(sms, update('delivered', 1000));
  const r = rules({ notReadWithin: '5 seconds' });
  assert.deepEqual(decide(sms, r, T0 + 60_000, T0 + 86_400_000), { kind: 'success' });
  noteSkippedRules(sms, r);
  assert.deepEqual(
    sms.skippedRules?.map((s) => s.rule),
    ['notReadWithin'],
  );
  // The same status on WhatsApp, which reports reads, still waits for one and then falls back.
  const wa = attempt();
  applyStatus(wa, update('delivered', 1000));
  assert.deepEqual(decide(wa, r, T0 + 60_000, T0 + 86_400_000), { kind: 'fallback', reason: 'not_read' });
  noteSkippedRules(wa, r);
  assert.equal(wa.skippedRules, undefined);
});

test('a provider without delivery reports is final at sent; notDeliveredWithin does not apply to it', () => {
  const a: Attempt = { ...attempt(), reports: { delivered: false, read: false } };
  applyStatus(a, update('sent', 1000));
  assert.deepEqual(decide(a, rules({ notDeliveredWithin: '1 second' }), T0 + 60_000, T0 + 86_400_000), {
    kind: 'success',
  });
  assert.equal(rulesFor(a, rules({ notDeliveredWithin: '1 second' })).notDeliveredWithin, undefined);
});

test("a failed leg with a next leg is kept but does not end the attempt; the last leg's failure does", () => {
  const a: Attempt = { ...attempt(), provider: 'engagelab', legs: ['whatsapp', 'sms'] };
  applyStatus(a, update('accepted', 0));
  assert.equal(applyStatus(a, { ...update('invalid_number', 1000, 'target_invalid'), channel: 'whatsapp' }), false);
  assert.equal(a.status, 'accepted');
  assert.equal(a.timeline.at(-1)?.applied, false);
  assert.equal(applyStatus(a, { ...update('delivered', 2000, 'delivered'), channel: 'sms' }), true);
  assert.equal(a.legChannel, 'sms');
  const b: Attempt = { ...attempt(), provider: 'engagelab', legs: ['whatsapp', 'sms'] };
  assert.equal(applyStatus(b, { ...update('failed', 1000, 'sent_failed'), channel: 'sms' }), true);
  assert.equal(b.status, 'failed');
});

test('an unmapped report is kept with its raw value, once, and never moves the status', () => {
  const a = attempt();
  applyStatus(a, update('sent', 1000));
  const odd: StatusUpdate = { ...update('sent', 2000), status: 'unmapped', rawStatus: 'PENDING_OPERATOR' };
  assert.equal(applyStatus(a, odd), false);
  assert.equal(applyStatus(a, { ...odd, occurredAt: iso(3000) }), false);
  assert.equal(a.status, 'sent');
  assert.deepEqual(
    a.timeline.map((e) => [e.status, e.rawStatus, e.applied]),
    [
      ['sent', undefined, true],
      ['unmapped', 'PENDING_OPERATOR', false],
    ],
  );
});

test('the outcome is the best status any step reached, not the last step', () => {
  const wa: Attempt = { ...attempt(), step: 0 };
  applyStatus(wa, update('invalid_number', 0));
  const sms: Attempt = { ...attempt(), step: 1, channel: 'sms', provider: 'sms-masking' };
  applyStatus(sms, update('delivered', 1000));
  const sms2: Attempt = { ...attempt(), step: 2, channel: 'sms', provider: 'nusasms' };
  applyStatus(sms2, update('failed', 2000));
  assert.equal(bestAttempt([wa, sms, sms2])?.step, 1);
});

test('the first poll comes before the shortest timed rule', () => {
  assert.equal(shortestTimedRuleMs(rules({ notReadWithin: '1 minute', notDeliveredWithin: '10 seconds' })), 10_000);
  assert.equal(shortestTimedRuleMs(rules()), undefined);
});
