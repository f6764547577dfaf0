// GET /metrics through inject, on a real stack: callbacks, relay lag and workflow outcomes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lastCodeSent } from './helpers/codes.js';
import { scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const auth = { authorization: 'Bearer dev-key' };
const scrape = async () => {
  const res = await stack.api.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain/);
  return res.body;
};
/** The value of one series, 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test('/metrics needs no API key and exposes process metrics and every kurir series', async () => {
  const text = await scrape();
  for (const name of [
    'kurir_callbacks_received_total',
    'kurir_callback_ingest_lag_seconds',
    'kurir_relay_lag_seconds',
    'kurir_messages_completed_total',
    'kurir_fallbacks_total',
    'kurir_otp_outcomes_total',
    'process_cpu_user_seconds_total',
    'nodejs_heap_size_used_bytes',
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
});

test('a fallback message and an approved OTP are counted once each, with callback and relay lag', async () => {
  const before = await scrape();
  const id = await stack.send({
    to: scriptedNumber('601', '000'),
    steps: [
      { channel: 'whatsapp', provider: 'wappin', template: 'order_shipped', params: ['A-1'] },
      { channel: 'sms', provider: 'sms-masking', text: 'Order A-1 shipped' },
    ],
  });
  const result = (await stack.client.workflow.getHandle(id).result()) as { outcome: string };
  assert.equal(result.outcome, 'delivered');

  const to = scriptedNumber();
  const started = await stack.api.inject({
    method: 'POST',
    url: '/v1/otp',
    headers: auth,
    payload: { to, strategy: ['sms'] },
  });
  assert.equal(started.statusCode, 202);
  const otpId = started.json<{ id: string }>().id;
  const code = await eventually(async () => lastCodeSent(stack.sandboxes, 'sms-masking', to), 10_000, 'the OTP code');
  const verified = await stack.api.inject({
    method: 'POST',
    url: `/v1/otp/${otpId}/verify`,
    headers: auth,
    payload: { code },
  });
  assert.equal(verified.json<{ status: string }>().status, 'approved');
  await stack.client.workflow.getHandle(otpId).result();

  const delivered = 'kurir_messages_completed_total{outcome="delivered",provider="sms-masking",channel="sms"}';
  const fallback = 'kurir_fallbacks_total{reason="invalid_number"}';
  const approved = 'kurir_otp_outcomes_total{status="approved"}';
  // Visibility is eventually consistent: scrape until the closed workflows are listed.
  const after = await eventually(
    async () => {
      const t = await scrape();
      return value(t, delivered) > value(before, delivered) && value(t, approved) > value(before, approved)
        ? t
        : undefined;
    },
    15_000,
    'outcomes in /metrics',
  );
  assert.equal(value(after, delivered) - value(before, delivered), 1);
  assert.equal(value(after, fallback) - value(before, fallback), 1);
  assert.equal(value(after, approved) - value(before, approved), 1);
  assert.ok(
    value(after, 'kurir_callbacks_received_total{provider="sms-masking"}') >
      value(before, 'kurir_callbacks_received_total{provider="sms-masking"}'),
  );
  assert.ok(value(after, 'kurir_callback_ingest_lag_seconds_count{provider="sms-masking"}') > 0);
  assert.ok(value(after, 'kurir_relay_lag_seconds_count') > value(before, 'kurir_relay_lag_seconds_count'));

  // A second scrape does not count the same workflows again.
  const again = await scrape();
  assert.equal(value(again, delivered), value(after, delivered));
  assert.equal(value(again, approved), value(after, approved));
});
