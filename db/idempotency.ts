// Idempotency-Key → the workflow the first request started.
import { createHash } from 'node:crypto';
import type { Pool } from './pool.js';

export function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** Claims `key` for `workflowId`; when already claimed returns the earlier claim instead. */
export async function claimIdempotencyKey(
  pool: Pool,
  c: { scope: string; key: string; workflowId: string; requestHash: string },
): Promise<{ workflowId: string; requestHash: string; fresh: boolean }> {
  const res = await pool.query<{ workflow_id: string; request_hash: string; fresh: boolean }>(
    `WITH ins AS (
       INSERT INTO idempotency_keys (scope, key, workflow_id, request_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope, key) DO NOTHING RETURNING workflow_id, request_hash, true AS fresh)
     SELECT * FROM ins
     UNION ALL
     SELECT workflow_id, request_hash, false AS fresh FROM idempotency_keys WHERE scope = $1 AND key = $2 AND NOT EXISTS (SELECT 1 FROM ins)`,
    [c.scope, c.key, c.workflowId, c.requestHash],
  );
  const row = res.rows[0]!;
  return { workflowId: row.workflow_id, requestHash: row.request_hash, fresh: row.fresh };
}

export async function releaseIdempotencyKey(pool: Pool, scope: string, key: string): Promise<void> {
  await pool.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key]);
}
