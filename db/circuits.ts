// Provider circuit breakers (migration 020): what a send's result does to its provider's circuit,
// and which of a step's providers a new send should use. Shared by every worker through PostgreSQL.
import { randomUUID } from 'node:crypto';
import type { ProviderName } from '../workflows/types.js';
import { insertEvents } from './events.js';
import type { Pool } from './pool.js';
import { inTransaction } from './transaction.js';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface Circuit {
  provider: string;
  state: CircuitState;
  failures: number;
  openedAt: Date | null;
}

export interface BreakerSettings {
  /** Consecutive failed sends that open a circuit. */
  failures: number;
  /** How long an open circuit stays open before one probe goes through. */
  cooldownMs: number;
}

interface Row {
  provider: string;
  state: CircuitState;
  failures: number;
  opened_at: Date | null;
  probe_at: Date | null;
}

/**
 * Counts a send's result. A success closes the circuit (emitting provider.healthy when it was not
 * closed); a failure counts, and opens it at the threshold or when it was the probe (emitting
 * provider.unhealthy when it was closed). A healthy provider's success writes nothing.
 */
export async function recordSend(
  pool: Pool,
  provider: ProviderName,
  ok: boolean,
  s: BreakerSettings,
): Promise<CircuitState> {
  if (ok) {
    const res = await pool.query<{ was: CircuitState }>(
      `UPDATE provider_circuits c SET state = 'closed', failures = 0, opened_at = NULL, probe_at = NULL, updated_at = now()
         FROM (SELECT state AS was FROM provider_circuits WHERE provider = $1) old
        WHERE c.provider = $1 AND (c.state <> 'closed' OR c.failures > 0) RETURNING old.was`,
      [provider],
    );
    const was = res.rows[0]?.was;
    if (was && was !== 'closed') await circuitEvent(pool, 'provider.healthy', provider, 0);
    return 'closed';
  }
  return inTransaction(pool, async (db) => {
    await db.query('INSERT INTO provider_circuits (provider) VALUES ($1) ON CONFLICT DO NOTHING', [provider]);
    const { rows } = await db.query<Row>('SELECT * FROM provider_circuits WHERE provider = $1 FOR UPDATE', [provider]);
    const row = rows[0]!;
    const failures = row.failures + 1;
    const opens = row.state === 'half_open' || (row.state === 'closed' && failures >= s.failures);
    const state: CircuitState = opens ? 'open' : row.state;
    await db.query(
      `UPDATE provider_circuits SET failures = $2, state = $3, opened_at = CASE WHEN $4 THEN now() ELSE opened_at END,
              probe_at = NULL, updated_at = now() WHERE provider = $1`,
      [provider, failures, state, opens],
    );
    if (opens && row.state === 'closed') await circuitEvent(db, 'provider.unhealthy', provider, failures);
    return state;
  });
}

/** Whether `provider`'s circuit is open (a send to it now should go to an alternative instead). */
export async function isOpen(pool: Pool, provider: string): Promise<boolean> {
  const res = await pool.query<{ state: CircuitState }>('SELECT state FROM provider_circuits WHERE provider = $1', [
    provider,
  ]);
  return res.rows[0]?.state === 'open';
}

/**
 * The provider a new send should use: the first whose circuit is closed, or whose cool-down is over
 * (that send becomes its probe, and the circuit half-open). When none is, the first: the send
 * itself then decides, and fails over like any failed send.
 */
export async function pickProvider(pool: Pool, providers: string[], s: BreakerSettings): Promise<string> {
  const res = await pool.query<Row>('SELECT * FROM provider_circuits WHERE provider = ANY($1::text[])', [providers]);
  const byName = new Map(res.rows.map((r) => [r.provider, r]));
  for (const provider of providers) {
    const row = byName.get(provider);
    if (!row || row.state === 'closed') return provider;
    const claimed = await pool.query(
      `UPDATE provider_circuits SET state = 'half_open', probe_at = now(), updated_at = now()
        WHERE provider = $1 AND ((state = 'open' AND opened_at <= now() - make_interval(secs => $2::double precision / 1000))
                              OR (state = 'half_open' AND probe_at <= now() - make_interval(secs => $2::double precision / 1000)))`,
      [provider, s.cooldownMs],
    );
    if ((claimed.rowCount ?? 0) > 0) return provider;
  }
  return providers[0]!;
}

export async function listCircuits(pool: Pool): Promise<Circuit[]> {
  const res = await pool.query<Row>('SELECT * FROM provider_circuits ORDER BY provider');
  return res.rows.map((r) => ({ provider: r.provider, state: r.state, failures: r.failures, openedAt: r.opened_at }));
}

function circuitEvent(
  db: Parameters<typeof insertEvents>[0],
  type: 'provider.unhealthy' | 'provider.healthy',
  provider: ProviderName,
  failures: number,
) {
  return insertEvents(db, [
    {
      id: `${type}:${provider}:${randomUUID()}`,
      type,
      provider,
      occurredAt: new Date().toISOString(),
      data: { provider, failures },
    },
  ]);
}
