// Replay protection for callbacks whose signature does not cover the body (EngageLab): each signed
// header's one-time part is admitted once per body. Rows live only as long as a signature is
// accepted (the endpoint's tolerance), so the table stays small at any callback rate.
import { createHash } from 'node:crypto';
import type { Pool } from './pool.js';

const PRUNE_EVERY = 500;

export class CallbackNonces {
  private admitted = 0;

  constructor(
    private readonly pool: Pool,
    /** How long a signature is accepted: a nonce older than twice this can never come back. */
    private readonly toleranceSec: number,
  ) {}

  /**
   * True when `nonce` is new, or was seen with this same body (the provider retrying a callback
   * whose ack it did not get); false when it was seen with another body: a replayed header.
   */
  async admit(provider: string, nonce: string, rawBody: string): Promise<boolean> {
    const bodyHash = createHash('sha256').update(rawBody).digest('hex');
    // One round trip: a conflict returns the stored hash (the no-op update makes RETURNING see it).
    const res = await this.pool.query<{ body_hash: string }>(
      `INSERT INTO callback_nonces (provider, nonce, body_hash) VALUES ($1, $2, $3)
       ON CONFLICT (provider, nonce) DO UPDATE SET body_hash = callback_nonces.body_hash RETURNING body_hash`,
      [provider, nonce, bodyHash],
    );
    if (++this.admitted % PRUNE_EVERY === 0) await this.prune();
    return res.rows[0]?.body_hash === bodyHash;
  }

  /** Forgets nonces no accepted signature can carry any more. */
  async prune(): Promise<number> {
    const res = await this.pool.query('DELETE FROM callback_nonces WHERE seen_at < now() - make_interval(secs => $1)', [
      this.toleranceSec * 2,
    ]);
    return res.rowCount ?? 0;
  }
}
