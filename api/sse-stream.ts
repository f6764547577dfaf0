// One Server-Sent Events stream: replays stored events after the client's cursor, then follows
// new ones as they commit. Following, it is fed by the process's one fan-out reader (api/sse-fanout.ts)
// and never queries per notification; it queries on its own only to catch up to the reader.
// `id:` is the event's seq, so a reconnect with Last-Event-ID resumes without gaps or repeats.
import type { ServerResponse } from 'node:http';
import { listEvents, type EventFilter } from '../db/events.js';
import type { Pool } from '../db/pool.js';
import type { KurirEvent } from '../workflows/event-types.js';
import { PAGE, type LiveStream, type SseFanout } from './sse-fanout.js';

export function formatSse(e: KurirEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

export function matchesFilter(e: KurirEvent, f: EventFilter): boolean {
  return (
    (f.messageId === undefined || e.messageId === f.messageId) &&
    (f.otpId === undefined || e.otpId === f.otpId) &&
    (f.campaignId === undefined || e.campaignId === f.campaignId) &&
    (f.reference === undefined || e.reference === f.reference) &&
    (!f.types?.length || f.types.includes(e.type))
  );
}

export class SseStream implements LiveStream {
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private catchingUp = false;
  /** Every event up to here has been considered (sent if it matched). */
  private scanned: number;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly raw: ServerResponse,
    private readonly deps: {
      pool: Pool;
      filter: EventFilter;
      cursor: number;
      follow: boolean;
      heartbeatMs: number;
      fanout: SseFanout;
    },
  ) {
    this.scanned = deps.cursor;
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
  }

  start(): void {
    this.raw.on('close', () => this.close());
    if (this.deps.follow) this.timers.push(setInterval(() => this.write(': ping\n\n'), this.deps.heartbeatMs));
    this.catchUp();
  }

  /** Live: the fan-out offers every new event in seq order. */
  offer(e: KurirEvent): void {
    if (this.closed || e.seq <= this.scanned) return;
    this.scanned = e.seq;
    if (!matchesFilter(e, this.deps.filter) || this.write(formatSse(e))) return;
    // The client reads slower than events arrive: leave, wait for it, and catch up from the database.
    this.deps.fanout.leave(this);
    this.catchUp();
  }

  private catchUp(): void {
    if (this.catchingUp || this.closed) return;
    this.catchingUp = true;
    this.replay().catch(() => {
      // The database is unreachable: end the stream; the client resumes with Last-Event-ID.
      this.close();
    });
  }

  private async replay(): Promise<void> {
    if (this.raw.writableNeedDrain) await this.drained();
    if (!this.deps.follow) {
      // One-shot: everything stored now, then end.
      await this.pages(undefined);
      this.close();
      return;
    }
    const fanout = this.deps.fanout;
    await fanout.ready();
    for (;;) {
      if (this.closed) return;
      const target = fanout.head;
      if (this.scanned >= target) {
        // Checked and joined in the same tick: the reader cannot offer an event in between.
        this.catchingUp = false;
        fanout.join(this);
        fanout.fire();
        return;
      }
      await this.pages(target);
      this.scanned = Math.max(this.scanned, target);
    }
  }

  /** Sends the stored matching events after `scanned` (up to `toSeq`), page by page, waiting for the client. */
  private async pages(toSeq: number | undefined): Promise<void> {
    for (;;) {
      const events = await listEvents(this.deps.pool, this.scanned, this.deps.filter, PAGE, toSeq);
      if (this.closed) return;
      for (const e of events) {
        this.scanned = e.seq;
        if (!this.write(formatSse(e))) await this.drained();
        if (this.closed) return;
      }
      if (events.length < PAGE) return;
    }
  }

  private drained(): Promise<void> {
    return new Promise<void>((r) => {
      this.raw.once('drain', r);
      this.raw.once('close', r);
    });
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
    this.deps.fanout.leave(this);
    if (!this.raw.destroyed) this.raw.end();
    this.resolveDone();
  }
}
