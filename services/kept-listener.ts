// A LISTEN on a channel that stays up: one pooled connection at a time, listened again a second
// after it is lost (and again while the database does not answer), for the relay and the event
// notifier. Each connection goes back exactly once: to the pool when stopped, or destroyed when
// it dies (a dying connection can report more than one error, even after close, and each would
// otherwise be an uncaught exception or a double release).
import type pg from 'pg';
import type { Pool } from '../db/pool.js';

const RELISTEN_MS = 1_000;

export interface ListenHandlers {
  notify: (payload: string | undefined) => void;
  /** The connection was lost; notifications until it is back are missed. */
  lost: (err: Error) => void;
  /** Listening again after a loss. */
  relistened?: () => void;
}

export class KeptListener {
  private close?: () => Promise<void>;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    private readonly handlers: ListenHandlers,
  ) {}

  /** Listens; rejects if the first LISTEN fails. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const close = this.close;
    this.close = undefined;
    await close?.();
  }

  private async connect(): Promise<void> {
    const client = await this.pool.connect();
    let done = false;
    const onNotification = (n: pg.Notification) => this.handlers.notify(n.payload);
    const onError = (err: Error) => {
      if (done) return;
      done = true;
      client.release(err); // destroyed, never reused: this listener stays to swallow its later errors
      this.close = undefined;
      this.handlers.lost(err);
      this.relisten();
    };
    client.on('notification', onNotification);
    client.on('error', onError);
    try {
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      // Not listening yet: the caller hears of it from the rejection, not from `lost`.
      if (!done) {
        done = true;
        client.release(err instanceof Error ? err : true);
      }
      throw err;
    }
    const close = async () => {
      if (done) return;
      await client.query(`UNLISTEN ${this.channel}`).catch(() => undefined);
      if (done) return;
      done = true;
      client.removeListener('notification', onNotification);
      client.removeListener('error', onError);
      client.release();
    };
    // Stopped while this connection was being made (a re-listen): it must not outlive the listener.
    if (this.stopped) return close();
    this.close = close;
  }

  private relisten(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => {
      this.connect().then(
        () => {
          if (!this.stopped) this.handlers.relistened?.();
        },
        () => this.relisten(),
      );
    }, RELISTEN_MS);
  }
}
