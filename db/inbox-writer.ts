// Batches concurrent callback inserts into multi-row INSERTs (group commit): under load one round
// trip stores many callbacks, and each request still waits until its own row is committed before
// the provider gets an ack.
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

export class InboxWriter {
  private readonly queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly pool: Pool,
    private readonly maxBatch = 250,
    private readonly maxInFlight = 4,
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
    const values: unknown[] = [];
    const rows = batch.map((p, i) => {
      values.push(p.entry.provider, p.entry.route, p.key, p.entry.method, JSON.stringify(p.entry.query), p.entry.body);
      const o = i * 6;
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6})`;
    });
    try {
      const res = await this.pool.query<{ dedupe_key: string }>(
        `INSERT INTO callback_inbox (provider, route, dedupe_key, method, query, body) VALUES ${rows.join(', ')}
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key`,
        values,
      );
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
