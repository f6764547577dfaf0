// Batches concurrent callback inserts into multi-row INSERTs (group commit): under load one round
// trip stores many callbacks, and each request still waits until its own row is committed before
// the provider gets an ack. Two batches in flight: measured on two cores, more in flight only made
// the batches smaller (more round trips, more CPU) and ingest slower; under load a batch grows to
// what one round trip takes, up to maxBatch.
import { dedupeKey } from './callback-inbox.js';
import type { Pool } from './pool.js';

export interface InboxEntry {
  provider: string;
  route: string;
  method: string;
  query: Record<string, string>;
  body: string;
}

interface Pending {
  entry: InboxEntry;
  key: string;
  resolve: (fresh: boolean) => void;
  reject: (err: unknown) => void;
}

// One column array per parameter: a single prepared statement whatever the batch size, so each
// connection plans it once (a VALUES list per size was parsed and planned on every batch).
const INSERT = {
  name: 'callback-inbox-insert',
  text: `INSERT INTO callback_inbox (provider, route, dedupe_key, method, query, body)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[])
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key`,
};

export class InboxWriter {
  private readonly queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly pool: Pool,
    private readonly maxBatch = 250,
    private readonly maxInFlight = 2,
  ) {}

  /** Resolves once the row is committed: true when it is new, false for a duplicate. */
  store(entry: InboxEntry): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, key: dedupeKey(entry.route, entry.method, entry.query, entry.body), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    const cols: string[][] = [[], [], [], [], [], []];
    for (const p of batch) {
      cols[0]!.push(p.entry.provider);
      cols[1]!.push(p.entry.route);
      cols[2]!.push(p.key);
      cols[3]!.push(p.entry.method);
      cols[4]!.push(JSON.stringify(p.entry.query));
      cols[5]!.push(p.entry.body);
    }
    try {
      const res = await this.pool.query<{ dedupe_key: string }>({ ...INSERT, values: cols });
      const fresh = new Set(res.rows.map((r) => r.dedupe_key));
      for (const p of batch) {
        // A key twice in one batch is stored once: only its first request counts as new.
        p.resolve(fresh.delete(p.key));
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
