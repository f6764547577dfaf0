// send_pacing: the next free send slot per provider (see migration 006).
import type pg from 'pg';
import type { Pool } from './pool.js';

/** Creates the provider's row (once; a no-op when it exists). */
export async function ensurePacingRow(pool: Pool, provider: string): Promise<void> {
  await pool.query('INSERT INTO send_pacing (provider) VALUES ($1) ON CONFLICT DO NOTHING', [provider]);
}

/**
 * Reserves up to `count` of the provider's next send slots, a generic cell rate algorithm: slots
 * `intervalMs` apart on a schedule (next_slot), where a send that comes up to `toleranceMs` late
 * still takes its scheduled slot rather than pushing the schedule back. Slots more than `maxWaitMs`
 * from now are not reserved. Resolves to the milliseconds until each reserved slot (as many as
 * fitted, at least one) from `dbNowMs` (the database's clock, epoch ms), or, when none fitted, to
 * how long until one would. The row lock orders concurrent reservations; the database clock is the
 * one every worker shares.
 */
export async function reserveSendSlots(
  pool: Pool | pg.PoolClient,
  provider: string,
  count: number,
  opts: { intervalMs: number; toleranceMs: number; maxWaitMs: number },
): Promise<{ slots: number[]; dbNowMs: number } | { retryAfterMs: number }> {
  const ms = (n: number) => `make_interval(secs => $${n}::float8 / 1000)`;
  // The first slot may come up to the tolerance early, like one reservation's; the next ones follow
  // the schedule as reservations made one after another at this instant would.
  const res = await pool.query<{ first_ms: number; base_ms: number; n: number; now_ms: number }>(
    `UPDATE send_pacing p SET next_slot = q.base + c.n * ${ms(2)}
     FROM (SELECT slot, GREATEST(scheduled, slot) AS base FROM (
             SELECT next_slot AS scheduled, GREATEST(next_slot - ${ms(3)}, clock_timestamp()) AS slot
               FROM send_pacing WHERE provider = $1 FOR UPDATE) s) q,
          LATERAL (SELECT LEAST($5::int, floor(EXTRACT(EPOCH FROM (clock_timestamp() + ${ms(4)} - q.base)) * 1000 / $2::float8)::int + 1) AS n) c
     WHERE p.provider = $1 AND q.slot <= clock_timestamp() + ${ms(4)} AND c.n > 0
     RETURNING (EXTRACT(EPOCH FROM (q.slot - clock_timestamp())) * 1000)::float8 AS first_ms,
               (EXTRACT(EPOCH FROM (q.base - clock_timestamp())) * 1000)::float8 AS base_ms, c.n,
               (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS now_ms`,
    [provider, opts.intervalMs, opts.toleranceMs, opts.maxWaitMs, count],
  );
  const row = res.rows[0];
  if (!row) {
    const ahead = await pool.query<{ ahead_ms: number }>(
      'SELECT (EXTRACT(EPOCH FROM (next_slot - clock_timestamp())) * 1000)::float8 AS ahead_ms FROM send_pacing WHERE provider = $1',
      [provider],
    );
    return { retryAfterMs: Math.max(0, (ahead.rows[0]?.ahead_ms ?? 0) - opts.maxWaitMs) };
  }
  const first = Math.max(0, row.first_ms);
  return {
    dbNowMs: row.now_ms,
    slots: Array.from({ length: row.n }, (_, i) =>
      i === 0 ? first : Math.max(first, row.base_ms + i * opts.intervalMs - opts.toleranceMs),
    ),
  };
}
