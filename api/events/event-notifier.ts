// One LISTEN kurir_events connection per API process, shared by the webhook dispatcher and every
// SSE stream (a stream never holds a database connection of its own). The events table's
// trigger notifies with the new seq when an event commits.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Pool } from '../../db/pool.js';

export type EventListener = (seq: number) => void;

export class EventNotifier {
  private client?: pg.PoolClient;
  private readonly listeners = new Set<EventListener>();
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(private readonly deps: { pool: Pool; logger: Logger }) {}

  async start(): Promise<void> {
    this.stopped = false;
    const client = await this.deps.pool.connect();
    client.on('notification', (n) => {
      const seq = Number(n.payload);
      for (const l of this.listeners) l(seq);
    });
    // A lost connection: listen again; streams and the dispatcher sweep meanwhile, so nothing is missed.
    client.on('error', (err) => {
      this.deps.logger.warn({ err }, 'event listener connection lost; reconnecting');
      client.release(true);
      if (this.client === client) this.client = undefined;
      if (!this.stopped) this.retry = setTimeout(() => { void this.start().catch(() => undefined); }, 1_000);
    });
    await client.query('LISTEN kurir_events');
    this.client = client;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.query('UNLISTEN kurir_events').catch(() => undefined);
    client.release();
  }
}
