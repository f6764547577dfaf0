// One message workflow per recipient as a child, with bounded concurrency. Recipients are paged
// from Postgres by an activity (never workflow input); the run continues as new before its
// history grows large, carrying cursor and counters. Quiet hours hold a recipient until its
// local window ends; pause/resume/cancel are signals and `progress` a query.
import {
  allHandlersFinished,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CampaignActivities } from '../activities/campaign-activities.js';
import { count, emptyCounters, messageFor, outcomeOf, quietUntil, STATUSES } from './campaign-logic.js';
import type {
  CampaignInput,
  CampaignProgress,
  CampaignRecipient,
  RecipientOutcome,
  RecipientStatus,
} from './campaign-types.js';
import { message } from './message.js';
import { cancelCampaignSignal, campaignProgressQuery, pauseCampaignSignal, resumeCampaignSignal } from './messages.js';
import type { MessageResult } from './types.js';
import { CampaignEvents } from './campaign-events.js';
import type { KurirEventInput } from './event-types.js';
import { EVENT_HOLD_MS } from './message-events.js';

const acts = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
// Waits for a message workflow an earlier execution started: as long as that message takes.
const { awaitExistingMessage } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '3 days',
  heartbeatTimeout: '1 minute',
});

/**
 * Outcomes (with the last events their messages hand over: `parentStoresEvents`) are written per
 * batch of this many, or at most EVENT_HOLD_MS after the first of a batch arrives.
 */
const OUTCOME_BATCH = 50;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(v)));

export async function campaign(input: CampaignInput): Promise<CampaignProgress> {
  const { campaignId } = input;
  const concurrency = clamp(input.concurrency ?? 50, 1, 500);
  const pageSize = clamp(input.pageSize ?? 200, 1, 1_000);
  const historyLimit = input.historyLimit ?? 5_000;
  const runs = (input.runs ?? 0) + 1;
  let total = 0;
  let counters = input.counters ?? emptyCounters();
  let cursor = input.cursor ?? 0;
  let page: CampaignRecipient[] = [];
  let exhausted = false;
  // Taken from a page but inside quiet hours: released at `until` (recomputed after continue-as-new).
  const held: Array<{ r: CampaignRecipient; until: number }> = [];
  let paused = input.paused ?? false;
  let canceled = false;
  let draining = false;
  let done = false;
  let inFlight = 0;
  const outcomes: RecipientOutcome[] = [];
  const messageEvents: KurirEventInput[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushTimer = false;

  setHandler(pauseCampaignSignal, () => {
    paused = true;
  });
  setHandler(resumeCampaignSignal, () => {
    paused = false;
  });
  setHandler(cancelCampaignSignal, () => {
    canceled = true;
  });
  const progress = (): CampaignProgress => {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, counters.byStatus[s] ?? 0])) as Record<
      RecipientStatus,
      number
    >;
    const finished = STATUSES.reduce((n, s) => n + (s === 'pending' ? 0 : counts[s]), 0);
    counts.pending = Math.max(0, total - finished);
    const state = done ? (canceled ? 'canceled' : 'completed') : canceled ? 'canceling' : paused ? 'paused' : 'running';
    return {
      campaignId,
      state,
      total,
      pending: counts.pending,
      inFlight,
      held: held.length,
      counts,
      fallbackUsed: counters.fallbackUsed,
      byProvider: counters.byProvider,
      runs,
    };
  };
  setHandler(campaignProgressQuery, progress);

  const events = new CampaignEvents(campaignId);
  const loaded = await acts.loadCampaign({ campaignId });
  total = loaded.total;
  // The first run counts what Postgres already holds (a campaign restarted after being stopped).
  if (!input.counters) counters = loaded.counters;
  const quiet = input.quietHours;
  for (const r of input.held ?? []) held.push({ r, until: 0 });

  /** Writes outcomes in batches; one write at a time, in order. */
  const flush = (): Promise<void> => {
    // The messages' own events first: a progress event counts them as finished.
    const batchEvents = [...messageEvents.splice(0), ...events.take()];
    if (outcomes.length === 0 && batchEvents.length === 0) return flushing;
    const batch = outcomes.splice(0);
    const snapshot = JSON.parse(JSON.stringify(counters)) as typeof counters;
    const withEvents = batchEvents.length > 0 ? { events: batchEvents } : {};
    flushing = flushing.then(() =>
      acts.recordOutcomes({ campaignId, outcomes: batch, counters: snapshot, ...withEvents }),
    );
    return flushing;
  };

  async function send(r: CampaignRecipient): Promise<MessageResult> {
    // Deterministic id: a replayed or restarted campaign can never start a second message.
    const workflowId = `${campaignId}:${r.recipientId}`;
    try {
      const child = await startChild(message, {
        workflowId,
        args: [{ ...messageFor(loaded.template, r, workflowId), parentStoresEvents: true }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        // A message already under way keeps tracking its fallback even if the campaign is terminated.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      return await child.result();
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return awaitExistingMessage({ workflowId });
      if (isCancellation(err)) throw err;
      // A message that fails (bad input, terminated) is one failed recipient, never a stuck campaign.
      log.warn('recipient message failed', {
        workflowId,
        error: err instanceof ChildWorkflowFailure ? err.cause?.message : String(err),
      });
      return { outcome: 'failed', attempts: [] };
    }
  }

  function launch(r: CampaignRecipient): void {
    inFlight++;
    void send(r).then((result) => {
      const o = outcomeOf(r.recipientId, result);
      count(counters, o);
      outcomes.push(o);
      if (result.unwrittenEvents) messageEvents.push(...result.unwrittenEvents);
      inFlight--;
      events.progress(progress());
      if (outcomes.length >= OUTCOME_BATCH || inFlight === 0) void flush();
      else if (!flushTimer) {
        flushTimer = true;
        void sleep(EVENT_HOLD_MS).then(() => {
          flushTimer = false;
          void flush();
        });
      }
      const info = workflowInfo();
      if (info.historyLength >= historyLimit || info.continueAsNewSuggested) draining = true;
    });
  }

  /** The next recipient to send now: a released held one, else the next of the page outside quiet hours. */
  function takeReady(): CampaignRecipient | undefined {
    const now = Date.now();
    const i = held.findIndex(
      (h) => h.until <= now && (!quiet || quietUntil(now, h.r.timeZone ?? loaded.timeZone, quiet) === undefined),
    );
    if (i >= 0) return held.splice(i, 1)[0]!.r;
    for (const h of held)
      if (h.until <= now && quiet) h.until = quietUntil(now, h.r.timeZone ?? loaded.timeZone, quiet) ?? now;
    while (page.length > 0 && held.length < pageSize) {
      const r = page.shift()!;
      cursor = r.recipientId;
      const until = quiet ? quietUntil(now, r.timeZone ?? loaded.timeZone, quiet) : undefined;
      if (until === undefined) return r;
      held.push({ r, until });
    }
    return undefined;
  }

  for (;;) {
    await condition(() => canceled || draining || !paused);
    if (canceled || draining) break;
    if (page.length === 0 && !exhausted && held.length < pageSize) {
      page = await acts.loadRecipientPage({ campaignId, after: cursor, limit: pageSize });
      exhausted = page.length < pageSize;
      continue;
    }
    await condition(() => inFlight < concurrency || canceled || paused || draining);
    if (canceled || paused || draining) continue;
    const r = takeReady();
    if (r) {
      launch(r);
      continue;
    }
    if (page.length === 0 && exhausted && held.length === 0) break;
    // Only held recipients left to take: sleep until the earliest window ends (a Temporal timer).
    const earliest = Math.min(...held.map((h) => h.until));
    await condition(() => canceled || paused || draining, Math.max(1, earliest - Date.now()));
  }

  // In-flight messages always finish: cancel lets them, continue-as-new must not orphan them.
  await condition(() => inFlight === 0);
  await flush();
  const remaining = page.length > 0 || !exhausted || held.length > 0;
  if (!canceled && draining && remaining) {
    await condition(allHandlersFinished);
    return continueAsNew<typeof campaign>({ ...input, cursor, counters, held: held.map((h) => h.r), paused, runs });
  }
  if (canceled) {
    const notSent = await acts.markUnsent({ campaignId });
    counters.byStatus.not_sent = (counters.byStatus.not_sent ?? 0) + notSent;
    held.length = 0;
  }
  done = true;
  const final = progress();
  const finalEvents = events.completed(final);
  await acts.finishCampaign({
    campaignId,
    status: canceled ? 'canceled' : 'completed',
    counters,
    ...(finalEvents.length > 0 ? { events: finalEvents } : {}),
  });
  return final;
}
