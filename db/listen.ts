// A pooled connection that LISTENs on a channel, for the relay and the event notifier. It goes
// back exactly once: to the pool when closed, or destroyed when its connection dies (a dying
// connection can report more than one error, even after close, and each would otherwise be an
// uncaught exception or a double release).
import type pg from 'pg';
import type { Pool } from './pool.js';

export interface Listening {
  close(): Promise<void>;
}

export async function listen(pool: Pool, channel: string, handlers: { notify: (payload: string | undefined) => void; lost: (err: Error) => void }): Promise<Listening> {
  const client = await pool.connect();
  let done = false;
  const onNotification = (n: pg.Notification) => handlers.notify(n.payload);
  const onError = (err: Error) => {
    if (done) return;
    done = true;
    client.release(err); // destroyed, never reused: this listener stays to swallow its later errors
    handlers.lost(err);
  };
  client.on('notification', onNotification);
  client.on('error', onError);
  try {
    await client.query(`LISTEN ${channel}`);
  } catch (err) {
    // Not listening yet: the caller hears of it from the rejection, not from `lost`.
    if (!done) {
      done = true;
      client.release(err instanceof Error ? err : true);
    }
    throw err;
  }
  return {
    async close() {
      if (done) return;
      await client.query(`UNLISTEN ${channel}`).catch(() => undefined);
      if (done) return;
      done = true;
      client.removeListener('notification', onNotification);
      client.removeListener('error', onError);
      client.release();
    },
  };
}
