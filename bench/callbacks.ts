// `npm run bench:callbacks`: callback ingest throughput against a bare Fastify handler measured
// in the same run, and callback-to-workflow latency (callback POST → signal recorded in history).
import Fastify from 'fastify';
import { InboxWriter } from '../db/inbox-writer.js';
import { withHarness } from '../scripts/harness.js';
import { scriptedNumber } from '../test/helpers/numbers.js';
import { eventually, startStack } from '../test/helpers/stack.js';
import { percentile, round1, runLoad } from './run-load.js';
import { writeResult } from './results.js';

const N = Number(process.env.BENCH_CALLBACKS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 200);
/** Issue #18's targets: ingest at 0.8 of a bare Fastify handler, a callback in its workflow within 25 / 150 ms. */
const TARGETS = { ratio: 0.8, rps: 3000, p50: 25, p99: 150 };
const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);

const wappinBody = (id: string, status: string) =>
  JSON.stringify({
    message_id: id,
    client_id: '0009',
    client_name: 'kurir-bench',
    project_id: '16',
    project_name: 'BENCH',
    sender_number: '628989229471',
    status_messages: status,
    message_content: '-',
    environment: 'PRODUCTION',
    timestamp: String(Math.floor(Date.now() / 1000)),
    callback_type: 'status',
  });

await withHarness(log, async (h) => {
  Object.assign(process.env, h.env);

  // Baseline: a bare Fastify handler that answers like we do, storing nothing.
  const bare = Fastify();
  bare.post('/callbacks/wappin', async () => ({ status: '000' }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/callbacks/wappin`;

  const stack = await startStack({ logLevel: 'silent' });
  stack.relay.paused = true; // ingest alone: store + ack (the relay is measured by the latency part)

  // The storage floor: the bare handler plus the same durable group-commit insert, and nothing
  // else (no auth, parsing, validation or metrics). Kurir against it is what our handler adds.
  const floor = Fastify();
  const writer = new InboxWriter(stack.pool);
  floor.post('/callbacks/wappin', async (req) => {
    await writer.store({
      provider: 'wappin',
      route: '/floor',
      method: 'POST',
      query: {},
      body: JSON.stringify(req.body),
    });
    return { status: '000' };
  });
  await floor.listen({ host: '127.0.0.1', port: 0 });
  const floorUrl = `http://127.0.0.1:${(floor.server.address() as { port: number }).port}/callbacks/wappin`;

  const headers = { authorization: `Bearer ${stack.config.WAPPIN_CALLBACK_TOKEN}` };
  const template = wappinBody('bench-{i}', 'delivered');
  await runLoad(bareUrl, 2_000, CONCURRENCY, headers, template); // warm-up
  await runLoad(floorUrl, 2_000, CONCURRENCY, headers, template.replace('bench-', 'warm-floor-'));
  await runLoad(`${stack.apiUrl}/callbacks/wappin`, 2_000, CONCURRENCY, headers, template.replace('bench-', 'warm-'));
  const baseline = await runLoad(bareUrl, N, CONCURRENCY, headers, template);
  const floorLoad = await runLoad(floorUrl, N, CONCURRENCY, headers, template.replace('bench-', 'floor-'));
  const kurir = await runLoad(`${stack.apiUrl}/callbacks/wappin`, N, CONCURRENCY, headers, template);
  const stored = Number(
    (
      await stack.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM callback_inbox WHERE body LIKE '%bench-%' AND route <> '/floor'",
      )
    ).rows[0]!.n,
  );
  await bare.close();
  await floor.close();
  await stack.pool.query('DELETE FROM callback_inbox');

  // Latency: workflows that get no callbacks from the sandbox (606) wait; each gets one callback.
  stack.relay.paused = false;
  const ids: Array<{ id: string; providerMessageId: string }> = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const id = await stack.send({
      to: scriptedNumber('606'),
      steps: [{ channel: 'whatsapp', provider: 'wappin', template: 't', params: [] }],
      fallback: { notReadWithin: '1 hour' },
      pollAfter: '1 hour',
    });
    ids.push({ id, providerMessageId: '' });
  }
  for (const entry of ids) {
    entry.providerMessageId = await eventually(
      async () =>
        (
          await stack.pool.query<{ provider_message_id: string }>(
            'SELECT provider_message_id FROM provider_messages WHERE workflow_id = $1',
            [entry.id],
          )
        ).rows[0]?.provider_message_id,
      30_000,
      'send',
    );
  }
  const sentAt = new Map<string, number>();
  const acks: number[] = [];
  for (const entry of ids) {
    sentAt.set(entry.id, Date.now());
    const posted = performance.now();
    const res = await fetch(`${stack.apiUrl}/callbacks/wappin`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: wappinBody(entry.providerMessageId, 'read'),
    });
    if (res.status !== 200) throw new Error(`callback answered ${res.status}`);
    acks.push(performance.now() - posted);
    await new Promise((r) => setTimeout(r, 10));
  }
  const latencies: number[] = [];
  for (const entry of ids) {
    const history = await eventually(
      async () => {
        const hist = await stack.client.workflow.getHandle(entry.id).fetchHistory();
        return hist.events?.some((e) => e.workflowExecutionSignaledEventAttributes) ? hist : undefined;
      },
      30_000,
      'signal',
    );
    const signaled = history.events!.find((e) => e.workflowExecutionSignaledEventAttributes)!;
    const t = Number(signaled.eventTime!.seconds) * 1000 + Math.floor((signaled.eventTime!.nanos ?? 0) / 1e6);
    latencies.push(t - sentAt.get(entry.id)!);
  }
  await stack.stop();

  const ratio = kurir.rps / baseline.rps;
  const ofFloor = kurir.rps / floorLoad.rps;
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const result = {
    benchmark: 'callbacks',
    requests: N,
    concurrency: CONCURRENCY,
    bareRps: Math.round(baseline.rps),
    kurirRps: Math.round(kurir.rps),
    ratio: Number(ratio.toFixed(3)),
    floorRps: Math.round(floorLoad.rps),
    floorOfBare: Number((floorLoad.rps / baseline.rps).toFixed(3)),
    ofFloor: Number(ofFloor.toFixed(3)),
    stored,
    errors: kurir.errors,
    statuses: kurir.statuses,
    latencyMs: { p50, p99, samples: latencies.length },
    // The provider's own wait (POST to ack); the rest is the relay and the Temporal signal.
    ackMs: { p50: round1(percentile(acks, 50)), p99: round1(percentile(acks, 99)) },
    targets: TARGETS,
    met: {
      ratio: ratio >= TARGETS.ratio,
      rps: kurir.rps >= TARGETS.rps,
      p50: p50 <= TARGETS.p50,
      p99: p99 <= TARGETS.p99,
    },
  };
  writeResult('callbacks', result);
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  process.stdout.write(
    [
      `callbacks ingest: ${result.kurirRps}/s vs bare Fastify ${result.bareRps}/s = ratio ${result.ratio} (target ≥${TARGETS.ratio}: ${mark(result.met.ratio)}; ≥${TARGETS.rps}/s: ${mark(result.met.rps)}); ${stored}/${N} stored, statuses ${JSON.stringify(kurir.statuses)}`,
      `  the storage floor (bare Fastify + the same durable insert) ${result.floorRps}/s = ${result.floorOfBare} of bare; kurir = ${result.ofFloor} of the floor`,
      `callback→workflow latency: p50 ${p50} ms (target ≤${TARGETS.p50}: ${mark(result.met.p50)}), p99 ${p99} ms (target ≤${TARGETS.p99}: ${mark(result.met.p99)}) over ${latencies.length} callbacks; of it the ack (stored) p50 ${result.ackMs.p50} ms, p99 ${result.ackMs.p99} ms`,
    ].join('\n') + '\n',
  );
});
