// What a campaign's recipients share inside the campaign workflow: each recipient's message runs
// as its own state machine (message-run.ts), but their activity calls go out together in batches
// (one runBatch activity for whatever all of them asked for in a workflow task) and their waits
// share one Temporal timer, set for the earliest deadline. A recipient then costs the campaign a
// share of a few events, where a child workflow cost two dozen and a workflow of its own.
import { ApplicationFailure, condition, proxyActivities } from '@temporalio/workflow';
import type { BatchActivities, BatchAnswer, BatchCall, BatchValue } from '../activities/batch-activities.js';
import type { SendStepResult, SendStepSkipped } from '../activities/message-activities.js';
import type { EventSink } from './message-events.js';
import { FETCH_STATUS_POLICY, PICK_PROVIDER_POLICY, SEND_POLICY, type CallPolicy } from './message-options.js';
import type { MessageEnv, Waiter } from './message-run.js';
import type { ProviderName, StatusUpdate } from './types.js';
import { WakeTimer } from './wake-timer.js';

// The batch itself retries without limit: its items carry their own policies, and it fails only
// when a worker or the database does (a killed worker's batch is retried after its heartbeat stops).
const { runBatch } = proxyActivities<BatchActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * Calls per runBatch. A batch answers when its last call is done, and a paced send waits for its
 * slot: at 80/s, 100 sends take 1.25 s. Smaller batches hand each recipient its answer sooner, so
 * finished recipients make room for the next ones while the provider's schedule is still full.
 */
const MAX_BATCH = 100;
/** Deadlines are rounded up to this grain, so recipients sent within it share their timer. */
const GRAIN_MS = 1_000;
/** The least a send that found no slot waits before it asks again (it spends none of its attempts). */
const NO_SLOT_WAIT_MS = 500;

const POLICIES: Record<BatchCall['op'], CallPolicy> = {
  send: SEND_POLICY,
  check: SEND_POLICY,
  pick: PICK_PROVIDER_POLICY,
  status: FETCH_STATUS_POLICY,
};

interface Wait {
  at: number;
  changed: () => boolean;
  resolve: (changed: boolean) => void;
}

/** Every recipient's waits on one timer: the earliest deadline's, kept while that stays the same. */
class SharedClock {
  private readonly waits = new Set<Wait>();
  private earliest = Infinity;
  private moved = false;
  private stopped = false;

  /** Resolves true when `changed()` holds, false once `deadline` (rounded up to the grain) has passed. */
  wait(deadline: number, changed: () => boolean, onAdded?: (w: Wait) => void): Promise<boolean> {
    if (changed()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { at: Math.ceil(deadline / GRAIN_MS) * GRAIN_MS, changed, resolve };
      this.waits.add(w);
      if (w.at < this.earliest) this.moved = true;
      onAdded?.(w);
    });
  }

  /** One recipient's timer (message-run.ts Waiter): its cancel drops a wait still pending. */
  waiter(): Waiter {
    let current: Wait | undefined;
    return {
      until: (deadline, changed) =>
        this.wait(deadline, changed, (w) => {
          current = w;
        }),
      cancel: () => {
        if (current) this.waits.delete(current);
        current = undefined;
      },
    };
  }

  stop(): void {
    this.stopped = true;
  }

  /** Releases the waits that changed or came due, until stopped with none left. */
  async run(): Promise<void> {
    const timer = new WakeTimer();
    for (;;) {
      const now = Date.now();
      let next = Infinity;
      for (const w of this.waits) {
        const changed = w.changed();
        if (changed || w.at <= now) {
          this.waits.delete(w);
          w.resolve(changed);
        } else next = Math.min(next, w.at);
      }
      if (this.stopped && this.waits.size === 0) break;
      this.earliest = next;
      this.moved = false;
      if (next === Infinity) {
        await condition(() => this.waits.size > 0 || this.stopped);
        continue;
      }
      const woken = await timer.until(next, () => this.moved || [...this.waits].some((w) => w.changed()));
      // Timed out: the next wait gets a timer of its own, even for the same deadline (a fired timer
      // would answer at once, and the loop would never give the workflow task back).
      if (!woken) timer.cancel();
    }
    timer.cancel();
  }
}

interface Queued {
  call: BatchCall;
  attempt: number;
  resolve: (value: BatchValue) => void;
  reject: (err: unknown) => void;
}

/** The recipients' activity calls, sent as one batch per workflow task. */
class BatchedCalls {
  private readonly queue: Queued[] = [];
  private stopped = false;

  constructor(private readonly clock: SharedClock) {}

  call(call: BatchCall): Promise<BatchValue> {
    return new Promise((resolve, reject) => this.queue.push({ call, attempt: 1, resolve, reject }));
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Sends what is queued once every recipient has gone as far as it can in this workflow task
   * (conditions are checked after the task's other code has run), so one batch carries all of it.
   */
  async run(): Promise<void> {
    for (;;) {
      await condition(() => this.queue.length > 0 || this.stopped);
      if (this.queue.length === 0) return;
      void this.dispatch(this.queue.splice(0, MAX_BATCH));
    }
  }

  private async dispatch(items: Queued[]): Promise<void> {
    let answers: BatchAnswer[];
    try {
      answers = await runBatch(items.map((i) => i.call));
    } catch (err) {
      for (const i of items) i.reject(err);
      return;
    }
    answers.forEach((a, k) => this.settle(items[k]!, a));
  }

  /** An item's answer: its value, a retry under its policy, or its error (typed like an activity's). */
  private settle(item: Queued, answer: BatchAnswer): void {
    if (answer.ok) return item.resolve(answer.value);
    const policy = POLICIES[item.call.op];
    const retryable = !answer.nonRetryable && !policy.nonRetryable.includes(answer.type);
    let delay: number | undefined;
    if (answer.type === 'NoSendSlotError') delay = Math.max(NO_SLOT_WAIT_MS, answer.retryAfterMs ?? 0);
    else if (retryable && item.attempt < policy.maxAttempts) {
      delay = Math.min(policy.initialMs * policy.coefficient ** (item.attempt - 1), policy.maxMs);
      item.attempt++;
    }
    if (delay === undefined) {
      item.reject(ApplicationFailure.create({ type: answer.type, message: answer.message, nonRetryable: true }));
      return;
    }
    void this.clock.wait(Date.now() + delay, () => false).then(() => this.queue.push(item));
  }
}

/** The shared clock and batched calls of one campaign run; `env` is one recipient's view of them. */
export class RecipientRunner {
  private readonly clock = new SharedClock();
  private readonly calls = new BatchedCalls(this.clock);
  private readonly loops: Promise<void>;

  constructor(
    private readonly campaignId: string,
    private readonly events: EventSink,
  ) {
    this.loops = Promise.all([this.clock.run(), this.calls.run()]).then(() => undefined);
  }

  env(messageId: string): MessageEnv {
    const calls = this.calls;
    return {
      messageId,
      campaignId: this.campaignId,
      events: this.events,
      checkNumber: async (input) =>
        (await calls.call({ op: 'check', input })) as { supported: boolean; valid: boolean; providerCode?: string },
      pickProvider: async (input) => (await calls.call({ op: 'pick', input })) as ProviderName,
      // The relay signals this campaign with the step's statuses (provider_messages.signal_to).
      sendStep: async (input) =>
        (await calls.call({ op: 'send', input: { ...input, signalTo: this.campaignId } })) as
          SendStepResult | SendStepSkipped,
      fetchStatus: async (input) =>
        (await calls.call({ op: 'status', input })) as { supported: boolean; updates: StatusUpdate[] },
      waiter: () => this.clock.waiter(),
    };
  }

  /** Resolves after `ms` on the shared timer. */
  async after(ms: number): Promise<void> {
    await this.clock.wait(Date.now() + ms, () => false);
  }

  /** Ends the loops once no recipient is left (call when none is in flight). */
  async stop(): Promise<void> {
    this.calls.stop();
    this.clock.stop();
    await this.loops;
  }
}
