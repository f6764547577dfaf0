// Outbound webhooks end to end: real workflows emit events into the outbox, the dispatcher POSTs
// them to a real HTTP receiver on 127.0.0.1, signed per Standard Webhooks; retries, dead letters,
// replay, URL policy, and no OTP code or phone number in any stored event.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { buildServer } from '../api/build.js';
import { insertEvents } from '../db/events.js';
import { WebhookDispatcher } from '../services/webhooks/dispatcher.js';
import { SecretBox } from '../services/webhooks/secret-box.js';
import { isInternalAddress } from '../services/webhooks/url-policy.js';
import { verifyWebhookSignature } from '../lib/crypto/webhook-signature.js';
import type { KurirEvent } from '../workflows/event-types.js';
import { WAPPIN_SAMPLES } from '../providers/wappin/contract.js';
import { lastCodeSent } from './helpers/codes.js';
import { scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';
import { startReceiver, type Receiver } from './helpers/webhook-receiver.js';

const wa = { channel: 'whatsapp' as const, provider: 'wappin' as const, template: 'order_shipped', params: ['A-1'] };
const sms = { channel: 'sms' as const, provider: 'sms-masking' as const, text: 'Order A-1 shipped' };

let stack: Stack;
const receivers: Receiver[] = [];
before(async () => {
  stack = await startStack({
    webhooks: true,
    env: {
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_INITIAL_BACKOFF: '100 ms',
      WEBHOOK_MAX_BACKOFF: '400 ms',
      WEBHOOK_RETRY_BUDGET: '1500 ms',
    },
  });
});
after(async () => {
  for (const r of receivers) await r.close();
  await stack?.stop();
});

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.config.KURIR_API_KEYS[0]!.key}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function subscribe(url: string, types?: string[]): Promise<{ id: string; secret: string }> {
  const res = await api<{ id: string; secret: string }>('POST', '/v1/webhooks', { url, ...(types ? { types } : {}) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function receiver(port?: number): Promise<Receiver> {
  const r = await startReceiver(port);
  receivers.push(r);
  return r;
}

async function storedEvents(messageId: string): Promise<KurirEvent[]> {
  const res = await stack.pool.query<{ id: string; seq: string; type: string }>(
    'SELECT id, seq, type FROM events WHERE message_id = $1 ORDER BY seq',
    [messageId],
  );
  return res.rows.map((r) => ({ id: r.id, seq: Number(r.seq), type: r.type }) as KurirEvent);
}

async function finished(id: string): Promise<void> {
  await stack.client.workflow.getHandle(id).result();
}

describe('webhooks', () => {
  test('every event of a WhatsApp→SMS fallback arrives signed, once, in order', async () => {
    const rx = await receiver();
    const sub = await subscribe(rx.url);
    const stored = await stack.pool.query<{ secret_encrypted: string }>(
      'SELECT secret_encrypted FROM webhook_subscriptions WHERE id = $1',
      [sub.id],
    );
    assert.ok(
      !stored.rows[0]!.secret_encrypted.includes(sub.secret.slice(6, 30)),
      'the secret is not stored in plaintext',
    );
    assert.match(sub.secret, /^whsec_[A-Za-z0-9+/]+=*$/);

    const id = await stack.send({ to: scriptedNumber('601'), reference: 'order-A-1', steps: [wa, sms] });
    await finished(id);
    const got = await eventually(
      async () => (rx.about(id).some((r) => r.event.type === 'message.completed') ? rx.about(id) : undefined),
      30_000,
      'message.completed delivered',
    );
    const events = await storedEvents(id);

    for (const r of got) {
      const verified = verifyWebhookSignature<KurirEvent>(sub.secret, r.headers, r.body);
      assert.equal(verified.id, r.headers['webhook-id'], 'webhook-id is the event id');
    }
    assert.throws(
      () => verifyWebhookSignature('whsec_' + Buffer.alloc(32, 1).toString('base64'), got[0]!.headers, got[0]!.body),
      /no valid signature/,
    );
    assert.throws(
      () => verifyWebhookSignature(sub.secret, got[0]!.headers, got[0]!.body.replace('}', ',"x":1}')),
      /no valid signature/,
    );

    // Exactly once each (a 200 receiver), and in stream order.
    assert.deepEqual(
      got.map((r) => r.event.id),
      events.map((e) => e.id),
    );
    assert.deepEqual(
      got.map((r) => r.event.seq),
      [...got.map((r) => r.event.seq)].sort((a, b) => a - b),
    );
    const types = got.map(
      (r) => `${r.event.type}${typeof r.event.data.step === 'number' ? `@${r.event.data.step}` : ''}`,
    );
    assert.deepEqual(
      types.filter((t) => !t.startsWith('message.sent')),
      ['message.failed@0', 'message.accepted@1', 'message.delivered@1', 'message.completed@1'].toSpliced(
        1,
        0,
        'message.fallback',
      ),
    );
    const fallback = got.find((r) => r.event.type === 'message.fallback')!.event;
    assert.deepEqual(
      {
        from: fallback.data.fromStep,
        to: fallback.data.toStep,
        reason: fallback.data.reason,
        rule: fallback.data.rule,
      },
      { from: 0, to: 1, reason: 'invalid_number', rule: 'onInvalidNumber' },
    );
    assert.deepEqual(fallback.data.to, { provider: 'sms-masking', channel: 'sms' });
    for (const r of got) {
      assert.equal(r.event.reference, 'order-A-1');
      assert.equal(r.event.version, 1);
      assert.ok(r.event.provider && r.event.channel, `${r.event.type} names provider and channel`);
    }
    assert.equal(got.at(-1)!.event.data.outcome, 'delivered');
    assert.equal((await api('DELETE', `/v1/webhooks/${sub.id}`)).status, 204);
  });

  test('a receiver answering 500 three times then 200 gets each event once after retries', async () => {
    const rx = await receiver();
    const sub = await subscribe(rx.url, ['message.accepted', 'message.delivered', 'message.read', 'message.completed']);
    let mine = '';
    rx.answer = (e, attempt) => (e.messageId === mine && attempt <= 3 ? 500 : 200);
    mine = `msg_test_retry_${Date.now()}`;
    await stack.send({ to: scriptedNumber('000'), steps: [wa] }, mine);
    await finished(mine);
    const stored = (await storedEvents(mine)).filter((e) => e.type !== 'message.sent');
    await eventually(
      async () => (rx.about(mine).filter((r) => r.status === 200).length === stored.length ? true : undefined),
      30_000,
      'every event delivered',
    );

    const got = rx.about(mine);
    const ok = got.filter((r) => r.status === 200);
    // Deduplicated by webhook-id: each event exactly once, and no 200 twice for one id.
    assert.deepEqual(
      ok.map((r) => r.headers['webhook-id']),
      stored.map((e) => e.id),
    );
    for (const e of stored) {
      const tries = got.filter((r) => r.event.id === e.id);
      assert.deepEqual(
        tries.map((r) => r.status),
        [500, 500, 500, 200],
        `${e.type}: three failures, then one success`,
      );
      assert.ok(
        tries.every((r) => r.headers['webhook-id'] === e.id),
        'the same webhook-id on every retry',
      );
    }
    // Ordered per message: no attempt at an event before the previous one was delivered.
    for (let i = 1; i < got.length; i++)
      assert.ok(got[i]!.event.seq >= got[i - 1]!.event.seq, 'attempts in event order');
    // The receiver logs a 200 before the dispatcher has recorded it: wait for the last row's commit.
    const rows = await eventually(
      async () => {
        const res = await stack.pool.query<{ attempts: number; state: string }>(
          `SELECT d.attempts, d.state FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.subscription_id = $1 AND e.message_id = $2`,
          [sub.id, mine],
        );
        return res.rows.every((r) => r.state !== 'pending') ? res.rows : undefined;
      },
      5_000,
      'every delivery recorded',
    );
    assert.deepEqual(
      rows.map((r) => [r.attempts, r.state]),
      stored.map(() => [4, 'delivered']),
    );
    await api('DELETE', `/v1/webhooks/${sub.id}`);
  });

  test('a receiver down for the whole budget: events are dead-lettered, replay delivers them', async () => {
    const down = await receiver();
    const port = Number(new URL(down.url).port);
    await down.close();
    const sub = await subscribe(down.url, ['message.accepted', 'message.completed']);
    const id = await stack.send({ to: scriptedNumber('000'), steps: [wa] });
    await finished(id);
    const stored = (await storedEvents(id)).filter(
      (e) => e.type === 'message.accepted' || e.type === 'message.completed',
    );
    assert.equal(stored.length, 2);
    const failures = await eventually(
      async () => {
        const res = await api<{ items: Array<{ event: KurirEvent; attempts: number; lastError: string }> }>(
          'GET',
          `/v1/webhooks/${sub.id}/failures`,
        );
        const mine = res.body.items.filter((f) => f.event.messageId === id);
        return mine.length === stored.length ? mine : undefined;
      },
      30_000,
      'both events dead-lettered',
    );
    assert.deepEqual(
      failures.map((f) => f.event.id),
      stored.map((e) => e.id),
    );
    for (const f of failures) {
      assert.ok(f.attempts >= 3, `retried (${f.attempts} attempts) before giving up`);
      assert.equal(f.lastError, 'connection_refused', 'a coarse class, no socket text');
    }

    const rx = await receiver(port);
    const replay = await api<{ replayed: number }>('POST', `/v1/webhooks/${sub.id}/replay`, {
      eventIds: stored.map((e) => e.id),
    });
    assert.equal(replay.status, 202);
    assert.equal(replay.body.replayed, 2);
    await eventually(async () => (rx.about(id).length === 2 ? true : undefined), 20_000, 'replayed events delivered');
    assert.deepEqual(
      rx.about(id).map((r) => r.event.id),
      stored.map((e) => e.id),
    );
    for (const r of rx.about(id)) verifyWebhookSignature(sub.secret, r.headers, r.body);
    const after = await api<{ items: Array<{ event: KurirEvent }> }>('GET', `/v1/webhooks/${sub.id}/failures`);
    assert.equal(after.body.items.filter((f) => f.event.messageId === id).length, 0);
    await api('DELETE', `/v1/webhooks/${sub.id}`);
  });

  test('endpoints on loopback or private addresses are refused unless allowed; https in production', async () => {
    const strict = await buildServer({
      config: { ...stack.config, WEBHOOK_ALLOW_PRIVATE: false },
      pool: stack.pool,
      temporal: stack.client,
      callbackEndpoints: [],
      providers: undefined as never,
    });
    const prod = await buildServer({
      config: { ...stack.config, NODE_ENV: 'production' },
      pool: stack.pool,
      temporal: stack.client,
      callbackEndpoints: [],
      providers: undefined as never,
    });
    const post = (app: typeof strict, url: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: { authorization: `Bearer ${stack.config.KURIR_API_KEYS[0]!.key}` },
        payload: { url },
      });
    try {
      for (const url of [
        'http://127.0.0.1:9/hooks',
        'http://localhost/hooks',
        'https://10.1.2.3/x',
        'http://[::1]:8080/',
        'http://169.254.169.254/latest',
        'http://192.168.1.10/',
      ]) {
        const res = await post(strict, url);
        assert.equal(res.statusCode, 400, `${url} refused`);
        assert.equal(res.json<{ field: string }>().field, 'url');
      }
      const bad = await post(strict, 'ftp://example.com/x');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json<{ message: string }>().message, /^url: /);
      const insecure = await post(prod, 'http://example.com/hooks');
      assert.equal(insecure.statusCode, 400);
      assert.match(insecure.json<{ message: string }>().message, /https/);
      // The stack allows private addresses (WEBHOOK_ALLOW_PRIVATE=true).
      const allowed = await subscribe('http://127.0.0.1:9/hooks');
      assert.equal((await api('DELETE', `/v1/webhooks/${allowed.id}`)).status, 204);
      assert.equal((await api('DELETE', `/v1/webhooks/${allowed.id}`)).status, 404);
      const list = await api<{ items: Array<{ id: string; secret?: string }> }>('GET', '/v1/webhooks');
      assert.ok(
        list.body.items.every((s) => s.secret === undefined),
        'secrets are never listed',
      );
      assert.equal(
        (await api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/', types: ['message.nope'] })).status,
        400,
      );
    } finally {
      await strict.close();
      await prod.close();
    }
    assert.ok(isInternalAddress('::ffff:127.0.0.1') && isInternalAddress('fd00::1') && isInternalAddress('100.64.0.1'));
    assert.ok(!isInternalAddress('93.184.216.34') && !isInternalAddress('2606:4700::1111'));
  });

  test('an inbound message becomes inbound.received, without the sender or the text', async () => {
    const messageId = `in-${Date.now()}`;
    const res = await fetch(`${stack.apiUrl}/callbacks/wappin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.config.WAPPIN_CALLBACK_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...WAPPIN_SAMPLES.messageCallback,
        message_id: messageId,
        message_content: 'secret-text-42',
      }),
    });
    assert.equal(res.status, 200);
    const row = await eventually(
      async () =>
        (
          await stack.pool.query<{ type: string; provider: string; data: { inboundId: string }; row: string }>(
            'SELECT type, provider, data, row_to_json(events)::text AS row FROM events WHERE id = $1',
            [`inbound:wappin:${messageId}`],
          )
        ).rows[0],
      15_000,
      'inbound.received',
    );
    assert.equal(row.type, 'inbound.received');
    assert.equal(row.provider, 'wappin');
    const inbound = await stack.pool.query<{ id: string }>(
      'SELECT id FROM inbound_messages WHERE provider_message_id = $1',
      [messageId],
    );
    assert.equal(row.data.inboundId, inbound.rows[0]!.id);
    assert.ok(!row.row.includes(WAPPIN_SAMPLES.messageCallback.sender_number) && !row.row.includes('secret-text-42'));
  });

  test('OTP events carry no code and no phone number', async () => {
    const to = scriptedNumber();
    const started = await api<{ id: string }>('POST', '/v1/otp', { to, strategy: ['sms'], reference: 'login-42' });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const code = await eventually(async () => lastCodeSent(stack.sandboxes, 'sms-masking', to), 15_000, 'the code');
    const verified = await api<{ status: string }>('POST', `/v1/otp/${started.body.id}/verify`, { code });
    assert.equal(verified.body.status, 'approved');
    await finished(started.body.id);
    const rows = await eventually(
      async () => {
        const res = await stack.pool.query<{ type: string; row: string }>(
          'SELECT type, row_to_json(events)::text AS row FROM events WHERE otp_id = $1 ORDER BY seq',
          [started.body.id],
        );
        return res.rows.some((r) => r.type === 'otp.approved') ? res.rows : undefined;
      },
      15_000,
      'otp.approved stored',
    );
    assert.deepEqual(
      rows.map((r) => r.type),
      ['otp.sent', 'otp.approved'],
    );
    assert.ok(rows[0]!.row.includes('login-42'), 'the reference is kept');
    for (const r of rows)
      assert.doesNotMatch(r.row, new RegExp(`(^|[^0-9A-Za-z])${code}([^0-9A-Za-z]|$)`), `no OTP code in ${r.type}`);
    const all = await stack.pool.query<{ t: string }>(
      "SELECT string_agg(row_to_json(events)::text, '\n') AS t FROM events",
    );
    assert.ok(
      !all.rows[0]!.t.includes(to.slice(1)) && !all.rows[0]!.t.includes(to.slice(-9)),
      'no phone number in any event',
    );
  });

  test('a black-holed endpoint holds only its own slots: another endpoint is served at once', async () => {
    let open = 0;
    let most = 0;
    const hole = createServer((req) => {
      open++;
      most = Math.max(most, open);
      req.on('close', () => {
        open--;
      });
    });
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    const rx = await receiver();
    const types = ['message.accepted'];
    const stuck = await subscribe(`http://127.0.0.1:${(hole.address() as AddressInfo).port}/hooks`, types);
    const good = await subscribe(rx.url, types);
    const tag = `hole-${Date.now()}`;
    // More subjects than WEBHOOK_CONCURRENCY: without a per-endpoint cap the black hole would take every slot for WEBHOOK_TIMEOUT.
    const n = stack.config.WEBHOOK_CONCURRENCY + 8;
    try {
      await insertEvents(
        stack.pool,
        Array.from({ length: n }, (_, i) => ({
          id: `${tag}:${i}`,
          type: 'message.accepted' as const,
          messageId: `${tag}-${i}`,
          reference: tag,
          occurredAt: new Date().toISOString(),
        })),
      );
      const started = Date.now();
      await eventually(
        async () => (rx.requests.filter((r) => r.event.reference === tag).length >= n ? true : undefined),
        8_000,
        'every event at the good endpoint',
      );
      assert.ok(Date.now() - started < 8_000, 'well within WEBHOOK_TIMEOUT');
      assert.ok(
        most <= stack.config.WEBHOOK_CONCURRENCY_PER_ENDPOINT,
        `${most} requests open at the black hole at once`,
      );
      assert.ok(most >= 1, 'the black hole was tried');
    } finally {
      await api('DELETE', `/v1/webhooks/${stuck.id}`);
      await api('DELETE', `/v1/webhooks/${good.id}`);
      hole.closeAllConnections();
      hole.close();
    }
  });

  test('rotating a signing secret: both sign during the overlap; a new WEBHOOK_SECRET_KEY reseals every secret', async () => {
    const rx = await receiver();
    const types = ['message.accepted'];
    const sub = await subscribe(rx.url, types);
    const rotated = await api<{ secret: string; previousValidUntil: string }>(
      'POST',
      `/v1/webhooks/${sub.id}/rotate-secret`,
      { overlapSeconds: 3_600 },
    );
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.notEqual(rotated.body.secret, sub.secret);
    assert.ok(Date.parse(rotated.body.previousValidUntil) > Date.now() + 3_500_000);
    const tag = `rotate-${Date.now()}`;
    try {
      await insertEvents(stack.pool, [
        {
          id: `${tag}:0`,
          type: 'message.accepted',
          messageId: tag,
          reference: tag,
          occurredAt: new Date().toISOString(),
        },
      ]);
      const [got] = await eventually(
        async () => (rx.about(tag).length ? rx.about(tag) : undefined),
        8_000,
        'the event',
      );
      assert.equal(String(got!.headers['webhook-signature']).split(' ').length, 2, 'two signatures');
      for (const secret of [rotated.body.secret, sub.secret]) verifyWebhookSignature(secret, got!.headers, got!.body);
      assert.equal((await api('POST', '/v1/webhooks/wh_unknown/rotate-secret', {})).status, 404);

      // A key rotation: this subscription was sealed under an old key; the operator sets "current,old"
      // and a dispatcher started on it reseals with the current key. (Other files' rows share the
      // database and are already sealed with the current key, so they are left alone.)
      const oldBox = new SecretBox('o'.repeat(40));
      await stack.pool.query(
        'UPDATE webhook_subscriptions SET secret_encrypted = $2, previous_secret_encrypted = $3 WHERE id = $1',
        [sub.id, oldBox.seal(rotated.body.secret, sub.id), oldBox.seal(sub.secret, sub.id)],
      );
      const dispatcher = new WebhookDispatcher({
        pool: stack.pool,
        logger: pino({ level: 'silent' }),
        config: { ...stack.config, WEBHOOK_SECRET_KEY: `${stack.config.WEBHOOK_SECRET_KEY},${'o'.repeat(40)}` },
      });
      assert.ok((await dispatcher.resealAll()) >= 1);
      const row = await stack.pool.query<{ secret_encrypted: string; previous_secret_encrypted: string }>(
        'SELECT secret_encrypted, previous_secret_encrypted FROM webhook_subscriptions WHERE id = $1',
        [sub.id],
      );
      const current = new SecretBox(stack.config.WEBHOOK_SECRET_KEY);
      assert.equal(current.open(row.rows[0]!.secret_encrypted, sub.id), rotated.body.secret);
      assert.equal(current.open(row.rows[0]!.previous_secret_encrypted, sub.id), sub.secret);
    } finally {
      await api('DELETE', `/v1/webhooks/${sub.id}`);
    }
  });
});
