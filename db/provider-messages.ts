// provider_messages: which workflow step owns a provider message id.
import type pg from 'pg';
import type { Pool } from './pool.js';

export async function findStepMessage(
  pool: Pool,
  workflowId: string,
  stepIndex: number,
): Promise<{ providerMessageId: string; createdAt: Date } | undefined> {
  const res = await pool.query<{ provider_message_id: string; created_at: Date }>(
    'SELECT provider_message_id, created_at FROM provider_messages WHERE workflow_id = $1 AND step_index = $2',
    [workflowId, stepIndex],
  );
  const row = res.rows[0];
  return row ? { providerMessageId: row.provider_message_id, createdAt: row.created_at } : undefined;
}

/** How a provider message is named in the relay's notifications and callback_inbox.waiting_for. */
export function providerMessageKey(provider: string, providerMessageId: string): string {
  return `${provider}:${providerMessageId}`;
}

/** Records the owner and wakes the relay, which may hold callbacks that overtook the send answer. */
export async function recordProviderMessage(
  pool: Pool,
  m: { provider: string; providerMessageId: string; workflowId: string; stepIndex: number; signalTo?: string },
): Promise<void> {
  await pool.query(
    `WITH ins AS (
       INSERT INTO provider_messages (provider, provider_message_id, workflow_id, step_index, signal_to)
       VALUES ($1, $2, $3, $4, $6)
       ON CONFLICT DO NOTHING RETURNING 1)
     SELECT pg_notify('kurir_relay', $5)`,
    [
      m.provider,
      m.providerMessageId,
      m.workflowId,
      m.stepIndex,
      providerMessageKey(m.provider, m.providerMessageId),
      m.signalTo ?? null,
    ],
  );
}

/**
 * Who gets a provider message's statuses: `workflowId` is the workflow to signal; `messageId` the
 * campaign recipient's message inside it, when the message runs in its campaign's workflow.
 */
export interface Owner {
  workflowId: string;
  messageId?: string;
}

/** The owner of each provider message found, keyed by providerMessageKey: one query for a batch. */
export async function findOwners(
  db: Pool | pg.PoolClient,
  messages: Array<{ provider: string; providerMessageId: string }>,
): Promise<Map<string, Owner>> {
  const owners = new Map<string, Owner>();
  if (messages.length === 0) return owners;
  const res = await db.query<{
    provider: string;
    provider_message_id: string;
    workflow_id: string;
    signal_to: string | null;
  }>(
    `SELECT p.provider, p.provider_message_id, p.workflow_id, p.signal_to FROM provider_messages p
       JOIN unnest($1::text[], $2::text[]) AS m(provider, id) ON p.provider = m.provider AND p.provider_message_id = m.id`,
    [messages.map((m) => m.provider), messages.map((m) => m.providerMessageId)],
  );
  for (const r of res.rows)
    owners.set(
      providerMessageKey(r.provider, r.provider_message_id),
      r.signal_to ? { workflowId: r.signal_to, messageId: r.workflow_id } : { workflowId: r.workflow_id },
    );
  return owners;
}
