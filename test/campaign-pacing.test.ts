// Pacing: each campaign send takes a slot from the provider's schedule in PostgreSQL, shared by
// every worker, so PROVIDER_RATE_LIMITS holds whatever the number of workers and keeps bursts out. Here the cap is 4/s and the
// campaign may run 24 messages at once: unpaced, all 24 sends would leave within a second.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { arrayRows } from '../campaigns/import.js';
import { createCampaign } from '../app/campaigns.js';
import { campaignSpecSchema } from '../schemas/campaign.js';
import type { CampaignProgress } from '../workflows/campaign-types.js';
import { busiestWindow } from '../bench/results.js';
import { campaignNumber, sendTimes } from './helpers/campaign.js';
import { startStack, type Stack } from './helpers/stack.js';
import { spawnWorker, killWorkers } from './helpers/worker-process.js';

const CAP = 4;
const N = 24;
let stack: Stack;
before(async () => {
  stack = await startStack({ logLevel: 'warn', env: { PROVIDER_RATE_LIMITS: `wappin=${CAP}` } });
});
after(async () => {
  killWorkers();
  await stack?.stop();
});

test(
  `a campaign with ${N} messages in flight sends at most ${CAP}/s through a capped provider, across two workers`,
  { timeout: 120_000 },
  async () => {
    // A second worker process polls the same queue: the cap is the shared schedule's in PostgreSQL
    // (send_pacing), not a worker's.
    spawnWorker(stack, { PROVIDER_RATE_LIMITS: `wappin=${CAP}` });
    const recipients = Array.from({ length: N }, (_, i) => ({ phone: campaignNumber('838', i) }));
    const spec = campaignSpecSchema.parse({
      name: 'paced',
      steps: [{ channel: 'whatsapp', provider: 'wappin', template: 'promo', params: ['x'] }],
      concurrency: N,
    });
    const { id } = await createCampaign(
      { pool: stack.pool, temporal: stack.client, taskQueue: stack.taskQueue },
      spec,
      arrayRows(recipients),
    );
    const final = (await stack.client.workflow.getHandle(id).result()) as CampaignProgress;
    assert.equal(final.pending, 0);

    const times = sendTimes(
      stack.sandboxes,
      'wappin',
      recipients.map((r) => r.phone),
    );
    assert.equal(times.length, N, 'one send per recipient');
    const spanS = (times.at(-1)! - times[0]!) / 1000;
    const rate = (N - 1) / spanS;
    assert.ok(
      rate <= CAP * 1.1,
      `sustained ${rate.toFixed(2)}/s over ${spanS.toFixed(1)} s must not exceed the cap of ${CAP}/s`,
    );
    // No burst either, the first seconds included: a token bucket alone let 2 × CAP into one second,
    // 3 × CAP into two; the send schedule allows 2 × CAP. Counted over two seconds, with
    // two over for the sandbox's own timing (it stamps a request when its busy event loop reads it).
    const busiest = busiestWindow(times, 2000);
    assert.ok(busiest <= 2 * CAP + 2, `the busiest two seconds had ${busiest} sends (cap ${CAP}/s)`);
    process.stderr.write(
      `[pacing] ${N} sends in ${spanS.toFixed(2)} s: ${rate.toFixed(2)}/s, busiest second ${busiestWindow(times, 1000)}, busiest two seconds ${busiest}\n`,
    );
  },
);
