// One LISTEN kurir_events connection per API process, shared by the webhook dispatcher and every
// SSE stream (a stream never holds a database connection of its own). The events table's
// trigger notifies with the new seq when an event commits.
import { KeptListener } from './kept-listener.js';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';

export type EventListener = (seq: number) => void;

export class EventNotifier {
  private readonly listener: KeptListener;
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly deps: { pool: Pool; logger: Logger }) {
    this.listener = new KeptListener(deps.pool, 'kurir_events', {
      notify: (payload) => {
        const seq = Number(payload);
        for (const l of this.listeners) l(seq);
      },
      // Streams and the dispatcher sweep while it is down, so nothing is missed.
      lost: (err) => this.deps.logger.warn({ err }, 'event listener connection lost; listening again'),
    });
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }
}
