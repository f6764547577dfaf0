// A campaign whose worker is killed with SIGKILL at about 25 %, 50 % and 75 % and restarted each
// time: every recipient gets exactly one provider request per step taken (counted at the
// sandboxes), none is lost. Extends the single half-way kill in test/campaign-flow.test.ts.
// One exception, measured and bounded here (README, Known limits): a send whose provider request
// was answered just before the SIGKILL, before its provider_messages row was written, is sent again
// on the retry: no provider takes a client reference to deduplicate on. Such a second request is
// accepted only when the first one came before a kill and its answer's id was never recorded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { arrayRows } from '../../campaigns/import.js';
import { createCampaign } from '../../app/campaigns.js';
import { countRecipients } from '../../db/campaigns.js';
import { campaignSpecSchema } from '../../schemas/campaign.js';
import type { CampaignProgress } from '../../workflows/campaign-types.js';
import { campaignNumber, finishedCount, repeatedSends, sendsPerNumber, waitProgress } from '../helpers/campaign.js';
import { digitsOf } from '../helpers/numbers.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { killWorker, killWorkers, spawnWorker } from '../helpers/worker-process.js';
import { size } from './helpers/size.js';
import { stopWorkerlessStack } from './helpers/teardown.js';

const N = size(80, 1_000);
// A restarted worker catches up at once: the recipients that were in flight finish in one burst.
// Ten of 80 stays well under the 25 % between kills, so no burst carries a campaign to its end.
const CONCURRENCY = 10;
// Every fourth number is invalid on WhatsApp, so those recipients take a second (SMS) step.
const takesSms = (i: number) => i % 4 === 0;
const steps = [
  { channel: 'whatsapp' as const, provider: 'wappin' as const, template: 'promo', params: ['default'] },
  { channel: 'sms' as const, provider: 'sms-masking' as const, text: 'Hi, promo inside' },
];

let stack: Stack;
before(async () => {
  stack = await startStack({ worker: false, logLevel: 'warn' });
});
after(async () => {
  killWorkers();
  await stopWorkerlessStack(stack);
});

test(
  `${N} recipients, worker SIGKILLed at ~25/50/75 %: one provider request per step taken, none lost`,
  { timeout: 900_000 },
  async (t) => {
    let worker = spawnWorker(stack);
    const recipients = Array.from({ length: N }, (_, i) => ({
      phone: campaignNumber('853', i, takesSms(i) ? '601' : '000'),
    }));
    const spec = campaignSpecSchema.parse({
      name: 'reliability crash',
      steps,
      concurrency: CONCURRENCY,
      historyLimit: 400,
    });
    const { id } = await createCampaign(
      { pool: stack.pool, temporal: stack.client, taskQueue: stack.taskQueue },
      spec,
      arrayRows(recipients),
    );
    const killedAt: number[] = [];
    const kills: number[] = [];
    for (const share of [0.25, 0.5, 0.75]) {
      const current = worker;
      const p = await waitProgress(
        stack,
        id,
        (q) => finishedCount(q) >= N * share,
        240_000,
        `${share * 100} % finished`,
      ).catch((err: unknown) => {
        // Say whether the worker died by itself (a failed start) rather than only that queries failed.
        throw new Error(`${String(err)} (worker exit code ${current.exitCode}, signal ${current.signalCode})`);
      });
      kills.push(Date.now());
      await killWorker(worker);
      killedAt.push(finishedCount(p));
      worker = spawnWorker(stack);
    }
    assert.ok(
      killedAt.every((f) => f < N),
      `every kill happened before the end (finished at kills: ${killedAt.join(', ')})`,
    );
    const final = (await stack.client.workflow.getHandle(id).result()) as CampaignProgress;
    await killWorker(worker);

    assert.equal(final.state, 'completed');
    assert.equal(final.pending, 0);
    assert.equal(final.total, N);
    const smsCount = recipients.filter((_, i) => takesSms(i)).length;
    assert.equal(final.counts.fell_back, smsCount);
    assert.equal(final.counts.read + final.counts.delivered, N - smsCount);
    const db = await countRecipients(stack.pool, id);
    assert.equal(db.byStatus.pending, undefined, 'no recipient left pending in PostgreSQL');
    const wa = sendsPerNumber(stack, 'wappin');
    const sms = sendsPerNumber(stack, 'sms-masking');
    const wrong = recipients.flatMap((r, i) => {
      const [w, m] = [wa.get(digitsOf(r.phone)) ?? 0, sms.get(digitsOf(r.phone)) ?? 0];
      return w === 0 || (m === 0) === takesSms(i) ? [`${r.phone}: WhatsApp ${w}, SMS ${m}`] : [];
    });
    const repeats = [await repeatedSends(stack, 'wappin', kills), await repeatedSends(stack, 'sms-masking', kills)];
    const resent = repeats.flatMap((r) => r.explained);
    wrong.push(...repeats.flatMap((r) => r.unexplained.map((u) => `${u} requests, not explained by a kill`)));
    t.diagnostic(
      `kills after ${killedAt.join(', ')} of ${N} finished; sends repeated because in flight at a kill: ${resent.length} (${resent.join(', ') || 'none'})`,
    );
    assert.deepEqual(
      wrong,
      [],
      'each recipient: one WhatsApp request, one SMS request only after an invalid number; none lost',
    );
    assert.ok(
      resent.length <= kills.length * CONCURRENCY,
      `repeats bounded by the sends in flight at the kills (${resent.length})`,
    );
  },
);
