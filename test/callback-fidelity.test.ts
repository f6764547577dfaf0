// Callbacks as the provider documents allow them: values no mapping knows are kept (never a 400),
// Wappin signs with its rotating access token, and a gateway may append its own query to the URL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { recordAccessToken } from '../db/provider-access-tokens.js';
import type { MessageResult, MessageStatus } from '../workflows/types.js';
import { scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  // Only the access token is accepted here: the sandbox signs its callbacks with it.
  stack = await startStack({ env: { WAPPIN_CALLBACK_AUTH: 'access-token' } });
});
after(async () => {
  await stack?.stop();
});

const auth = { authorization: 'Bearer dev-key' };
const wappinStatus = (messageId: string, status: unknown) => ({
  message_id: messageId,
  client_id: '1',
  client_name: 'c',
  status_messages: status,
  timestamp: String(Math.floor(Date.now() / 1000)),
  callback_type: 'status',
});
const inbox = async (route: string) =>
  (
    await stack.pool.query<{ query: Record<string, string>; body: string }>(
      'SELECT query, body FROM callback_inbox WHERE route = $1 ORDER BY id',
      [route],
    )
  ).rows;

describe('callbacks the documents allow', () => {
  test("Wappin callbacks signed with the integration's current access token reach the workflow", async () => {
    const to = scriptedNumber('000');
    const id = await stack.send({
      to,
      steps: [{ channel: 'whatsapp', provider: 'wappin', template: 'order_shipped', params: ['A-1'] }],
      // A read rule makes the message wait for read; no poll comes before it, so only callbacks count.
      fallback: { notReadWithin: '30 seconds' },
      pollAfter: '1 minute',
    });
    const r = (await stack.client.workflow.getHandle(id).result()) as MessageResult;
    assert.equal(r.outcome, 'read');
    assert.ok(
      r.attempts[0]!.timeline.some((e) => e.source === 'callback' && e.status === 'read'),
      'read came by callback, not by a poll',
    );
  });

  test('the current and the previous access token are accepted, an older one and the static secret are not', async () => {
    const later = new Date(Date.now() + 3_600_000);
    for (const t of ['tok-old', 'tok-previous', 'tok-current']) await recordAccessToken(stack.pool, 'wappin', t, later);
    const post = (bearer: string) =>
      stack.api.inject({
        method: 'POST',
        url: '/callbacks/wappin',
        payload: wappinStatus(`rot-${bearer}`, 'read'),
        headers: { authorization: `Bearer ${bearer}` },
      });
    assert.deepEqual(
      await Promise.all(
        ['tok-current', 'tok-previous', 'tok-old', stack.config.WAPPIN_CALLBACK_TOKEN].map(
          async (t) => (await post(t)).statusCode,
        ),
      ),
      [200, 200, 401, 401],
    );
  });

  test('an unknown or numeric status is acknowledged, stored, counted and visible as unmapped', async () => {
    const id = await stack.send({
      to: scriptedNumber('605'), // sent, never delivered: the message keeps tracking
      steps: [{ channel: 'whatsapp', provider: 'wappin', template: 'order_shipped', params: ['A-1'] }],
      trackFor: '20 seconds',
    });
    const handle = stack.client.workflow.getHandle(id);
    const providerMessageId = await eventually(
      async () => (await handle.query<MessageStatus>('status')).attempts[0]?.providerMessageId,
      15_000,
      'the send answer',
    );
    const token = (
      await stack.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM provider_access_tokens WHERE provider = 'wappin'",
      )
    ).rows[0]!.n;
    assert.ok(Number(token) > 0, 'the worker recorded its access token');
    // The static secret is refused in this stack, so sign as Wappin does: with the access token the
    // sandbox issued. The sandbox's own callbacks prove that path; here the test records one.
    await recordAccessToken(stack.pool, 'wappin', 'tok-test', new Date(Date.now() + 3_600_000));
    for (const value of ['pending_operator', 7]) {
      const res = await stack.api.inject({
        method: 'POST',
        url: '/callbacks/wappin',
        payload: wappinStatus(providerMessageId, value),
        headers: { authorization: 'Bearer tok-test' },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { status: '000' }, "Wappin's ack, so it does not retry");
    }
    const status = await eventually(
      async () => {
        const res = await stack.api.inject({ method: 'GET', url: `/v1/messages/${id}`, headers: auth });
        const s = res.json<MessageStatus>();
        const unmapped = s.attempts[0]?.timeline.filter((e) => e.status === 'unmapped') ?? [];
        return unmapped.length === 2 ? s : undefined;
      },
      15_000,
      'two unmapped timeline entries',
    );
    const entries = status.attempts[0]!.timeline.filter((e) => e.status === 'unmapped');
    assert.deepEqual(
      entries.map((e) => e.applied),
      [false, false],
    );
    assert.ok(entries.some((e) => e.rawStatus === 'pending_operator'));
    assert.equal(status.attempts[0]?.status, 'sent', 'the status did not move');
    const metrics = await stack.api.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /kurir_callback_unmapped_total\{provider="wappin"\} [1-9]/);
    await handle.terminate('test done');
  });

  test('a callback that names no message at all is the only 400', async () => {
    await recordAccessToken(stack.pool, 'wappin', 'tok-test', new Date(Date.now() + 3_600_000));
    const res = await stack.api.inject({
      method: 'POST',
      url: '/callbacks/wappin',
      payload: { callback_type: 'status', status_messages: 'read' },
      headers: { authorization: 'Bearer tok-test' },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ message: string }>().message, /message_id/);
  });

  test('a DLR whose gateway appended its own query still authenticates on the path form; the secret is not stored', async () => {
    const secret = stack.config.CALLBACK_TOKEN;
    // A gateway that appends "?…" to a URL registered with ?token= breaks the token…
    const broken = await stack.api.inject({
      method: 'GET',
      url: `/callbacks/sms-masking?token=${encodeURIComponent(secret)}?session_id=91&error_code=22`,
    });
    assert.equal(broken.statusCode, 401);
    // …while the path form keeps it, whatever the gateway adds.
    for (const [route, query] of [
      ['/callbacks/sms-masking', 'session_id=91&error_code=22&gw=1'],
      ['/callbacks/nusasms', 'ref_no=92&status=D&err_code=0&gw=1'],
    ] as const) {
      const res = await stack.api.inject({ method: 'GET', url: `${route}/${encodeURIComponent(secret)}?${query}` });
      assert.equal(res.statusCode, 200, res.body);
      const rows = await inbox(route);
      assert.ok(rows.some((r) => r.query.gw === '1'));
      assert.ok(
        rows.every((r) => !JSON.stringify(r).includes(secret)),
        'the secret is not stored',
      );
    }
    const wrong = await stack.api.inject({ method: 'GET', url: '/callbacks/nusasms/not-the-secret?ref_no=1&status=D' });
    assert.equal(wrong.statusCode, 401);
  });
});

describe('CALLBACK_IP_ALLOWLIST with CIDRs', () => {
  let guarded: Stack;
  before(async () => {
    guarded = await startStack({ worker: false, env: { CALLBACK_IP_ALLOWLIST: '10.0.0.0/8, 2001:db8::/32' } });
  });
  after(async () => {
    await guarded?.stop();
  });

  test('an address inside a listed range gets to authentication; one outside is 403', async () => {
    const url = `/callbacks/nusasms/${encodeURIComponent(guarded.config.CALLBACK_TOKEN)}?ref_no=93&status=D`;
    const from = async (remoteAddress: string) =>
      (await guarded.api.inject({ method: 'GET', url, remoteAddress })).statusCode;
    assert.deepEqual(
      [await from('10.20.30.40'), await from('::ffff:10.1.1.1'), await from('2001:db8::7'), await from('127.0.0.1')],
      [200, 200, 200, 403],
    );
  });
});
