// One Server-Sent Events stream: replays stored events after the client's cursor, then follows
// new ones as they commit (woken by the shared LISTEN, with a slow poll as a safety net).
// `id:` is the event's seq, so a reconnect with Last-Event-ID resumes without gaps or repeats.
import type { ServerResponse } from 'node:http';
import { listEvents, type EventFilter } from '../db/events.js';
import type { Pool } from '../db/pool.js';
import type { KurirEvent } from '../workflows/event-types.js';
import type { EventNotifier } from '../services/event-notifier.js';

const PAGE = 500;

export function formatSse(e: KurirEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

export class SseStream {
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe?: () => void;
  private pumping?: Promise<void>;
  private again = false;
  private closed = false;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(private readonly raw: ServerResponse, private readonly deps: {
    pool: Pool; filter: EventFilter; cursor: number; follow: boolean; heartbeatMs: number; notifier?: EventNotifier; pollMs?: number;
  }) {
    this.done = new Promise((r) => { this.resolveDone = r; });
  }

  start(): void {
    this.raw.on('close', () => this.close());
    if (this.deps.follow) {
      this.unsubscribe = this.deps.notifier?.subscribe((seq) => { if (seq > this.deps.cursor) this.wake(); });
      this.timers.push(setInterval(() => this.write(': ping\n\n'), this.deps.heartbeatMs));
      this.timers.push(setInterval(() => this.wake(), this.deps.pollMs ?? (this.deps.notifier ? 5_000 : 500)));
    }
    this.wake();
  }

  private wake(): void {
    if (this.closed) return;
    if (this.pumping) { this.again = true; return; }
    this.pumping = this.pump().catch(() => {
      // The database is unreachable: end the stream; the client resumes with Last-Event-ID.
      this.close();
    }).finally(() => {
      this.pumping = undefined;
      if (this.again) { this.again = false; this.wake(); }
    });
  }

  private async pump(): Promise<void> {
    for (;;) {
      const events = await listEvents(this.deps.pool, this.deps.cursor, this.deps.filter, PAGE);
      if (this.closed) return;
      for (const e of events) {
        this.deps.cursor = e.seq;
        if (!this.write(formatSse(e))) await new Promise<void>((r) => { this.raw.once('drain', r); this.raw.once('close', r); });
        if (this.closed) return;
      }
      if (events.length < PAGE) break;
    }
    if (!this.deps.follow) this.close();
  }

  private write(chunk: string): boolean {
    if (this.closed || this.raw.destroyed) return true;
    return this.raw.write(chunk);
  }

  /** Ends the stream (client gone, server closing, or a one-shot replay done). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.unsubscribe?.();
    if (!this.raw.destroyed) this.raw.end();
    this.resolveDone();
  }
}
