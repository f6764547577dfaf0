// One LISTEN kurir_events connection per API process, shared by the webhook dispatcher and every
// SSE stream (a stream never holds a database connection of its own). The events table's
// trigger notifies with the new seq when an event commits.
import { listen, type Listening } from '../../db/listen.js';
import type { Logger } from 'pino';
import type { Pool } from '../../db/pool.js';

export type EventListener = (seq: number) => void;

export class EventNotifier {
  private listening?: Listening;
  private readonly listeners = new Set<EventListener>();
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(private readonly deps: { pool: Pool; logger: Logger }) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const listening = await listen(this.deps.pool, 'kurir_events', {
      notify: (payload) => {
        const seq = Number(payload);
        for (const l of this.listeners) l(seq);
      },
      // A lost connection: listen again; streams and the dispatcher sweep meanwhile, so nothing is missed.
      lost: (err) => {
        this.deps.logger.warn({ err }, 'event listener connection lost; reconnecting');
        this.listening = undefined;
        this.reconnect();
      },
    });
    // Stopped while this connection was being made (a reconnect): it must not outlive the notifier.
    if (this.stopped) return listening.close();
    this.listening = listening;
  }

  /** Listens again in a second, and again after that while the database does not answer. */
  private reconnect(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => { this.connect().catch(() => this.reconnect()); }, 1_000);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const listening = this.listening;
    this.listening = undefined;
    await listening?.close();
  }
}
