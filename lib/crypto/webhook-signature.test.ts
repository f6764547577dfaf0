// Signatures interoperate with Standard Webhooks (its published test vector) and verification
// refuses forged, stale and malformed deliveries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signWebhook, verifyWebhookSignature, WebhookVerificationError } from './webhook-signature.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const ts = 1614265330;
const body = '{"test": 2432232314}';
const now = ts * 1000;

test('the Standard Webhooks reference vector', () => {
  assert.equal(signWebhook(secret, id, ts, body), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

test('verification accepts a valid delivery (plain headers or fetch Headers, rotated signatures) and refuses the rest', () => {
  const headers = {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signWebhook(secret, id, ts, body),
  };
  assert.deepEqual(verifyWebhookSignature(secret, headers, body, { now }), { test: 2432232314 });
  assert.deepEqual(verifyWebhookSignature(secret, new Headers(headers), Buffer.from(body), { now }), {
    test: 2432232314,
  });
  assert.doesNotThrow(() =>
    verifyWebhookSignature(
      secret,
      { ...headers, 'webhook-signature': `v1,bm90IGl0 ${headers['webhook-signature']}` },
      body,
      { now },
    ),
  );
  const refused = (h: Record<string, string>, b = body, at = now) =>
    assert.throws(() => verifyWebhookSignature(secret, h, b, { now: at }), WebhookVerificationError);
  refused({ ...headers, 'webhook-id': 'msg_other' });
  refused(headers, body.replace('2432232314', '2432232315'));
  refused(headers, body, now + 301_000);
  refused({ 'webhook-id': id, 'webhook-timestamp': String(ts) });
  refused({ ...headers, 'webhook-signature': headers['webhook-signature'].replace('v1,', 'v2,') });
});
