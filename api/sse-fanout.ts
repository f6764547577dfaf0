// One reader for every live SSE stream of this process: on each notification batch (or the slow
// poll), ONE unfiltered `listEvents` after `head`, then each live stream takes what matches its
// filter in memory. Streams never query per notification; a stream that is behind (just opened,
// resumed from an old Last-Event-ID, or slowed by its client) catches up with its own bounded
// queries up to `head`, then joins. Seq order is commit order (db/events.ts), so `head` is a
// position below which nothing new can appear.
import { lastEventSeq, listEvents } from '../db/events.js';
import type { Pool } from '../db/pool.js';
import { CoalescingTrigger } from '../services/coalescing-trigger.js';
import type { EventNotifier } from '../services/event-notifier.js';
import type { KurirEvent } from '../workflows/event-types.js';

export const PAGE = 500;

/** What the fan-out needs of a stream. */
export interface LiveStream {
  /** Called in seq order with every event after `head` (synchronously, during a read). */
  offer(e: KurirEvent): void;
  /** The database is unreachable: end the stream (the client resumes with Last-Event-ID). */
  close(): void;
}

export class SseFanout {
  /** Every event up to here has been offered to every live stream. */
  head = 0;
  /** Unfiltered reads done (tests check there is one per batch, whatever the stream count). */
  reads = 0;
  private readonly live = new Set<LiveStream>();
  private readonly trigger: CoalescingTrigger;
  private started?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(private readonly deps: { pool: Pool; notifier?: EventNotifier; pollMs?: number }) {
    this.trigger = new CoalescingTrigger(
      () => this.read(),
      () => {
        for (const s of [...this.live]) s.close();
      },
    );
  }

  /** Resolves once `head` is known (the first call starts the reader). */
  ready(): Promise<void> {
    this.started ??= (async () => {
      this.head = await lastEventSeq(this.deps.pool);
      if (this.stopped) return;
      this.unsubscribe = this.deps.notifier?.subscribe((seq) => {
        if (seq > this.head) this.fire();
      });
      // Safety net while the LISTEN connection is down (and the only source without a notifier).
      this.timer = setInterval(() => this.fire(), this.deps.pollMs ?? (this.deps.notifier ? 5_000 : 500));
    })();
    return this.started;
  }

  /** Call only when the stream has seen every matching event up to `head` (same tick as checking). */
  join(s: LiveStream): void {
    this.live.add(s);
  }

  leave(s: LiveStream): void {
    this.live.delete(s);
  }

  /** Reads now, or once more after the current read. */
  fire(): void {
    this.trigger.fire();
  }

  private async read(): Promise<void> {
    if (this.live.size === 0) {
      // Nobody to offer to: move `head` forward cheaply, so the next stream does not page from an old one.
      const last = await lastEventSeq(this.deps.pool);
      if (this.live.size === 0) {
        this.head = Math.max(this.head, last);
        return;
      }
    }
    for (;;) {
      this.reads++;
      const events = await listEvents(this.deps.pool, this.head, {}, PAGE);
      for (const e of events) {
        this.head = e.seq;
        for (const s of [...this.live]) s.offer(e);
      }
      if (events.length < PAGE) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.trigger.stop();
  }
}
