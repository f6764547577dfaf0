// OTP in provider mode: EngageLab makes, sends and checks the code (its sandbox over HTTP); the
// template is created through the template API when missing; signed callbacks reach the workflow.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signEngageLabCallback } from '../providers/engagelab/callbacks.js';
import type { OtpState } from '../workflows/otp-types.js';
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
async function post(url: string, payload: object = {}) {
  const res = await stack.api.inject({ method: 'POST', url, payload, headers: auth });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}
const state = async (id: string) =>
  (await stack.api.inject({ method: 'GET', url: `/v1/otp/${id}`, headers: auth })).json<OtpState>();

describe('OTP (provider mode, EngageLab)', () => {
  test('template created when missing, code sent and verified by EngageLab, signed callbacks applied', async () => {
    const template = `kurir-test-${Date.now()}`;
    const to = scriptedNumber();
    const started = await post('/v1/otp', {
      to,
      mode: 'provider',
      engagelabTemplate: template,
      code: { length: 6, type: 1, ttl: '5 minutes' },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const id = started.body.id as string;
    const created = stack.sandboxes
      .requests('engagelab')
      .filter((r) => r.method === 'POST' && r.path === '/v1/template-configs');
    assert.equal(created.length, 1, 'the missing template was created');
    assert.match(created[0]!.content, /"send_channel_strategy":"whatsapp\|sms"/);

    const messageId = (await state(id)).sends[0]!.providerMessageId!;
    const res = await fetch(`${stack.sandboxes.urls.engagelab}/__sandbox/codes?message_id=${messageId}`);
    const { code } = (await res.json()) as { code: string };
    const wrongCode = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    assert.deepEqual((await post(`/v1/otp/${id}/verify`, { code: wrongCode })).body, {
      status: 'pending',
      attemptsLeft: 4,
    });
    // Signed EngageLab callbacks (sent, delivered) reach the workflow through the inbox and the relay.
    await eventually(
      async () => ['delivered', 'read'].includes((await state(id)).sends[0]?.status ?? '') || undefined,
      15_000,
      'a delivered callback',
    );
    assert.deepEqual((await post(`/v1/otp/${id}/verify`, { code })).body, { status: 'approved', attemptsLeft: 3 });
    assert.equal((await post(`/v1/otp/${id}/verify`, { code })).status, 409, 'a code works once');
  });

  test('whatsapp|sms: an invalid WhatsApp leg is not the end; pending on sms, verifies, one provider send', async () => {
    const template = `kurir-legs-${Date.now()}`;
    const to = scriptedNumber('601'); // WhatsApp leg: target_invalid; SMS leg: sent, delivered
    const started = await post('/v1/otp', {
      to,
      mode: 'provider',
      engagelabTemplate: template,
      strategy: 'whatsapp|sms',
      code: { length: 6, type: 1, ttl: '5 minutes' },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const id = started.body.id as string;
    const onSms = await eventually(
      async () => {
        const s = await state(id);
        return s.channel === 'sms' && ['delivered', 'read'].includes(s.sends[0]?.status ?? '') ? s : undefined;
      },
      15_000,
      'the SMS leg delivered',
    );
    assert.equal(onSms.status, 'pending');
    assert.equal(onSms.sends.length, 1);
    const messageId = onSms.sends[0]!.providerMessageId!;
    const res = await fetch(`${stack.sandboxes.urls.engagelab}/__sandbox/codes?message_id=${messageId}`);
    const { code } = (await res.json()) as { code: string };
    assert.deepEqual((await post(`/v1/otp/${id}/verify`, { code })).body, { status: 'approved', attemptsLeft: 4 });
    const sent = stack.sandboxes.requests('engagelab').filter((r) => r.method === 'POST' && r.path === '/v1/messages');
    assert.equal(sent.filter((r) => r.content.includes(to)).length, 1, 'exactly one provider send');
  });

  test('an existing template with other code settings is not reused: a clear refusal naming the setting', async () => {
    const template = `kurir-ttl-${Date.now()}`;
    const first = await post('/v1/otp', { to: scriptedNumber(), mode: 'provider', engagelabTemplate: template });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const second = await post('/v1/otp', {
      to: scriptedNumber(),
      mode: 'provider',
      engagelabTemplate: template,
      code: { length: 8, type: 1, ttl: '5 minutes' },
    });
    assert.equal(second.status, 400, JSON.stringify(second.body));
    assert.match(JSON.stringify(second.body), /verify_code_len 6, this OTP needs 8/);
  });

  test('a forged or stale callback signature is refused and nothing is stored', async () => {
    const count = async () =>
      Number(
        // This message's rows only: other tests' callbacks may still be arriving.
        (
          await stack.pool.query<{ n: string }>(
            "SELECT count(*) AS n FROM callback_inbox WHERE provider = 'engagelab' AND body LIKE '%1725407449772531712%'",
          )
        ).rows[0]!.n,
      );
    const before = await count();
    const body = {
      message_id: '1725407449772531712',
      to: '+6281234567890',
      server: 'otp',
      channel: 'whatsapp',
      itime: 1700000000,
      status: { message_status: 'delivered', status_data: { msg_time: 1700000003 }, error_code: 0 },
    };
    const forged = signEngageLabCallback('not-the-secret', 'kurir-sandbox', Date.now());
    const stale = signEngageLabCallback(stack.config.ENGAGELAB_CALLBACK_SECRET, 'kurir-sandbox', Date.now() - 600_000);
    const good = signEngageLabCallback(stack.config.ENGAGELAB_CALLBACK_SECRET, 'kurir-sandbox', Date.now());
    for (const header of [forged, stale]) {
      const res = await stack.api.inject({
        method: 'POST',
        url: '/callbacks/engagelab',
        payload: body,
        headers: { 'x-callback-id': header },
      });
      assert.equal(res.statusCode, 401);
    }
    assert.equal(await count(), before);
    const ok = await stack.api.inject({
      method: 'POST',
      url: '/callbacks/engagelab',
      payload: body,
      headers: { 'x-callback-id': good },
    });
    assert.equal(ok.statusCode, 200);
    assert.equal(await count(), before + 1);
  });
});
