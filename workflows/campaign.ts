// A campaign runs each recipient's message inside this workflow, with bounded concurrency: the
// message state machine of message-run.ts, its calls batched and its waits on one shared timer
// (recipient-runner.ts), its statuses signalled here by the relay. Recipients are paged from
// Postgres by an activity (never workflow input); the run continues as new before its history grows
// large, carrying cursor and counters, and hands it the recipients in flight once each of them only
// waits for news (none is sent twice, none waits for the hand-over's pause). Quiet hours
// hold a recipient until its local window ends; pause/resume/cancel are signals, `progress` and
// `recipientStatus` queries.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign-activities.js';
import { count, emptyCounters, messageFor, outcomeOf, quietUntil, STATUSES } from './campaign-logic.js';
import type {
  CampaignHandover,
  CampaignInput,
  CampaignProgress,
  CampaignRecipient,
  RecipientOutcome,
  RecipientStatus,
} from './campaign-types.js';
import { createMessageRun, type MessageRun } from './message-run.js';
import {
  cancelCampaignSignal,
  campaignProgressQuery,
  pauseCampaignSignal,
  recipientStatusQuery,
  resumeCampaignSignal,
  statusUpdateSignal,
  statusUpdatesSignal,
} from './messages.js';
import { RecipientRunner } from './recipient-runner.js';
import type { MessageResult, StatusUpdate, TrackingSnapshot } from './types.js';
import { CampaignEvents } from './campaign-events.js';
import type { KurirEventInput } from './event-types.js';
import { EVENT_HOLD_MS } from './message-events.js';

const acts = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * Outcomes and the recipients' message events are written per batch of this many outcomes, or at
 * most EVENT_HOLD_MS after the first of a batch arrives.
 */
const OUTCOME_BATCH = 50;
/**
 * The most outcomes (1–3 KB each with their attempts) and events (about 0.5 KB each) one write
 * carries: its input is one payload, kept well under Temporal's 2 MB limit.
 */
const WRITE_MAX_OUTCOMES = 250;
const WRITE_MAX_EVENTS = 1_000;
/** The most history events a run should reach (Temporal's own limit is 51,200; 10,000 is ours). */
const HISTORY_CEILING = 9_000;
/** History events a recipient in flight may add while its run drains (batched calls, shared signals). */
const DRAIN_EVENTS = 4;
const MIN_DRAIN_AT = 500;
/** The most history bytes a run should reach (Temporal warns at 10 MB and fails at 50 MB). */
const HISTORY_BYTES_CEILING = 8 * 1024 * 1024;
/** History bytes a recipient in flight may add while its run drains (its statuses, outcome and attempts). */
const DRAIN_BYTES = 4 * 1024;
/**
 * The most a hand-over may weigh (JSON characters): it is the next run's input, one payload, and
 * Temporal refuses payloads over 2 MB. A heavier one waits for its recipients to finish instead.
 */
const HANDOVER_MAX_CHARS = 1024 * 1024;
/** The longest the relay holds a campaign's statuses for its next run (which ends the hold as it starts). */
const SIGNAL_HOLD_MS = 30_000;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(v)));

export async function campaign(input: CampaignInput): Promise<CampaignProgress> {
  const { campaignId } = input;
  const concurrency = clamp(input.concurrency ?? 50, 1, 2_000);
  const pageSize = clamp(input.pageSize ?? 200, 1, 1_000);
  // Draining adds events too: the recipients in flight finish first (DRAIN_EVENTS each at most, as
  // measured with their calls batched), so the run stops taking new ones early enough to stay
  // under HISTORY_CEILING (docs/campaign-design.md).
  const drainAt = Math.max(
    MIN_DRAIN_AT,
    Math.min(input.historyLimit ?? HISTORY_CEILING, HISTORY_CEILING) - concurrency * DRAIN_EVENTS,
  );
  const drainAtBytes = Math.max(2 * 1024 * 1024, HISTORY_BYTES_CEILING - concurrency * DRAIN_BYTES);
  const chunk = Math.max(1, Math.floor(concurrency / 10));
  let filling = true;
  const runs = (input.runs ?? 0) + 1;
  let total = 0;
  let counters = input.counters ?? emptyCounters();
  let cursor = input.cursor ?? 0;
  let page: CampaignRecipient[] = [];
  let exhausted = false;
  // Taken from a page but inside quiet hours: released at `until` (recomputed after continue-as-new).
  const held: Array<{ r: CampaignRecipient; until: number }> = [];
  let paused = input.paused ?? false;
  let canceled = input.canceled ?? false;
  let draining = false;
  let done = false;
  let inFlight = 0;
  const outcomes: RecipientOutcome[] = [];
  const messageEvents: KurirEventInput[] = [];
  let writing: Promise<void> | undefined;
  let flushTimer = false;
  // The recipients' messages in flight, by message id (the relay names it in each status).
  const running = new Map<string, { run: MessageRun; recipient: CampaignRecipient }>();
  // Handed to the next run: their statuses until then go with them.
  const handedOver = new Set<string>();
  const late: StatusUpdate[] = [];
  let handoverTooLarge = false;
  const runner = new RecipientRunner(campaignId, {
    push: (event) => {
      messageEvents.push(event);
      scheduleFlush();
    },
    flushNow: () => void flush(),
    holdUntil: () => undefined,
  });
  const receive = (u: StatusUpdate) => {
    // A status for a recipient that has finished (or ran in an earlier execution) changes nothing.
    if (!u.messageId) return;
    running.get(u.messageId)?.run.receive(u);
    if (handedOver.has(u.messageId)) late.push(u);
  };
  setHandler(statusUpdateSignal, receive);
  setHandler(statusUpdatesSignal, (updates) => {
    for (const u of updates) receive(u);
  });
  setHandler(recipientStatusQuery, (messageId) => running.get(messageId)?.run.status());

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
  // The first page comes with the campaign: a continue-as-new's next sends wait for it.
  const [loaded, firstPage] = await Promise.all([
    acts.loadCampaign({ campaignId }),
    acts.loadRecipientPage({ campaignId, after: cursor, limit: pageSize }),
  ]);
  page = firstPage;
  exhausted = firstPage.length < pageSize;
  total = loaded.total;
  // The first run counts what Postgres already holds (a campaign restarted after being stopped).
  if (!input.counters) counters = loaded.counters;
  const quiet = input.quietHours;
  for (const r of input.held ?? []) held.push({ r, until: 0 });

  /**
   * Writes everything queued, one write at a time and in order, and resolves when all of it is
   * written (what is queued during a write goes in the next). A write carries at most
   * WRITE_MAX_OUTCOMES outcomes and WRITE_MAX_EVENTS events: its input is one payload.
   */
  function flush(): Promise<void> {
    const queued = () => outcomes.length > 0 || messageEvents.length > 0 || events.hasPending();
    // Nothing to write: the loop below would end before its first await, and its `finally` would
    // run before `writing` is set, leaving a settled promise there that no later flush replaces.
    if (!writing && !queued()) return Promise.resolve();
    writing ??= (async () => {
      try {
        while (queued()) {
          // The messages' own events first: a progress event counts them as finished.
          const batchEvents = messageEvents.splice(0, WRITE_MAX_EVENTS);
          if (messageEvents.length === 0) batchEvents.push(...events.take());
          const batch = outcomes.splice(0, WRITE_MAX_OUTCOMES);
          // The counters go with the last piece: until then they would count outcomes not yet written.
          const last = outcomes.length === 0;
          await acts.recordOutcomes({
            campaignId,
            outcomes: batch,
            ...(last ? { counters: JSON.parse(JSON.stringify(counters)) as typeof counters } : {}),
            ...(batchEvents.length > 0 ? { events: batchEvents } : {}),
          });
        }
      } finally {
        writing = undefined;
      }
    })();
    return writing;
  }

  /** Writes soon: at once for a full batch or the last recipient, else EVENT_HOLD_MS after the first waiting. */
  function scheduleFlush(): void {
    if (outcomes.length >= OUTCOME_BATCH || inFlight === 0) {
      void flush();
      return;
    }
    if (flushTimer) return;
    flushTimer = true;
    void runner.after(EVENT_HOLD_MS).then(() => {
      flushTimer = false;
      void flush();
    });
  }

  async function send(r: CampaignRecipient, resume?: TrackingSnapshot): Promise<MessageResult> {
    // Deterministic id, the sends' idempotency key: a replayed or restarted campaign finds the
    // provider message a step already has and never sends it twice.
    const messageId = `${campaignId}:${r.recipientId}`;
    try {
      const run = createMessageRun(messageFor(loaded.template, r, messageId), runner.env(messageId), resume);
      running.set(messageId, { run, recipient: r });
      const result = await run.run();
      run.events.completed(result);
      return result;
    } catch (err) {
      if (isCancellation(err)) throw err;
      // A message that fails (bad input) is one failed recipient, never a stuck campaign.
      log.warn('recipient message failed', { messageId, error: err instanceof Error ? err.message : String(err) });
      return { outcome: 'failed', attempts: [] };
    } finally {
      running.delete(messageId);
    }
  }

  function launch(r: CampaignRecipient, resume?: TrackingSnapshot): void {
    inFlight++;
    void send(r, resume).then((result) => {
      const o = outcomeOf(r.recipientId, result);
      count(counters, o);
      outcomes.push(o);
      inFlight--;
      events.progress(progress());
      scheduleFlush();
      const info = workflowInfo();
      // Our own limits rather than continueAsNewSuggested: the server suggests it at 4 MB, which a run
      // reaches after a couple of thousand recipients' outcomes and statuses, and each continue-as-new
      // costs the time its recipients in flight take to finish (the sends queued for their slots too).
      if (info.historyLength >= drainAt || info.historySize >= drainAtBytes) draining = true;
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

  /** Every recipient in flight only waits for news (a sequential message tracking its step), and they fit one payload. */
  function canHandOver(): boolean {
    if (handoverTooLarge || running.size !== inFlight) return false;
    for (const { run } of running.values()) if (!run.parkable()) return false;
    const chars = JSON.stringify([...running.values()].map(({ run }) => run.status().attempts)).length;
    handoverTooLarge = chars > HANDOVER_MAX_CHARS;
    return !handoverTooLarge;
  }

  /** Parks the recipients in flight for the next run; their statuses from now on go along as `late`. */
  function handOver(): Omit<CampaignHandover, 'late'> {
    const recipients = [...running.entries()].map(([messageId, { run, recipient }]) => {
      handedOver.add(messageId);
      return { recipient, snapshot: run.park() };
    });
    running.clear();
    return { recipients };
  }

  // The recipients the previous run handed over go on first (after `flush` exists: they may write at once).
  for (const { recipient, snapshot } of input.handover?.recipients ?? []) launch(recipient, snapshot);
  for (const u of input.handover?.late ?? []) receive(u);

  for (;;) {
    await condition(() => canceled || draining || !paused);
    if (canceled || draining) break;
    if (page.length === 0 && !exhausted && held.length < pageSize) {
      page = await acts.loadRecipientPage({ campaignId, after: cursor, limit: pageSize });
      exhausted = page.length < pageSize;
      continue;
    }
    // Refill in chunks: recipients started together share their batched sends (fewer activities,
    // fewer workflow tasks and events per recipient) instead of one start per finished recipient.
    await condition(
      () => (filling ? inFlight < concurrency : inFlight <= concurrency - chunk) || canceled || paused || draining,
    );
    if (canceled || paused || draining) continue;
    const r = takeReady();
    if (r) {
      launch(r);
      filling = inFlight < concurrency;
      continue;
    }
    filling = false;
    if (page.length === 0 && exhausted && held.length === 0) break;
    // Only held recipients left to take: sleep until the earliest window ends (a Temporal timer).
    const earliest = Math.min(...held.map((h) => h.until));
    await condition(() => canceled || paused || draining, Math.max(1, earliest - Date.now()));
  }

  // In-flight messages always finish: cancel lets them finish here; continue-as-new hands them to
  // the next run as soon as none of them waits on an activity, else waits for them to finish.
  const remaining = () => page.length > 0 || !exhausted || held.length > 0;
  const mayHandOver = () => !canceled && draining && remaining() && canHandOver();
  let handover: Omit<CampaignHandover, 'late'> | undefined;
  while (inFlight > 0 && !handover) {
    await condition(() => inFlight === 0 || mayHandOver());
    // Asked again: a recipient may have moved on between the condition and this line.
    if (inFlight > 0 && mayHandOver()) handover = handOver();
  }
  const continuing = handover !== undefined || (!canceled && draining && remaining());
  // The relay holds this campaign's statuses from now until the next run starts (they wait in its
  // inbox): one arriving while this run completes would fail that task, and the worker would
  // replay the whole run before completing it again.
  await Promise.all([flush(), continuing ? acts.holdStatusSignals({ campaignId, ms: SIGNAL_HOLD_MS }) : undefined]);
  if (continuing) {
    await condition(allHandlersFinished);
    return continueAsNew<typeof campaign>({
      ...input,
      cursor,
      counters,
      held: held.map((h) => h.r),
      paused,
      runs,
      // Read at the last moment: a status that comes in before the hand-over completes goes along.
      handover: handover ? { ...handover, late } : undefined,
      ...(canceled ? { canceled } : {}),
    });
  }
  await runner.stop();
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
