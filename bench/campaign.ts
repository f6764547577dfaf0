// `npm run bench:campaign`: N recipients through the campaign workflow vs a plain Promise-pool
// loop calling the same Wappin sandbox at the same concurrency, in the same run; then how wall
// time and worker memory grow from a small to a larger N. Modest defaults (the dev machine is
// shared): BENCH_CAMPAIGN_N, BENCH_CAMPAIGN_SMALL, BENCH_CAMPAIGN_LARGE, BENCH_CONCURRENCY.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arrayRows } from '../campaigns/import.js';
import { createCampaign } from '../client/start-campaign.js';
import { createProviderRegistry } from '../providers/registry.js';
import { campaignSpecSchema } from '../schemas/campaign.js';
import { withHarness } from '../scripts/harness.js';
import { PROJECT_ROOT } from '../scripts/paths.js';
import { startStack, type Stack } from '../test/helpers/stack.js';
import type { CampaignProgress } from '../workflows/campaign-types.js';

const N = Number(process.env.BENCH_CAMPAIGN_N ?? 500);
const SMALL = Number(process.env.BENCH_CAMPAIGN_SMALL ?? 250);
const LARGE = Number(process.env.BENCH_CAMPAIGN_LARGE ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);

// Unique numbers across the whole run: 1,000 per prefix, WhatsApp outcome "read" (000).
const PREFIXES = ['811', '812', '813', '821', '822', '823', '851', '852', '853', '855', '856', '857', '858', '859', '877', '878', '881', '882', '895', '896'];
let next = 0;
function numbers(n: number): string[] {
  return Array.from({ length: n }, () => {
    const i = next++;
    const prefix = PREFIXES[Math.floor(i / 1000) % PREFIXES.length]!;
    return `+62${prefix}${String(i % 1000).padStart(3, '0')}000000`;
  });
}

const step = { channel: 'whatsapp' as const, provider: 'wappin' as const, template: 'bench', params: ['x'] };

async function poolLoop(stack: Stack, phones: string[]): Promise<number> {
  const wappin = createProviderRegistry(stack.config).get('wappin');
  const start = performance.now();
  let i = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (i < phones.length) {
      const to = phones[i++]!;
      await wappin.send({ to, reference: `pool:${to}`, template: { name: step.template, params: step.params } });
    }
  }));
  return performance.now() - start;
}

async function campaignRun(stack: Stack, phones: string[]): Promise<{ ms: number; rssMb: number; final: CampaignProgress }> {
  const spec = campaignSpecSchema.parse({ name: 'bench', steps: [step], concurrency: CONCURRENCY });
  const start = performance.now();
  const { id } = await createCampaign({ pool: stack.pool, temporal: stack.client, taskQueue: stack.taskQueue }, spec, arrayRows(phones.map((phone) => ({ phone }))));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 250);
  const final = await stack.client.workflow.getHandle(id).result() as CampaignProgress;
  clearInterval(sampler);
  if (final.pending !== 0 || final.total !== phones.length) throw new Error(`campaign did not finish: ${JSON.stringify(final)}`);
  return { ms: performance.now() - start, rssMb: Math.round(peak / 1e6), final };
}

await withHarness(log, async (h) => {
  Object.assign(process.env, h.env);
  // The worker runs in this process, so its memory is this process's RSS.
  const stack = await startStack({ logLevel: 'silent' });
  try {
    await campaignRun(stack, numbers(50)); // warm-up: bundle load, connections
    await poolLoop(stack, numbers(200));
    const baselineMs = await poolLoop(stack, numbers(N));
    const run = await campaignRun(stack, numbers(N));
    const ratio = baselineMs / run.ms;
    log(`ratio done; growth ${SMALL} → ${LARGE}`);
    const small = await campaignRun(stack, numbers(SMALL));
    const large = await campaignRun(stack, numbers(LARGE));
    const perSmall = small.ms / SMALL;
    const perLarge = large.ms / LARGE;
    const result = {
      benchmark: 'campaign', n: N, concurrency: CONCURRENCY,
      poolLoopMs: Math.round(baselineMs), campaignMs: Math.round(run.ms),
      poolRate: Math.round(N / (baselineMs / 1000)), campaignRate: Math.round(N / (run.ms / 1000)), ratio: Number(ratio.toFixed(3)), runs: run.final.runs,
      growth: { small: { n: SMALL, ms: Math.round(small.ms), msPerRecipient: Number(perSmall.toFixed(2)), peakRssMb: small.rssMb }, large: { n: LARGE, ms: Math.round(large.ms), msPerRecipient: Number(perLarge.toFixed(2)), peakRssMb: large.rssMb, runs: large.final.runs } },
      target: { ratio: 0.10 }, met: { ratio: ratio >= 0.10 },
    };
    mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(PROJECT_ROOT, 'bench', 'results', 'campaign.json'), JSON.stringify(result, null, 2));
    process.stdout.write([
      `campaign: ${N} recipients in ${result.campaignMs} ms (${result.campaignRate}/s, sent and tracked to delivery) vs Promise-pool send loop ${result.poolLoopMs} ms (${result.poolRate}/s) at concurrency ${CONCURRENCY}: ratio ${result.ratio} (target ≥0.10: ${result.met.ratio ? 'met' : 'MISSED'})`,
      `growth: ${SMALL} → ${LARGE} recipients: ${result.growth.small.ms} → ${result.growth.large.ms} ms (${perSmall.toFixed(2)} → ${perLarge.toFixed(2)} ms/recipient, ×${(perLarge / perSmall).toFixed(2)} per recipient); peak worker RSS ${small.rssMb} → ${large.rssMb} MB`,
    ].join('\n') + '\n');
  } finally {
    await stack.stop();
  }
});
