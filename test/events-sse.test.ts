// GET /v1/events end to end: Server-Sent Events from real workflows, resumed with Last-Event-ID
// without gaps or duplicates, the typed client's iterator, the CLI, and a server that closes
// cleanly while streams are open.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { buildServer } from '../api/build.js';
import { insertEvents } from '../db/events.js';
import { EventNotifier } from '../services/event-notifier.js';
import { parseSseBlock, streamEvents } from '../client/events.js';
import { PROJECT_ROOT } from '../scripts/paths.js';
import type { KurirEvent } from '../workflows/event-types.js';
import { campaignNumber } from './helpers/campaign.js';
import { digitsOf, scriptedNumber } from './helpers/numbers.js';
import { startStack, type Stack } from './helpers/stack.js';

const wa = { channel: 'whatsapp' as const, provider: 'wappin' as const, template: 'order_shipped', params: ['A-1'] };
const sms = { channel: 'sms' as const, provider: 'sms-masking' as const, text: 'Order A-1 shipped' };

let stack: Stack;
before(async () => {
  stack = await startStack({ env: { SSE_HEARTBEAT: '200 ms' } });
});
after(async () => {
  await stack?.stop();
});

const key = () => stack.config.KURIR_API_KEYS[0]!.key;

interface Read {
  events: KurirEvent[];
  ids: string[];
  comments: number;
  ended: boolean;
}

/** Reads an SSE response until `stop` says so (then aborts) or the server ends it. */
async function readStream(
  url: string,
  headers: Record<string, string>,
  stop: (r: Read) => boolean,
  timeoutMs = 30_000,
): Promise<Read> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const read: Read = { events: [], ids: [], comments: 0, ended: false };
  try {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${key()}`, ...headers },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (block.startsWith(':')) read.comments++;
        const msg = parseSseBlock(block);
        if (msg.data) {
          const e = JSON.parse(msg.data) as KurirEvent;
          assert.equal(msg.event, e.type, 'event: is the type');
          assert.equal(msg.id, String(e.seq), 'id: is the seq');
          read.events.push(e);
          read.ids.push(String(e.seq));
        }
        if (stop(read)) {
          controller.abort();
          return read;
        }
      }
    }
    read.ended = true;
    return read;
  } catch (err) {
    if (controller.signal.aborted) return read;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function stored(messageId: string): Promise<number[]> {
  const res = await stack.pool.query<{ seq: string }>('SELECT seq FROM events WHERE message_id = $1 ORDER BY seq', [
    messageId,
  ]);
  return res.rows.map((r) => Number(r.seq));
}

describe('event stream (SSE)', () => {
  test('resumes after a disconnect with Last-Event-ID: no gaps, no duplicates', async () => {
    const id = await stack.send({
      to: scriptedNumber('604'),
      steps: [wa, sms],
      fallback: { notReadWithin: '2 seconds' },
    });
    const url = `${stack.apiUrl}/v1/events?messageId=${id}`;
    // First connection: drop it once WhatsApp reports delivered (before the fallback).
    const first = await readStream(url, {}, (r) => r.events.some((e) => e.type === 'message.delivered'));
    assert.ok(first.events.length >= 2, 'some events before the disconnect');
    assert.ok(!first.events.some((e) => e.type === 'message.fallback'), 'disconnected before the fallback');
    await stack.client.workflow.getHandle(id).result();
    // Second connection: resumes after the last id seen, then follows live until completed.
    const second = await readStream(url, { 'last-event-id': first.ids.at(-1)! }, (r) =>
      r.events.some((e) => e.type === 'message.completed'),
    );
    const seqs = [...first.events, ...second.events].map((e) => e.seq);
    assert.deepEqual(seqs, await stored(id), 'every stored event exactly once, in order');
    assert.ok(second.events.some((e) => e.type === 'message.fallback'));
    assert.ok(second.events.every((e) => e.messageId === id));
  });

  test('an unfiltered stream starts live, follows new events and sends heartbeats', async () => {
    const before = await stack.pool.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM events');
    let id = '';
    const reading = readStream(
      `${stack.apiUrl}/v1/events?types=message.completed`,
      {},
      (r) => r.events.some((e) => e.messageId === id) && r.comments >= 2,
    );
    await new Promise((r) => setTimeout(r, 300));
    id = await stack.send({ to: scriptedNumber('000'), steps: [wa] });
    const read = await reading;
    assert.ok(
      read.events.every((e) => e.type === 'message.completed' && e.seq > Number(before.rows[0]!.seq ?? 0)),
      'only new, only the requested type',
    );
    assert.ok(read.comments >= 2, 'heartbeat comments');
  });

  test('follow=false replays the stored events and ends; bad requests are refused', async () => {
    // A read rule makes the message wait for "read": without one it ends at "delivered", and whether
    // the read report made it in first depended on timing (a slow CI run stored four events, not five).
    const id = await stack.send({ to: scriptedNumber('000'), steps: [wa], fallback: { notReadWithin: '1 minute' } });
    await stack.client.workflow.getHandle(id).result();
    // A message writes its events before it completes: no waiting after the result.
    const types = (
      await stack.pool.query<{ type: string }>('SELECT type FROM events WHERE message_id = $1 ORDER BY seq', [id])
    ).rows.map((r) => r.type);
    assert.deepEqual([...types].sort(), [
      'message.accepted',
      'message.completed',
      'message.delivered',
      'message.read',
      'message.sent',
    ]);
    const read = await readStream(`${stack.apiUrl}/v1/events?messageId=${id}&follow=false`, {}, () => false);
    assert.equal(read.ended, true);
    assert.deepEqual(
      read.events.map((e) => e.seq),
      await stored(id),
    );
    assert.equal((await fetch(`${stack.apiUrl}/v1/events`)).status, 401);
    const bad = await fetch(`${stack.apiUrl}/v1/events?types=message.nope`, {
      headers: { authorization: `Bearer ${key()}` },
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { field: string }).field, 'types');
  });

  test("the typed client iterates a message's events; the CLI prints them", async () => {
    const id = await stack.send({ to: scriptedNumber('601'), steps: [wa, sms] });
    const types: string[] = [];
    for await (const e of streamEvents({ messageId: id }, { apiUrl: stack.apiUrl, apiKey: key() })) {
      types.push(e.type);
      if (e.type === 'message.completed') break;
    }
    assert.equal(types[0], 'message.failed');
    assert.ok(types.includes('message.fallback') && types.includes('message.delivered'));

    const env = { ...process.env, KURIR_API_URL: stack.apiUrl, KURIR_API_KEY: key(), LOG_LEVEL: 'silent' };
    const run = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [join(PROJECT_ROOT, 'bin', 'kurir.js'), ...args],
          { env, timeout: 30_000 },
          (err, stdout, stderr) => {
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
          },
        );
      });
    const human = await run('events', '--message', id);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /message\.fallback\s+\S+\s+whatsapp\/wappin\s+step 0 → 1 \(invalid_number\)/);
    const json = await run('--json', 'events', '--message', id, '--types', 'message.completed');
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as KurirEvent).type),
      ['message.completed'],
    );
    const refused = await run('events', '--types', 'nope');
    assert.equal(refused.code, 2);
  });

  test("a campaign stream carries its recipients' message events, throttled progress and completion", async () => {
    const recipients = Array.from({ length: 4 }, (_, i) => ({
      phone: campaignNumber('877', i, i === 0 ? '601' : '000'),
      params: [`R${i}`],
    }));
    const res = await fetch(`${stack.apiUrl}/v1/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'events', steps: [wa, sms], recipients }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const read = await readStream(
      `${stack.apiUrl}/v1/events?campaignId=${id}`,
      {},
      (r) => r.events.some((e) => e.type === 'campaign.completed'),
      60_000,
    );
    const done = read.events.at(-1)!;
    assert.equal(done.type, 'campaign.completed');
    assert.equal(done.data.state, 'completed');
    assert.equal(done.data.total, 4);
    const progress = read.events.filter((e) => e.type === 'campaign.progress');
    assert.ok(progress.length >= 1 && progress.length <= 4, `${progress.length} progress events`);
    assert.ok(
      progress.every((e, i) => i === 0 || Number(e.data.finished) > Number(progress[i - 1]!.data.finished)),
      'progress only grows',
    );
    const completedMessages = new Set(
      read.events.filter((e) => e.type === 'message.completed').map((e) => e.messageId),
    );
    assert.equal(completedMessages.size, 4, "every recipient's message.completed, tagged with the campaign");
    assert.equal(read.events.filter((e) => e.type === 'message.fallback').length, 1);
    const text = JSON.stringify(read.events);
    for (const r of recipients) assert.ok(!text.includes(digitsOf(r.phone)), 'no recipient number in the events');
  });

  test('closing the server ends open streams instead of hanging', async () => {
    const server = await buildServer({
      config: stack.config,
      pool: stack.pool,
      temporal: stack.client,
      callbackEndpoints: [],
      providers: undefined as never,
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const port = (server.server.address() as { port: number }).port;
    const reading = readStream(`http://127.0.0.1:${port}/v1/events`, {}, () => false, 20_000);
    // Let the stream open (its first bytes are on the wire) before closing the server.
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 5_000, `close took ${Date.now() - started} ms`);
    const read = await reading;
    assert.equal(read.ended, true, 'the client saw the stream end');
  });

  test('open streams are capped per API key (429 naming the limit); closing one frees a slot', async () => {
    const limit = stack.config.SSE_MAX_STREAMS_PER_KEY;
    const controllers = Array.from({ length: limit }, () => new AbortController());
    const open = (c: AbortController) =>
      fetch(`${stack.apiUrl}/v1/events`, { headers: { authorization: `Bearer ${key()}` }, signal: c.signal });
    try {
      for (const c of controllers) assert.equal((await open(c)).status, 200);
      const over = await fetch(`${stack.apiUrl}/v1/events`, { headers: { authorization: `Bearer ${key()}` } });
      assert.equal(over.status, 429);
      assert.match(
        ((await over.json()) as { message: string }).message,
        new RegExp(`SSE_MAX_STREAMS_PER_KEY=${limit}`),
      );
      controllers[0]!.abort();
      const again = new AbortController();
      controllers.push(again);
      const reopened = await eventuallyStatus(() => open(again), 200);
      assert.equal(reopened, 200, 'a closed stream gives its slot back');
    } finally {
      for (const c of controllers) c.abort();
    }
  });

  test('one database read per notification batch, whatever the number of open streams', async () => {
    let reads = 0;
    const counting = new Proxy(stack.pool, {
      get(target, prop, receiver) {
        if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown;
        return (...args: unknown[]) => {
          if (/FROM events WHERE seq >/.test(String(args[0]))) reads++;
          return (target.query as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const notifier = new EventNotifier({ pool: stack.pool, logger: pino({ level: 'silent' }) });
    await notifier.start();
    const server = await buildServer({
      config: stack.config,
      pool: counting,
      temporal: stack.client,
      callbackEndpoints: [],
      providers: undefined as never,
      events: notifier,
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const port = (server.server.address() as { port: number }).port;
    const tag = `fanout-${Date.now()}`;
    try {
      const streams = Array.from({ length: 8 }, () =>
        readStream(
          `http://127.0.0.1:${port}/v1/events?types=message.accepted`,
          {},
          (r) => r.events.some((e) => e.reference === tag),
          15_000,
        ),
      );
      // Let every stream catch up and join the shared reader.
      await new Promise((r) => setTimeout(r, 700));
      const before = reads;
      await insertEvents(stack.pool, [
        {
          id: `${tag}:1`,
          type: 'message.accepted',
          messageId: `${tag}-m`,
          reference: tag,
          occurredAt: new Date().toISOString(),
        },
      ]);
      const got = await Promise.all(streams);
      for (const r of got)
        assert.deepEqual(
          r.events.map((e) => e.reference),
          [tag],
          'every stream got the event once',
        );
      // One read for the batch (a second only if the 5 s safety poll happened to tick), not one per stream.
      assert.ok(reads - before <= 2, `${reads - before} reads for 8 streams`);
    } finally {
      await server.close();
      await notifier.stop();
    }
  });

  test('inbound timeouts close a silent connection but never an open stream with heartbeats', async () => {
    const server = await buildServer(
      {
        config: stack.config,
        pool: stack.pool,
        temporal: stack.client,
        callbackEndpoints: [],
        providers: undefined as never,
      },
      false,
      { requestTimeoutMs: 1_000, connectionTimeoutMs: 1_000 },
    );
    await server.listen({ host: '127.0.0.1', port: 0 });
    const port = (server.server.address() as { port: number }).port;
    try {
      // Half a request, then silence: the server closes the socket.
      const started = Date.now();
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write('GET /v1/events HTTP/1.1\r\nHost: x\r\n'));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
        setTimeout(() => {
          socket.destroy();
          reject(new Error('the silent connection was not closed'));
        }, 5_000);
      });
      assert.ok(Date.now() - started < 4_000);
      // A stream (heartbeat 200 ms) lives well past both timeouts.
      const read = await readStream(`http://127.0.0.1:${port}/v1/events`, {}, (r) => r.comments >= 14, 6_000);
      assert.equal(read.ended, false, 'not cut by the server');
      assert.ok(read.comments >= 14, `${read.comments} heartbeats over about 3 s`);
    } finally {
      await server.close();
    }
  });
});

/** Retries a request briefly until it answers `want` (the server frees a slot when it sees the close). */
async function eventuallyStatus(request: () => Promise<Response>, want: number): Promise<number> {
  let status = 0;
  for (let i = 0; i < 50 && status !== want; i++) {
    const res = await request();
    status = res.status;
    if (status !== want) {
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return status;
}
