import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CAMPAIGN_STATUSES,
  campaignProgressFromCounts,
  campaignStateOf,
  FINAL_CAMPAIGN_STATUSES,
} from './campaign-progress.js';

test('an empty campaign is completed (final, nothing to send), in every view', () => {
  assert.equal(campaignStateOf('empty'), 'completed');
  assert.ok(FINAL_CAMPAIGN_STATUSES.has('empty'));
});

test('every stored status has a state; only completed, canceled, empty and failed are final', () => {
  assert.deepEqual(
    CAMPAIGN_STATUSES.map((s) => [s, campaignStateOf(s)]),
    [
      ['importing', 'running'],
      ['ready', 'running'],
      ['running', 'running'],
      ['completed', 'completed'],
      ['canceled', 'canceled'],
      ['empty', 'completed'],
      ['failed', 'failed'],
    ],
  );
  assert.deepEqual(
    CAMPAIGN_STATUSES.filter((s) => FINAL_CAMPAIGN_STATUSES.has(s)),
    ['completed', 'canceled', 'empty', 'failed'],
  );
});

test('progress from stored counts: every recipient status present, zero when none', () => {
  const p = campaignProgressFromCounts(
    { id: 'cmp_1', status: 'completed' },
    { total: 3, byStatus: { delivered: 2, failed: 1 }, byProvider: { wappin: 2 }, fallbackUsed: 1 },
  );
  assert.equal(p.state, 'completed');
  assert.equal(p.counts.delivered, 2);
  assert.equal(p.counts.pending, 0);
  assert.equal(p.pending, 0);
  assert.deepEqual(Object.keys(p.counts).sort(), [
    'canceled',
    'delivered',
    'failed',
    'fell_back',
    'invalid_number',
    'not_sent',
    'pending',
    'read',
    'sent',
    'suppressed',
  ]);
});
