// Fifty OTPs at once on one stack whose API and worker share a pool of 10 connections: an OTP
// send holds no connection across the provider call, so none waits for the pool, each code is
// sent exactly once and each verifies.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lastCodeSent } from './helpers/codes.js';
import { scriptedNumber, sendRequests, sameNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack({ logLevel: 'warn' });
});
after(async () => {
  await stack?.stop();
});

const auth = { authorization: 'Bearer dev-key' };
const OTPS = 50;

test(`${OTPS} OTPs started at once on a pool of 10 are each sent once and verify`, async () => {
  assert.equal(stack.pool.options.max, 10);
  const numbers = Array.from({ length: OTPS }, () => scriptedNumber());
  const started = await Promise.all(
    numbers.map((to) => stack.api.inject({ method: 'POST', url: '/v1/otp', headers: auth, payload: { to } })),
  );
  assert.deepEqual(
    started.map((r) => r.statusCode),
    numbers.map(() => 202),
    started.map((r) => r.body).join('\n'),
  );

  const sends = sendRequests(stack.sandboxes, 'wappin');
  for (const to of numbers)
    assert.equal(sends.filter((r) => sameNumber(r.recipient, to)).length, 1, `one send to ${to}`);

  const rows = await stack.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM otp_sends WHERE otp_id = ANY($1) AND provider_message_id IS NOT NULL AND code_hash IS NOT NULL',
    [started.map((r) => r.json<{ id: string }>().id)],
  );
  assert.equal(Number(rows.rows[0]!.n), OTPS, 'every send recorded with its provider id and HMAC');

  const verdicts = await Promise.all(
    started.map(async (res, i) => {
      const code = await eventually(async () => lastCodeSent(stack.sandboxes, 'wappin', numbers[i]!), 10_000, 'a code');
      const v = await stack.api.inject({
        method: 'POST',
        url: `/v1/otp/${res.json<{ id: string }>().id}/verify`,
        headers: auth,
        payload: { code },
      });
      return v.json<{ status: string }>().status;
    }),
  );
  assert.deepEqual(
    verdicts,
    numbers.map(() => 'approved'),
  );
});
