// The workflows' outbox writer (see workflows/event-outbox.ts). Idempotent: each
// event id is stored once, so a retried or replayed emission inserts nothing new.
import { insertEvents } from '../db/events.js';
import type { Pool } from '../db/pool.js';
import type { KurirEventInput } from '../workflows/event-types.js';

export function createEventActivities(deps: { pool: Pool }) {
  return {
    async emitEvents(events: KurirEventInput[]): Promise<number> {
      return insertEvents(deps.pool, events);
    },
  };
}

export type EventActivities = ReturnType<typeof createEventActivities>;
