// The sandboxes' scripted surprises (sandboxes/kit.ts 611/612) through the whole path: the sandbox
// calls the API with a status value its document does not show, the API stores and acknowledges it,
// the relay signals it, and the message's timeline keeps it as unmapped without moving the status.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MessageStatus } from '../workflows/types.js';
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

/** The message as the API shows it, once its attempt reached `delivered` and holds an unmapped entry. */
async function deliveredWithUnmapped(id: string): Promise<MessageStatus> {
  return eventually(
    async () => {
      const res = await stack.api.inject({ method: 'GET', url: `/v1/messages/${id}`, headers: auth });
      if (res.statusCode !== 200) return undefined;
      const s = res.json<MessageStatus>();
      const timeline = s.attempts[0]?.timeline ?? [];
      const done = timeline.some((e) => e.status === 'delivered') && timeline.some((e) => e.status === 'unmapped');
      return done ? s : undefined;
    },
    20_000,
    'delivered and an unmapped entry',
  );
}

describe('status values the documents do not show reach the timeline as unmapped', () => {
  const cases = [
    {
      name: 'NusaSMS letter R (611)',
      to: scriptedNumber('611'),
      step: { channel: 'whatsapp', provider: 'nusasms', text: 'Order A-1 shipped' },
      provider: 'nusasms',
      idField: 'ref_no',
      raw: 'R',
    },
    {
      name: 'NusaSMS number 2 where a letter was shown (612)',
      to: scriptedNumber('612'),
      step: { channel: 'whatsapp', provider: 'nusasms', text: 'Order A-1 shipped' },
      provider: 'nusasms',
      idField: 'ref_no',
      raw: '2',
    },
    {
      name: 'SMS-masking DLR code 23 (611 on the SMS digits)',
      to: scriptedNumber('000', '611'),
      step: { channel: 'sms', provider: 'sms-masking', text: 'Order A-1 shipped' },
      provider: 'sms-masking',
      idField: 'session_id',
      raw: '23',
    },
  ] as const;

  for (const c of cases) {
    test(`${c.name}: acknowledged, kept with its raw value, the status untouched`, async () => {
      const id = await stack.send({ to: c.to, steps: [c.step], trackFor: '15 seconds' });
      const status = await deliveredWithUnmapped(id);
      const attempt = status.attempts[0]!;
      const unmapped = attempt.timeline.filter((e) => e.status === 'unmapped');
      assert.equal(unmapped.length, 1, JSON.stringify(attempt.timeline));
      assert.deepEqual([unmapped[0]?.rawStatus, unmapped[0]?.applied, unmapped[0]?.source], [c.raw, false, 'callback']);
      assert.equal(attempt.status, 'delivered', 'the unknown value did not move the status');
      // Both of the message's callbacks were stored (so acknowledged: the sandbox did not retry).
      const rows = await stack.pool.query<{ status: string }>(
        `SELECT query->>$2 AS status FROM callback_inbox WHERE provider = $1 AND query->>$3 = $4 ORDER BY id`,
        [c.provider, c.provider === 'nusasms' ? 'status' : 'error_code', c.idField, attempt.providerMessageId],
      );
      assert.deepEqual(
        rows.rows.map((r) => r.status),
        [c.raw, c.provider === 'nusasms' ? 'D' : '22'],
      );
      await stack.client.workflow
        .getHandle(id)
        .terminate('test done')
        .catch(() => undefined);
    });
  }

  test('the unmapped reports are counted per provider', async () => {
    const metrics = await stack.api.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /kurir_callback_unmapped_total\{provider="nusasms"\} [1-9]/);
    assert.match(metrics.body, /kurir_callback_unmapped_total\{provider="sms-masking"\} [1-9]/);
  });
});

/** The message's first attempt once it is delivered. */
async function firstAttemptDelivered(id: string, what: string) {
  return eventually(
    async () => {
      const res = await stack.api.inject({ method: 'GET', url: `/v1/messages/${id}`, headers: auth });
      const a = res.json<MessageStatus>().attempts[0];
      return a?.status === 'delivered' ? a : undefined;
    },
    20_000,
    what,
  );
}

describe('the lost callback (606) and the early callback (609) on these providers', () => {
  for (const [provider, channel, to] of [
    ['nusasms', 'whatsapp', scriptedNumber('606')],
    ['sms-masking', 'sms', scriptedNumber('000', '606')],
  ] as const) {
    test(`${provider} 606: no callback, the status lookup finds delivered`, async () => {
      const id = await stack.send({
        to,
        steps: [{ channel, provider, text: 'Order A-1 shipped' }],
        pollAfter: '1 second',
        trackFor: '15 seconds',
      });
      const attempt = await firstAttemptDelivered(id, 'delivered by a lookup');
      assert.ok(
        attempt.timeline.some((e) => e.status === 'delivered' && e.source === 'poll'),
        JSON.stringify(attempt.timeline),
      );
      assert.ok(!attempt.timeline.some((e) => e.source === 'callback'));
      await stack.client.workflow
        .getHandle(id)
        .terminate('test done')
        .catch(() => undefined);
    });
  }

  for (const [provider, channel, to] of [
    ['nusasms', 'whatsapp', scriptedNumber('609')],
    ['sms-masking', 'sms', scriptedNumber('000', '609')],
  ] as const) {
    test(`${provider} 609: the callback that overtook the send answer is applied`, async () => {
      const id = await stack.send({
        to,
        steps: [{ channel, provider, text: 'Order A-1 shipped' }],
        pollAfter: '1 minute',
        trackFor: '15 seconds',
      });
      const attempt = await firstAttemptDelivered(id, 'delivered by the early callback');
      assert.ok(attempt.timeline.some((e) => e.status === 'delivered' && e.source === 'callback'));
      await stack.client.workflow
        .getHandle(id)
        .terminate('test done')
        .catch(() => undefined);
    });
  }
});
