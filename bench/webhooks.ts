// `npm run bench:webhooks`: webhook delivery throughput (claim → sign → POST → record, ordered per
// message) against a bare HTTP POST loop to the same local receiver at the same concurrency, in
// the same run. Events are stored first with the dispatcher stopped, so delivery is measured alone.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { insertEvents } from '../db/events.js';
import { withHarness } from '../scripts/harness.js';
import { writeResult } from './results.js';
import { eventually, startStack } from '../test/helpers/stack.js';
import type { KurirEventInput } from '../workflows/event-types.js';

const N = Number(process.env.BENCH_WEBHOOKS ?? 3_000);
// Rounds alternate baseline and kurir so a load spike on a shared machine hits both; medians are reported.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PER_MESSAGE = 5;
const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);

const event = (run: string, i: number): KurirEventInput => ({
  id: `${run}-${i}`,
  type: 'message.delivered',
  messageId: `${run}-msg-${Math.floor(i / PER_MESSAGE)}`,
  reference: `order-${i}`,
  provider: 'wappin',
  channel: 'whatsapp',
  occurredAt: new Date().toISOString(),
  data: { step: 0, status: 'delivered', providerMessageId: `wamid.${i}` },
});

await withHarness(log, async (h) => {
  Object.assign(process.env, h.env);
  const seen = new Set<string>();
  let received = 0;
  const receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      received++;
      const id = req.headers['webhook-id'];
      if (typeof id === 'string') seen.add(id);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  // Baseline: the same receiver, plain fetch POSTs of an event-sized body, CONCURRENCY at a time.
  const body = JSON.stringify({ seq: 1, ...event('bare', 0), version: 1 });
  const bareLoop = async (count: number) => {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) {
          next++;
          const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
          await res.arrayBuffer();
        }
      }),
    );
    return count / ((performance.now() - started) / 1000);
  };
  await bareLoop(1_000); // warm-up

  const stack = await startStack({
    logLevel: 'silent',
    worker: false,
    webhooks: true,
    env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_CONCURRENCY: String(CONCURRENCY), WEBHOOK_INITIAL_BACKOFF: '100 ms' },
  });
  const res = await fetch(`${stack.apiUrl}/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.config.KURIR_API_KEYS[0]!.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
  });
  if (res.status !== 201) throw new Error(`subscribe answered ${res.status}: ${await res.text()}`);

  const deliver = async (run: string, count: number) => {
    await stack.webhooks!.stop();
    for (let i = 0; i < count; i += 500)
      await insertEvents(
        stack.pool,
        Array.from({ length: Math.min(500, count - i) }, (_, k) => event(run, i + k)),
      );
    received = 0;
    seen.clear();
    const started = performance.now();
    stack.webhooks!.start();
    await eventually(async () => (received >= count ? true : undefined), 600_000, `${count} deliveries`);
    const rps = count / ((performance.now() - started) / 1000);
    await new Promise((r) => setTimeout(r, 500)); // any duplicate would arrive now
    return { rps, received, unique: seen.size };
  };
  await deliver('warm', 1_000);
  const bare: number[] = [];
  const runs: Array<Awaited<ReturnType<typeof deliver>>> = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await bareLoop(N));
    runs.push(await deliver(`bench${round}`, N));
    log(`round ${round + 1}: bare ${Math.round(bare.at(-1)!)}/s, kurir ${Math.round(runs.at(-1)!.rps)}/s`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bareRps = median(bare);
  const kurir = {
    rps: median(runs.map((r) => r.rps)),
    received: runs.reduce((n, r) => n + r.received, 0),
    unique: runs.reduce((n, r) => n + r.unique, 0),
  };
  await stack.stop();
  await new Promise((r) => receiver.close(r));

  const ratio = kurir.rps / bareRps;
  const result = {
    benchmark: 'webhooks',
    events: N,
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    eventsPerMessage: PER_MESSAGE,
    bareRps: Math.round(bareRps),
    kurirRps: Math.round(kurir.rps),
    ratio: Number(ratio.toFixed(3)),
    delivered: kurir.received,
    uniqueIds: kurir.unique,
    duplicates: kurir.received - kurir.unique,
  };
  writeResult('webhooks', result);
  process.stdout.write(
    `webhook delivery: ${result.kurirRps}/s vs bare POST loop ${result.bareRps}/s = ratio ${result.ratio} ` +
      `(median of ${ROUNDS} alternating rounds of ${N} events, ${PER_MESSAGE} per message in order, concurrency ${CONCURRENCY}); ${kurir.received} delivered, ${result.duplicates} duplicates\n`,
  );
});
