// One bad row never stalls the relay (security review H1). The edge refuses poison with a 400
// naming the field; poison that is stored all the same (an older release let it in, a parser
// changed) is set aside as dead and listed, while every other callback of its batches is relayed.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { InboxWriter } from '../db/inbox-writer.js';
import { MESSAGE_WORKFLOW_TYPE } from '../workflows/messages.js';
import type { StatusUpdate } from '../workflows/types.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack({ worker: false, logLevel: 'warn' });
});
after(async () => {
  await stack?.stop();
});

const apiKey = () => stack.config.KURIR_API_KEYS[0]!.key;
const wappinStatus = (messageId: string, timestamp: string | number = '1700000000') => ({
  message_id: messageId,
  client_id: '1',
  client_name: 'c',
  status_messages: 'delivered',
  timestamp,
  callback_type: 'status',
});
const itdInbound = (uuid: string, extra: Record<string, unknown> = {}) => ({
  uuid,
  senderPhone: '56936858019',
  accountPhone: '56900000000',
  messageType: 'chat',
  content: 'hola',
  sendAt: 1_700_000_000_000,
  ...extra,
});

async function post(
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<{ statusCode: number; body: { field?: string; message?: string } }> {
  const res = await stack.api.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers });
  return { statusCode: res.statusCode, body: res.json() };
}

describe('relay poison', () => {
  test('the edge refuses control characters, impossible times and overlong ids with a 400 naming the field', async () => {
    const marker = `edge-${randomUUID()}`;
    const wappin = { authorization: `Bearer ${stack.config.WAPPIN_CALLBACK_TOKEN}` };
    const cases: Array<{ url: string; payload: unknown; headers?: Record<string, string>; field: string }> = [
      { url: '/callbacks/wappin', payload: wappinStatus(`${marker}\u0000x`), field: 'message_id' },
      {
        url: '/callbacks/wappin',
        payload: { ...wappinStatus(marker), client_name: 'bell\u0007' },
        field: 'client_name',
      },
      { url: '/callbacks/wappin', payload: wappinStatus(`${marker}${'x'.repeat(300)}`), field: 'message_id' },
      { url: '/callbacks/wappin', payload: { ...wappinStatus(marker), note: 'y'.repeat(70_000) }, field: 'note' },
      {
        url: `/callbacks/itd/inbound?token=${stack.config.CALLBACK_TOKEN}`,
        payload: itdInbound(marker, { content: 'a\u0000b' }),
        field: 'content',
      },
      {
        url: `/callbacks/itd/inbound?token=${stack.config.CALLBACK_TOKEN}`,
        payload: itdInbound(marker, { sendAt: 1e300 }),
        field: 'sendAt',
      },
    ];
    for (const c of cases) {
      const res = await post(c.url, c.payload, c.headers ?? wappin);
      assert.equal(res.statusCode, 400, `${c.field}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.field, c.field, res.body.message);
    }
    const stored = await stack.pool.query('SELECT 1 FROM callback_inbox WHERE body LIKE $1', [`%${marker}%`]);
    assert.equal(stored.rowCount, 0, 'nothing refused was stored');
  });

  test('an unauthenticated callback is refused before its body is read (review M1)', async () => {
    // 200 KB: under CALLBACK_BODY_LIMIT_BYTES, so it is parsed once authenticated.
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const payload of ['{"not json', deep]) {
      const res = await stack.api.inject({
        method: 'POST',
        url: '/callbacks/wappin',
        payload,
        headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' },
      });
      assert.equal(res.statusCode, 401, res.body.slice(0, 200));
    }
    // Authenticated, the same body is a 400 naming where it is too deep (it was a 500: a stack overflow).
    const res = await stack.api.inject({
      method: 'POST',
      url: '/callbacks/wappin',
      payload: deep,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.config.WAPPIN_CALLBACK_TOKEN}` },
    });
    assert.equal(res.statusCode, 400, res.body.slice(0, 200));
    assert.match(res.json<{ field: string }>().field, /^(0\.){31}0$/);
  });

  test(
    'poison rows among 1,000 good callbacks: every good one reaches its workflow, the poison is listed dead',
    { timeout: 60_000 },
    async () => {
      const run = randomUUID();
      // Four message workflows on a queue no worker polls: their histories show what the relay signalled.
      const workflows = await Promise.all(
        [0, 1, 2, 3].map(async (w) => {
          const workflowId = `msg_poison_${run}_${w}`;
          return stack.client.workflow.start(MESSAGE_WORKFLOW_TYPE, {
            taskQueue: `relay-poison-${run}`,
            workflowId,
            args: [{ to: '+6281100000000', steps: [{ channel: 'whatsapp', provider: 'wappin', template: 't' }] }],
          });
        }),
      );
      const good = Array.from({ length: 1_000 }, (_, i) => ({
        messageId: `good-${run}-${i}`,
        workflowId: workflows[i % 4]!.workflowId,
        step: Math.floor(i / 4),
      }));
      await stack.pool.query(
        `INSERT INTO provider_messages (provider, provider_message_id, workflow_id, step_index)
       SELECT 'wappin', m, w, s FROM unnest($1::text[], $2::text[], $3::int[]) AS t(m, w, s)`,
        [good.map((g) => g.messageId), good.map((g) => g.workflowId), good.map((g) => g.step)],
      );
      const goodInbound = Array.from({ length: 20 }, (_, i) => `in-${run}-${i}`);

      // Poison as it could be stored before the edge checks, or by a parser that changed since: the
      // same SQL as the route (InboxWriter), so the relay meets every kind of failure.
      const wappin = (body: string) => ({
        provider: 'wappin',
        route: '/callbacks/wappin',
        method: 'POST',
        query: {},
        body,
      });
      const itd = (body: string) => ({
        provider: 'itd',
        route: '/callbacks/itd/inbound',
        method: 'POST',
        query: {},
        body,
      });
      const poison = [
        { entry: wappin(JSON.stringify(wappinStatus(`nul-${run}\u0000`))), error: /owner lookup: .*\(22021\)/ },
        { entry: wappin(`{"not json ${run}`), error: /unparseable/ },
        {
          entry: itd(JSON.stringify(itdInbound(`nul-${run}`, { content: 'a\u0000b' }))),
          error: /store inbound: .*\((22021|22P05)\)/,
        },
        // Nobody owns it, and its id is too long for the index of the rows waiting for an owner.
        {
          entry: wappin(JSON.stringify({ ...wappinStatus(randomBytes(6_000).toString('base64')), client_name: run })),
          error: /retry bookkeeping: .*\(54000\)/,
        },
        { entry: itd(JSON.stringify(itdInbound(`epoch-${run}`, { sendAt: 1e300 }))), error: /unparseable: .*sendAt/ },
        {
          entry: itd(JSON.stringify(itdInbound(randomBytes(6_000).toString('base64'), { content: run }))),
          error: /store inbound: .*\(54000\)/,
        },
      ];

      const inbox = new InboxWriter(stack.pool);
      stack.relay.paused = true;
      const poisonIds: string[] = [];
      try {
        // Poison spread among the good rows, so it shares batches with them.
        const chunk = Math.ceil(good.length / poison.length);
        for (const [k, p] of poison.entries()) {
          await Promise.all(
            good
              .slice(k * chunk, (k + 1) * chunk)
              .map((g) => inbox.store(wappin(JSON.stringify(wappinStatus(g.messageId))))),
          );
          await Promise.all(
            goodInbound.slice(k * 3, (k + 1) * 3).map((id) => inbox.store(itd(JSON.stringify(itdInbound(id))))),
          );
          assert.equal(await inbox.store(p.entry), true);
          const res = await stack.pool.query<{ id: string }>('SELECT id FROM callback_inbox WHERE body = $1', [
            p.entry.body,
          ]);
          poisonIds.push(res.rows[0]!.id);
        }
        await Promise.all(
          goodInbound.slice(poison.length * 3).map((id) => inbox.store(itd(JSON.stringify(itdInbound(id))))),
        );
      } finally {
        stack.relay.paused = false;
      }
      stack.relay.wake();

      await eventually(
        async () => {
          const res = await stack.pool.query<{ relayed: string; dead: string }>(
            `SELECT count(*) FILTER (WHERE relayed_at IS NOT NULL) AS relayed, count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
         FROM callback_inbox WHERE body LIKE $1`,
            [`%${run}%`],
          );
          const r = res.rows[0]!;
          // The 54000 row names no run in its id: it carries the run in its text instead.
          return Number(r.relayed) === good.length + goodInbound.length && Number(r.dead) === poison.length
            ? r
            : undefined;
        },
        40_000,
        'every good callback relayed and every poison row dead',
      );

      // Every good status reached its workflow, each once.
      const loader = stack.client.options.loadedDataConverter.payloadConverter;
      for (const handle of workflows) {
        const history = await handle.fetchHistory();
        const received: string[] = [];
        for (const e of history.events ?? []) {
          const s = e.workflowExecutionSignaledEventAttributes;
          if (!s?.input?.payloads?.[0]) continue;
          const value = loader.fromPayload<StatusUpdate | StatusUpdate[]>(s.input.payloads[0]);
          for (const u of Array.isArray(value) ? value : [value]) received.push(u.providerMessageId);
        }
        await handle.terminate('test over');
        const expected = good.filter((g) => g.workflowId === handle.workflowId).map((g) => g.messageId);
        assert.deepEqual(received.sort(), expected.sort(), `${handle.workflowId} got each of its statuses once`);
      }
      const inbound = await stack.pool.query(
        'SELECT 1 FROM inbound_messages WHERE provider_message_id = ANY($1::text[])',
        [goodInbound],
      );
      assert.equal(inbound.rowCount, goodInbound.length, 'every good inbound message was stored');

      // The dead rows are listed with their errors, behind the API key, page by page.
      assert.equal((await stack.api.inject({ method: 'GET', url: '/v1/callbacks/dead' })).statusCode, 401);
      const listed = new Map<string, { error: string; provider: string; body: string; receivedAt: string }>();
      let before: string | undefined;
      for (let page = 0; page < 50; page++) {
        const res = await stack.api.inject({
          method: 'GET',
          url: `/v1/callbacks/dead?limit=2${before ? `&before=${before}` : ''}`,
          headers: { authorization: `Bearer ${apiKey()}` },
        });
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json<{
          items: Array<{
            id: string;
            error: string;
            provider: string;
            body: string;
            receivedAt: string;
            bodyTruncated: boolean;
          }>;
          next?: string;
        }>();
        for (const item of body.items) {
          listed.set(item.id, item);
          assert.ok(item.body.length <= 1_000, 'bodies are cut short');
        }
        if (!body.next || poisonIds.every((id) => listed.has(id))) break;
        before = body.next;
      }
      for (const [k, id] of poisonIds.entries()) {
        const item = listed.get(id);
        assert.ok(item, `dead callback ${id} is listed`);
        assert.match(item.error, poison[k]!.error);
        assert.equal(item.provider, poison[k]!.entry.provider);
        assert.ok(!Number.isNaN(Date.parse(item.receivedAt)));
      }
    },
  );
});
