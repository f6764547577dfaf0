// `npm run bench:campaign`, in three parts, each against a baseline or target in the same run:
// 1. ratio: N recipients through the campaign workflow vs a plain Promise-pool loop calling the
//    same Wappin sandbox at the same concurrency;
// 2. pacing: a campaign through a provider capped at 80 msg/s, then at a cap low enough for
//    the campaign to saturate it (BENCH_PACE_LOW_CAP, default 10): the achieved send rate at the
//    sandbox against each cap, and the busiest second;
//    the ratio part also reports the CPU per recipient of each process (dev server, worker, this
//    process with the API, relay and sandboxes) and how many cores the 80/s cap needs at that cost;
// 3. growth: wall time and worker memory from SMALL to LARGE recipients (default 1,000 → 20,000).
// The worker runs as a child process (test/helpers/worker-process.ts) so its RSS is its own.
// Sizes: BENCH_CAMPAIGN_N, BENCH_CAMPAIGN_SMALL, BENCH_CAMPAIGN_LARGE, BENCH_CONCURRENCY,
// BENCH_PACE_CAP, BENCH_PACE_LOW_CAP (each cap's run is 20 seconds' worth of recipients).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { arrayRows } from '../campaigns/import.js';
import { createCampaign } from '../app/campaigns.js';
import { createProviderRegistry } from '../providers/registry.js';
import { campaignSpecSchema } from '../schemas/campaign.js';
import { withHarness } from '../scripts/harness.js';
import { startStack, type Stack } from '../test/helpers/stack.js';
import { sendTimes } from '../test/helpers/campaign.js';
import { killWorkers, spawnWorker } from '../test/helpers/worker-process.js';
import type { CampaignProgress } from '../workflows/campaign-types.js';
import { busiestWindow, readResult, writeResult } from './results.js';

const N = Number(process.env.BENCH_CAMPAIGN_N ?? 500);
const SMALL = Number(process.env.BENCH_CAMPAIGN_SMALL ?? 1_000);
const LARGE = Number(process.env.BENCH_CAMPAIGN_LARGE ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const PACE_CAP = Number(process.env.BENCH_PACE_CAP ?? 80);
const PACE_LOW_CAP = Number(process.env.BENCH_PACE_LOW_CAP ?? 10);
// BENCH_CAMPAIGN_PARTS=growth re-measures one part; the others keep their figures from the last run.
const PARTS = new Set((process.env.BENCH_CAMPAIGN_PARTS ?? 'ratio,pacing,growth').split(',').map((p) => p.trim()));
const previous = readResult('campaign');
const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);

// Unique numbers across the whole run: +62 <mobile prefix> NNN 000000 (scenario 000: read on
// WhatsApp), 1,000 per prefix, 34,000 in all.
const PREFIXES = [
  '811',
  '812',
  '813',
  '821',
  '822',
  '823',
  '831',
  '832',
  '833',
  '838',
  '851',
  '852',
  '853',
  '855',
  '856',
  '857',
  '858',
  '859',
  '877',
  '878',
  '881',
  '882',
  '883',
  '884',
  '885',
  '886',
  '887',
  '888',
  '889',
  '895',
  '896',
  '897',
  '898',
  '899',
];
let next = 0;
function numbers(n: number): string[] {
  if (next + n > PREFIXES.length * 1000)
    throw new Error(`the benchmark has ${PREFIXES.length * 1000} distinct numbers; lower the sizes`);
  return Array.from({ length: n }, () => {
    const i = next++;
    return `+62${PREFIXES[Math.floor(i / 1000)]!}${String(i % 1000).padStart(3, '0')}000000`;
  });
}

const step = { channel: 'whatsapp' as const, provider: 'wappin' as const, template: 'bench', params: ['x'] };

async function poolLoop(stack: Stack, phones: string[]): Promise<number> {
  const wappin = createProviderRegistry(stack.config).get('wappin');
  const start = performance.now();
  let i = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (i < phones.length) {
        const to = phones[i++]!;
        await wappin.send({ to, reference: `pool:${to}`, template: { name: step.template, params: step.params } });
      }
    }),
  );
  return performance.now() - start;
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 where there is none. */
function cpuSeconds(pid: number | undefined): number {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}
const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function rssMb(child: ChildProcess): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Where a campaign's CPU time goes, in milliseconds per recipient. */
type CpuPerRecipient = { temporalMs: number; workerMs: number; apiAndSandboxesMs: number; totalMs: number };
let temporalPid: number | undefined;

async function campaignRun(stack: Stack, worker: ChildProcess, phones: string[], concurrency = CONCURRENCY) {
  const spec = campaignSpecSchema.parse({ name: 'bench', steps: [step], concurrency });
  const cpuBefore = [cpuSeconds(temporalPid), cpuSeconds(worker.pid), ownCpuSeconds()] as const;
  const start = performance.now();
  const { id } = await createCampaign(
    { pool: stack.pool, temporal: stack.client, taskQueue: stack.taskQueue },
    spec,
    arrayRows(phones.map((phone) => ({ phone }))),
  );
  let peak = rssMb(worker);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(worker));
  }, 500);
  const final = (await stack.client.workflow.getHandle(id).result()) as CampaignProgress;
  clearInterval(sampler);
  if (final.pending !== 0 || final.total !== phones.length)
    throw new Error(`campaign did not finish: ${JSON.stringify(final)}`);
  const ms = performance.now() - start;
  const per = (after: number, before: number) => Number((((after - before) * 1000) / phones.length).toFixed(1));
  const temporalMs = per(cpuSeconds(temporalPid), cpuBefore[0]);
  const workerMs = per(cpuSeconds(worker.pid), cpuBefore[1]);
  const apiAndSandboxesMs = per(ownCpuSeconds(), cpuBefore[2]);
  const cpu: CpuPerRecipient = {
    temporalMs,
    workerMs,
    apiAndSandboxesMs,
    totalMs: Number((temporalMs + workerMs + apiAndSandboxesMs).toFixed(1)),
  };
  return { ms, peakRssMb: peak, endRssMb: rssMb(worker), runs: final.runs, cpu };
}

type RatioPart = {
  poolLoopMs: number;
  poolLoopRunsMs?: number[];
  campaignMs: number;
  poolRate: number;
  campaignRate: number;
  ratio: number;
  cpuPerRecipient?: CpuPerRecipient;
};
const pickRatio = ({
  poolLoopMs,
  poolLoopRunsMs,
  campaignMs,
  poolRate,
  campaignRate,
  ratio,
  cpuPerRecipient,
}: RatioPart) => ({
  poolLoopMs,
  ...(poolLoopRunsMs ? { poolLoopRunsMs } : {}),
  campaignMs,
  poolRate,
  campaignRate,
  ratio,
  ...(cpuPerRecipient ? { cpuPerRecipient } : {}),
});

async function withStack<T>(
  env: Record<string, string>,
  fn: (stack: Stack, worker: ChildProcess) => Promise<T>,
): Promise<T> {
  const stack = await startStack({ logLevel: 'silent', worker: false, env });
  const worker = spawnWorker(stack, env);
  try {
    return await fn(stack, worker);
  } finally {
    killWorkers();
    await stack.stop();
  }
}

/** Why the cap can or cannot be reached here: the cores the campaign's CPU per recipient needs at the cap. */
function cpuLine(cpu: CpuPerRecipient): string {
  const cores = (ms: number) => ((ms * PACE_CAP) / 1000).toFixed(1);
  return (
    `CPU per recipient: Temporal dev server ${cpu.temporalMs} ms, worker ${cpu.workerMs} ms, API + relay + sandboxes ${cpu.apiAndSandboxesMs} ms = ${cpu.totalMs} ms; ` +
    `at ${PACE_CAP}/s that is ${cores(cpu.totalMs)} cores (the dev server alone ${cores(cpu.temporalMs)}), on a machine with ${availableParallelism()}`
  );
}

await withHarness(log, async (h) => {
  Object.assign(process.env, h.env);
  temporalPid = h.temporal.process.pid;

  const ratioPart: RatioPart =
    !PARTS.has('ratio') && previous
      ? (previous as unknown as RatioPart)
      : await withStack({}, async (stack, worker) => {
          log(`1/3 ratio: ${N} recipients, concurrency ${CONCURRENCY}`);
          await campaignRun(stack, worker, numbers(50)); // warm-up: bundle load, connections
          await poolLoop(stack, numbers(200));
          const before = await poolLoop(stack, numbers(N));
          const run = await campaignRun(stack, worker, numbers(N));
          // The loop takes a second or two and this machine's speed wanders: it runs before and after
          // the campaign, and the faster run is the baseline (the lower of the two ratios).
          const after = await poolLoop(stack, numbers(N));
          const baselineMs = Math.min(before, after);
          return {
            poolLoopMs: Math.round(baselineMs),
            poolLoopRunsMs: [Math.round(before), Math.round(after)],
            campaignMs: Math.round(run.ms),
            poolRate: Math.round(N / (baselineMs / 1000)),
            campaignRate: Math.round(N / (run.ms / 1000)),
            ratio: Number((baselineMs / run.ms).toFixed(3)),
            cpuPerRecipient: run.cpu,
          };
        });

  const pacingRun = (cap: number) =>
    withStack({ PROVIDER_RATE_LIMITS: `wappin=${cap}` }, async (stack, worker) => {
      // In flight: ten seconds' worth of sends at the cap (a message here takes 2–5 s to finish), at
      // most 500. More only starts children that wait in the paced queue: starting 500 at once for a
      // 10/s provider spends the first seconds' CPU on starts, not sends.
      const concurrency = Math.min(500, cap * 10);
      log(`2/3 pacing: ${cap * 20} recipients through wappin capped at ${cap}/s, concurrency ${concurrency}`);
      const phones = numbers(cap * 20);
      await campaignRun(stack, worker, phones, concurrency);
      const times = sendTimes(stack, 'wappin', phones);
      const seconds = (times.at(-1)! - times[0]!) / 1000;
      const achieved = (times.length - 1) / seconds;
      // The first second may carry the server's token-bucket burst; after it the cap must hold.
      const steady = times.filter((t) => t >= times[0]! + 1000);
      return {
        cap,
        concurrency,
        sends: times.length,
        seconds: Number(seconds.toFixed(2)),
        achievedRate: Number(achieved.toFixed(1)),
        ofCap: Number((achieved / cap).toFixed(3)),
        busiestSecond: busiestWindow(times, 1000),
        busiestSecondAfterFirst: busiestWindow(steady, 1000),
      };
    });
  type PacingPart = Awaited<ReturnType<typeof pacingRun>>;
  const reuse = !PARTS.has('pacing') && previous?.pacing && previous.pacingLow;
  const pacing = reuse ? (previous.pacing as PacingPart) : await pacingRun(PACE_CAP);
  const pacingLow = reuse ? (previous.pacingLow as PacingPart) : await pacingRun(PACE_LOW_CAP);
  // Kept if the long growth part is stopped: the report shows what was measured.
  writeResult('campaign', {
    benchmark: 'campaign',
    n: N,
    concurrency: CONCURRENCY,
    ...pickRatio(ratioPart),
    pacing,
    pacingLow,
    ...(previous?.growth ? { growth: previous.growth } : {}),
    met: {
      ratio: ratioPart.ratio >= 0.1,
      pacingRate: pacing.ofCap >= 0.95,
      pacingNeverAbove: pacing.busiestSecondAfterFirst <= PACE_CAP,
    },
  });

  log(`3/3 growth: ${SMALL} → ${LARGE} recipients, concurrency ${CONCURRENCY}`);
  type GrowthPart = {
    small: { n: number; ms: number; msPerRecipient: number; peakRssMb: number };
    large: { n: number; ms: number; msPerRecipient: number; peakRssMb: number };
    timePerRecipientGrowth: number;
    memoryGrowth: number;
  };
  const growthKept = !PARTS.has('growth') && Boolean(previous?.growth);
  const growth: GrowthPart = growthKept
    ? (previous!.growth as GrowthPart)
    : await withStack({}, async (stack, worker) => {
        await campaignRun(stack, worker, numbers(50));
        const small = await campaignRun(stack, worker, numbers(SMALL));
        const large = await campaignRun(stack, worker, numbers(LARGE));
        const per = (r: typeof small, n: number) => Number((r.ms / n).toFixed(2));
        return {
          small: {
            n: SMALL,
            ms: Math.round(small.ms),
            msPerRecipient: per(small, SMALL),
            peakRssMb: small.peakRssMb,
            runs: small.runs,
          },
          large: {
            n: LARGE,
            ms: Math.round(large.ms),
            msPerRecipient: per(large, LARGE),
            peakRssMb: large.peakRssMb,
            runs: large.runs,
          },
          timePerRecipientGrowth: Number((per(large, LARGE) / per(small, SMALL)).toFixed(2)),
          memoryGrowth: Number((large.peakRssMb / small.peakRssMb).toFixed(2)),
        };
      });

  const met = {
    ratio: ratioPart.ratio >= 0.1,
    pacingRate: pacing.ofCap >= 0.95,
    pacingNeverAbove: pacing.busiestSecondAfterFirst <= PACE_CAP,
    linearTime: growth.timePerRecipientGrowth <= 1.25,
    flatMemory: growth.memoryGrowth <= 1.25,
  };
  writeResult('campaign', {
    benchmark: 'campaign',
    n: N,
    concurrency: CONCURRENCY,
    ...pickRatio(ratioPart),
    pacing,
    pacingLow,
    growth,
    targets: { ratio: 0.1, pacingOfCap: 0.95, timePerRecipientGrowth: 1.25, memoryGrowth: 1.25 },
    met,
  });
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  process.stdout.write(
    [
      `campaign${PARTS.has('ratio') ? '' : ' (kept from an earlier run)'}: ${N} recipients in ${ratioPart.campaignMs} ms (${ratioPart.campaignRate}/s, sent and tracked to delivery) vs Promise-pool send loop ${ratioPart.poolLoopMs} ms (${ratioPart.poolRate}/s; the faster of ${ratioPart.poolLoopRunsMs?.join(' and ') ?? 'one'} ms, before and after) at concurrency ${CONCURRENCY}: ratio ${ratioPart.ratio} (target ≥0.10: ${mark(met.ratio)})`,
      ...(ratioPart.cpuPerRecipient ? [cpuLine(ratioPart.cpuPerRecipient)] : []),
      `pacing${reuse ? ' (kept from an earlier run)' : ''}: ${pacing.sends} sends at ${pacing.achievedRate}/s against a ${PACE_CAP}/s cap = ${pacing.ofCap} of the cap (target ≥0.95: ${mark(met.pacingRate)}); busiest second ${pacing.busiestSecond}, after the first second ${pacing.busiestSecondAfterFirst} (target ≤${PACE_CAP}: ${mark(met.pacingNeverAbove)})${pacing.achievedRate < ratioPart.campaignRate * 0.9 ? '' : " (the campaign's own throughput, not the cap, sets this rate when the cap is above it)"}`,
      `pacing at a reachable cap: ${pacingLow.sends} sends at ${pacingLow.achievedRate}/s against a ${PACE_LOW_CAP}/s cap = ${pacingLow.ofCap} of the cap; busiest second ${pacingLow.busiestSecond}, after the first ${pacingLow.busiestSecondAfterFirst}`,
      `growth: ${growth.small.n} → ${growth.large.n} recipients${growthKept ? ' (kept from an earlier run)' : ''}: ${growth.small.ms} → ${growth.large.ms} ms (${growth.small.msPerRecipient} → ${growth.large.msPerRecipient} ms/recipient, ×${growth.timePerRecipientGrowth}; target linear ≤×1.25: ${mark(met.linearTime)}); worker peak RSS ${growth.small.peakRssMb} → ${growth.large.peakRssMb} MB (×${growth.memoryGrowth}; target flat ≤×1.25: ${mark(met.flatMemory)})`,
    ].join('\n') + '\n',
  );
});
