// OTP in engine mode end to end: real Temporal, PostgreSQL and sandboxes; codes read from what
// the sandboxes received, as a phone would show them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { recipientHash } from '../lib/crypto/recipient-hash.js';
import { lastCodeSent } from './helpers/codes.js';
import { scriptedNumber } from './helpers/numbers.js';
import { recordHistory } from './helpers/histories.js';
import { databaseText, findSecrets, historiesText } from './helpers/secret-scan.js';
import { capturedLogs, eventually, startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
const codesSeen = new Set<string>();
const otpIds: string[] = [];
before(async () => {
  // A 2-second cooldown keeps the resend test short: the floor is lowered here (default 15 s).
  stack = await startStack({ env: { OTP_MIN_RESEND_COOLDOWN: '1 second' } });
});
after(async () => {
  await stack?.stop();
});

const auth = { authorization: 'Bearer dev-key' };
async function post(url: string, payload?: object) {
  const res = await stack.api.inject({ method: 'POST', url, payload: payload ?? {}, headers: auth });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}
async function start(to: string, extra: object = {}) {
  const res = await post('/v1/otp', { to, ...extra });
  if (res.status === 202) otpIds.push(res.body.id as string);
  return res;
}
async function codeFor(provider: string, to: string): Promise<string> {
  const code = await eventually(
    async () => lastCodeSent(stack.sandboxes, provider, to),
    10_000,
    `a code at ${provider}`,
  );
  codesSeen.add(code);
  return code;
}
const wrong = (code: string) => code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

describe('OTP (engine mode)', () => {
  test('the right code is approved', async () => {
    const to = scriptedNumber();
    const started = await start(to);
    assert.equal(started.status, 202);
    assert.equal(started.body.channel, 'whatsapp');
    const code = await codeFor('wappin', to);
    assert.equal(code.length, 6);
    const v = await post(`/v1/otp/${started.body.id as string}/verify`, { code });
    assert.deepEqual(v.body, { status: 'approved', attemptsLeft: 4 });
    await recordHistory(stack.client.workflow.getHandle(started.body.id as string), 'otp-approved');
  });

  test('five wrong codes reach max_attempts_reached and the right code then fails', async () => {
    const to = scriptedNumber();
    const { body } = await start(to);
    const code = await codeFor('wappin', to);
    for (let i = 1; i <= 5; i++) {
      const v = await post(`/v1/otp/${body.id as string}/verify`, { code: wrong(code) });
      assert.equal(v.body.status, i < 5 ? 'pending' : 'max_attempts_reached');
      assert.equal(v.body.attemptsLeft, 5 - i);
    }
    const right = await post(`/v1/otp/${body.id as string}/verify`, { code });
    assert.equal(right.status, 409);
  });

  test('a code after the TTL is expired', async () => {
    const to = scriptedNumber();
    const { body } = await start(to, { code: { ttl: '2 seconds' } });
    const code = await codeFor('wappin', to);
    await new Promise((r) => setTimeout(r, 2_500));
    const status = await stack.api.inject({ method: 'GET', url: `/v1/otp/${body.id as string}`, headers: auth });
    assert.equal(status.json<{ status: string }>().status, 'expired');
    const v = await post(`/v1/otp/${body.id as string}/verify`, { code });
    assert.equal(v.status, 409);
  });

  test('a code works once', async () => {
    const to = scriptedNumber();
    const { body } = await start(to);
    const code = await codeFor('wappin', to);
    assert.equal((await post(`/v1/otp/${body.id as string}/verify`, { code })).body.status, 'approved');
    assert.equal((await post(`/v1/otp/${body.id as string}/verify`, { code })).status, 409);
  });

  test('an invalid WhatsApp number: the SMS carries the code', async () => {
    const to = scriptedNumber('601');
    const started = await start(to);
    assert.equal(started.status, 202);
    assert.equal(started.body.channel, 'sms');
    const code = await codeFor('sms-masking', to);
    const v = await post(`/v1/otp/${started.body.id as string}/verify`, { code });
    assert.equal(v.body.status, 'approved');
    const state = await stack.api.inject({ method: 'GET', url: `/v1/otp/${started.body.id as string}`, headers: auth });
    const sends = state.json<{ sends: Array<{ channel: string; error?: string }> }>().sends;
    assert.deepEqual(
      sends.map((s) => [s.channel, s.error]),
      [
        ['whatsapp', 'InvalidNumberError'],
        ['sms', undefined],
      ],
    );
    await recordHistory(stack.client.workflow.getHandle(started.body.id as string), 'otp-sms-fallback');
  });

  test('a resend inside the cooldown is refused; after it a new code replaces the old one', async () => {
    const to = scriptedNumber();
    const { body } = await start(to, { resendCooldown: '2 seconds' });
    const first = await codeFor('wappin', to);
    const early = await post(`/v1/otp/${body.id as string}/resend`);
    assert.equal(early.status, 429);
    assert.match(early.body.message as string, /cooldown/);
    await new Promise((r) => setTimeout(r, 2_100));
    const resent = await post(`/v1/otp/${body.id as string}/resend`);
    assert.equal(resent.status, 200);
    const second = await eventually(
      async () => {
        const c = lastCodeSent(stack.sandboxes, 'wappin', to);
        return c !== first ? c : undefined;
      },
      10_000,
      'a new code',
    );
    codesSeen.add(second);
    assert.equal(
      (await post(`/v1/otp/${body.id as string}/verify`, { code: first })).body.status,
      'pending',
      'the old code no longer works',
    );
    assert.equal((await post(`/v1/otp/${body.id as string}/verify`, { code: second })).body.status, 'approved');
    await recordHistory(stack.client.workflow.getHandle(body.id as string), 'otp-resend');
  });

  test('the sixth send to one number in the window is refused', async () => {
    const to = scriptedNumber();
    // The test database outlives a run and other files draw numbers too: forget any earlier
    // send to this number so the window holds only this test's five.
    await stack.pool.query('DELETE FROM otp_sends WHERE recipient_hash = $1', [
      recipientHash(stack.config.RECIPIENT_HASH_KEY, to),
    ]);
    for (let i = 0; i < 5; i++) assert.equal((await start(to)).status, 202, `send ${i + 1}`);
    const sixth = await start(to);
    assert.equal(sixth.status, 429);
    assert.match(sixth.body.message as string, /send limit/);
  });

  test("outside the server's OTP policy: 400 naming the field and the bound", async () => {
    for (const [extra, field, message] of [
      [{ resendCooldown: '500 ms' }, 'resendCooldown', /at least 1 second \(OTP_MIN_RESEND_COOLDOWN\)/],
      [{ code: { ttl: '1 day' } }, 'code.ttl', /at most 15 minutes/],
      [{ code: { length: 4 } }, 'code.length', /at least 6 for a code of digits/],
      [{ maxAttempts: 20 }, 'maxAttempts', /at most 10/],
    ] as const) {
      const r = await post('/v1/otp', { to: scriptedNumber(), ...extra });
      assert.equal(r.status, 400, JSON.stringify(extra));
      assert.equal(r.body.field, field);
      assert.match(r.body.message as string, message);
    }
  });

  test('bad input names the field', async () => {
    const r = await post('/v1/otp', { to: scriptedNumber(), code: { length: 12 } });
    assert.equal(r.status, 400);
    assert.match(r.body.message as string, /code\.length: must be 4 to 10/);
  });

  test('no plaintext code in Temporal histories, logs or any table', async () => {
    assert.ok(codesSeen.size >= 5, 'codes were collected');
    // Payload bytes are decoded (historiesText), so a code inside a JSON payload would be seen.
    const haystacks = {
      histories: await historiesText(stack.client, otpIds),
      logs: capturedLogs.join(''),
      database: await databaseText(stack.pool),
    };
    assert.ok(haystacks.logs.length > 0 && haystacks.histories.length > 0);
    assert.deepEqual(findSecrets(haystacks, codesSeen), []);
  });
});
