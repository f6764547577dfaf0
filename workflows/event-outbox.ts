// The workflow side of the event outbox: events queue in memory and one flusher writes them in
// order through an activity (idempotent per event id).
// A regular activity, not a local one: a campaign's local-activity flusher, running beside its
// children and outcome writes, failed replay after a worker restart with TMPRL1100 "Activity id
// of scheduled event '9' does not match activity id of activity command '10'". Local and regular
// activities share one id sequence, and the replay after a timed-out workflow task scheduled them
// in another order than the one recorded. A message's flusher runs beside its next send the same way.
// With a hold, events wait up to that long after the first unwritten one before they are written,
// so a message that ends within the hold writes all its events with one activity instead of one
// per status (each write costs an activity and a workflow task: most of a short message's work).
// The outbox keeps no timer for the hold: the workflow wakes at holdUntil() with the timer it
// already has, and calls flushNow().
import { condition, log, proxyActivities } from '@temporalio/workflow';
import type { EventActivities } from '../activities/event-activities.js';
import type { KurirEventInput } from './event-types.js';

// No attempt limit: an event is never dropped because the database was briefly unavailable.
const { emitEvents } = proxyActivities<EventActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export class EventOutbox {
  private readonly queue: KurirEventInput[] = [];
  private readonly ids = new Set<string>();
  private flushing = false;
  /** Write without holding: once the workflow is finishing, or once for what is queued now. */
  private finishing = false;
  private urgent = false;
  /** Workflow time of the oldest event not yet being written. */
  private pendingSince?: number;

  /** `holdMs`: how long events may wait to be written together (0: written as they come). */
  constructor(private readonly holdMs = 0) {}

  /** Queues an event once per id. */
  push(event: KurirEventInput): void {
    if (this.ids.has(event.id)) return;
    this.ids.add(event.id);
    this.pendingSince ??= Date.now();
    this.queue.push(event);
    if (!this.flushing) void this.flush();
  }

  /** Writes what is queued without waiting for the rest of the hold. */
  flushNow(): void {
    if (this.queue.length > 0) this.urgent = true;
  }

  /** When the hold of the queued events ends (workflow time), if any is waiting for it. */
  holdUntil(): number | undefined {
    return this.holdMs > 0 && this.pendingSince !== undefined && !this.urgent && !this.finishing
      ? this.pendingSince + this.holdMs
      : undefined;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        if (this.holdMs > 0) await condition(() => this.finishing || this.urgent);
        this.urgent = false;
        this.pendingSince = undefined;
        await emitEvents(this.queue.splice(0, 100));
      }
    } catch (err) {
      // Only cancellation ends the retries; the workflow goes on without its events.
      log.warn('events not stored', { error: err instanceof Error ? err.message : String(err) });
      this.queue.length = 0;
    } finally {
      this.flushing = false;
    }
  }

  /** Resolves when every queued event is stored (call before the workflow completes). */
  async drained(): Promise<void> {
    this.finishing = true;
    await condition(() => !this.flushing && this.queue.length === 0);
  }
}
