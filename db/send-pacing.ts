// send_pacing: the next free send slot per provider (see migration 006).
import type { Pool } from './pool.js';

/** Creates the provider's row (once; a no-op when it exists). */
export async function ensurePacingRow(pool: Pool, provider: string): Promise<void> {
  await pool.query('INSERT INTO send_pacing (provider) VALUES ($1) ON CONFLICT DO NOTHING', [provider]);
}

/**
 * Reserves the provider's next send slot, a generic cell rate algorithm: slots `intervalMs`
 * apart on a schedule (next_slot), where a send that comes up to `toleranceMs` late still takes
 * its scheduled slot rather than pushing the schedule back. A slot more than `maxWaitMs` from now
 * is not reserved. Resolves to the milliseconds until the slot, or undefined when none was
 * reserved. The row lock orders concurrent reservations; the database clock is the one every
 * worker shares.
 */
export async function reserveSendSlot(
  pool: Pool,
  provider: string,
  opts: { intervalMs: number; toleranceMs: number; maxWaitMs: number },
): Promise<number | undefined> {
  const ms = (n: number) => `make_interval(secs => $${n}::float8 / 1000)`;
  const res = await pool.query<{ wait_ms: number }>(
    `UPDATE send_pacing p SET next_slot = GREATEST(q.scheduled, q.slot) + ${ms(2)}
     FROM (SELECT next_slot AS scheduled, GREATEST(next_slot - ${ms(3)}, clock_timestamp()) AS slot FROM send_pacing WHERE provider = $1 FOR UPDATE) q
     WHERE p.provider = $1 AND q.slot <= clock_timestamp() + ${ms(4)}
     RETURNING (EXTRACT(EPOCH FROM (q.slot - clock_timestamp())) * 1000)::float8 AS wait_ms`,
    [provider, opts.intervalMs, opts.toleranceMs, opts.maxWaitMs],
  );
  const row = res.rows[0];
  return row ? Math.max(0, row.wait_ms) : undefined;
}
