// Opt-outs (issue #19): STOP over WhatsApp suppresses marketing WhatsApp sends and leaves OTPs
// alone; a suppressed channel falls to the next; a number suppressed everywhere gets nothing and
// its message ends `suppressed`; a campaign skips and counts it; START lifts it; REST refuses bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CampaignProgress } from '../workflows/campaign-types.js';
import type { MessageResult } from '../workflows/types.js';
import { lastCodeSent } from './helpers/codes.js';
import { recordHistory } from './helpers/histories.js';
import { runKurir } from './helpers/kurir-cli.js';
import { scriptedNumber, sendRequests, sameNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

const auth = { authorization: 'Bearer dev-key' };
const wa = { channel: 'whatsapp', provider: 'wappin', template: 'promo', params: ['x'], category: 'marketing' };
const sms = { channel: 'sms', provider: 'sms-masking', text: 'Promo inside', category: 'marketing' };

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const sent = (provider: string, to: string) =>
  sendRequests(stack.sandboxes, provider).filter((r) => sameNumber(r.recipient, to)).length;

async function call(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  const res = await stack.api.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  return {
    status: res.statusCode,
    body: res.json<Record<string, unknown> & { items?: Array<Record<string, string>> }>(),
  };
}

async function send(to: string, steps: object[], history?: string): Promise<MessageResult> {
  const res = await call('POST', '/v1/messages', { to, steps });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const handle = stack.client.workflow.getHandle(res.body.id as string);
  const result = (await handle.result()) as MessageResult;
  if (history) await recordHistory(handle, history);
  return result;
}

/** The customer writes `text` to our WhatsApp number; the sandbox posts Wappin's inbound callback. */
async function inbound(from: string, text: string) {
  const res = await fetch(`${stack.sandboxes.urls.wappin}/__sandbox/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: from.slice(1), text }),
  });
  assert.equal(res.status, 200, await res.text());
}

const channelsOf = async (phone: string) =>
  ((await call('GET', `/v1/suppressions?phone=${encodeURIComponent(phone)}`)).body.items ?? []).map((s) => s.channel);

describe('suppressions', () => {
  test('STOP on WhatsApp: marketing falls to SMS, an OTP still goes on WhatsApp, START lifts it', async () => {
    const to = scriptedNumber();
    await inbound(to, ' stop! ');
    await eventually(
      async () => ((await channelsOf(to)).includes('whatsapp') ? true : undefined),
      15_000,
      'the opt-out',
    );
    const event = await stack.pool.query<{ data: Record<string, string> }>(
      "SELECT data FROM events WHERE type = 'recipient.suppressed' AND data->>'source' = 'inbound:wappin' ORDER BY seq DESC LIMIT 1",
    );
    assert.deepEqual(event.rows[0]?.data, { channel: 'whatsapp', reason: 'keyword STOP!', source: 'inbound:wappin' });

    const marketing = await send(to, [wa, sms], 'message-suppressed-whatsapp');
    assert.equal(marketing.attempts[0]?.fallback?.reason, 'suppressed');
    assert.equal(marketing.attempts[1]?.channel, 'sms');
    assert.equal(marketing.outcome, 'delivered');
    assert.equal(sent('wappin', to), 0, 'nothing to WhatsApp');
    assert.equal(sent('sms-masking', to), 1);

    const otp = await call('POST', '/v1/otp', { to });
    assert.equal(otp.status, 202, JSON.stringify(otp.body));
    await eventually(async () => lastCodeSent(stack.sandboxes, 'wappin', to), 15_000, 'the OTP code on WhatsApp');

    await inbound(to, 'MULAI');
    await eventually(async () => ((await channelsOf(to)).length === 0 ? true : undefined), 15_000, 'the opt-in');
    const after = await send(to, [wa, sms]);
    assert.equal(after.attempts.length, 1, 'WhatsApp again');
    assert.equal(after.attempts[0]?.fallback, undefined);
  });

  test('suppressed on every channel: nothing is sent and the message ends suppressed', async () => {
    const to = scriptedNumber();
    const suppressedKpi = async () =>
      (((await call('GET', '/v1/stats?window=1h')).body.byProvider ?? []) as Array<Record<string, number | string>>)
        .filter((r) => r.provider === 'wappin' || r.provider === 'sms-masking')
        .reduce((n, r) => n + Number(r.suppressed), 0);
    const kpiBefore = await suppressedKpi();
    const created = await call('POST', '/v1/suppressions', { phone: to, reason: 'complaint' });
    assert.equal(created.status, 201);
    assert.equal(created.body.channel, 'all');
    const result = await send(to, [wa, sms], 'message-suppressed-everywhere');
    assert.equal(result.outcome, 'suppressed');
    assert.deepEqual(
      result.attempts.map((a) => a.fallback?.reason),
      ['suppressed', 'suppressed'],
    );
    assert.equal(sent('wappin', to) + sent('sms-masking', to), 0);
    await eventually(
      async () => ((await suppressedKpi()) === kpiBefore + 2 ? true : undefined),
      15_000,
      'both skipped steps in the KPIs as suppressed',
    );
    // A utility message (the default) is suppressed too; an authentication one is not.
    const utility = await send(to, [{ ...sms, category: undefined }]);
    assert.equal(utility.outcome, 'suppressed');
    const code = await send(to, [{ ...sms, category: 'authentication', text: 'Your code is 123456' }]);
    assert.equal(code.outcome, 'delivered');
    assert.equal((await call('DELETE', `/v1/suppressions/${encodeURIComponent(to)}`)).status, 200);
    assert.equal((await call('DELETE', `/v1/suppressions/${encodeURIComponent(to)}`)).status, 404);
  });

  test('a campaign never sends to a suppressed recipient and counts it', async () => {
    const numbers = [scriptedNumber(), scriptedNumber(), scriptedNumber()];
    await call('POST', '/v1/suppressions', { phone: numbers[1], channel: 'all' });
    const res = await call('POST', '/v1/campaigns', {
      name: 'suppression test',
      steps: [wa, sms],
      recipients: numbers.map((phone) => ({ phone })),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const final = (await stack.client.workflow.getHandle(res.body.id as string).result()) as CampaignProgress;
    assert.equal(final.counts.suppressed, 1);
    assert.equal(final.pending, 0);
    assert.equal(sent('wappin', numbers[1]!) + sent('sms-masking', numbers[1]!), 0);
    assert.equal(sent('wappin', numbers[0]!), 1);
  });

  test('the CLI suppresses, lists, lifts and previews', async () => {
    const kurir = (...args: string[]) =>
      runKurir(args, { KURIR_API_URL: stack.apiUrl, KURIR_API_KEY: 'dev-key', LOG_LEVEL: 'silent' });
    const to = scriptedNumber();
    const added = await kurir('suppress', to, '--channel', 'sms', '--reason', 'asked by phone');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /suppressed .* sms {2}asked by phone/);
    const listed = await kurir('--json', 'suppressions', '--phone', to);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { items: Array<{ channel: string }> }).items.map((i) => i.channel),
      ['sms'],
    );
    assert.equal((await kurir('unsuppress', to)).code, 0);
    assert.equal((await kurir('unsuppress', to)).code, 4, 'nothing left to lift: not found');
    const preview = await kurir('preview', '--to', to, '--step', `sms:sms-masking:text=${'€'.repeat(81)}`);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /step 0 {2}sms\/sms-masking {2}GSM-7, 162 characters, 2 parts/);
    const bad = await kurir('suppress', '12345');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /phone/);
  });

  test('bad input names the field', async () => {
    const bad = await call('POST', '/v1/suppressions', { phone: '12345', channel: 'fax' });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /phone|channel/);
  });
});
