// provider_messages: which workflow step owns a provider message id.
import type { Pool } from './pool.js';

export async function findStepMessage(pool: Pool, workflowId: string, stepIndex: number): Promise<{ providerMessageId: string; createdAt: Date } | undefined> {
  const res = await pool.query<{ provider_message_id: string; created_at: Date }>(
    'SELECT provider_message_id, created_at FROM provider_messages WHERE workflow_id = $1 AND step_index = $2', [workflowId, stepIndex]);
  const row = res.rows[0];
  return row ? { providerMessageId: row.provider_message_id, createdAt: row.created_at } : undefined;
}

/** How a provider message is named in the relay's notifications and callback_inbox.waiting_for. */
export function providerMessageKey(provider: string, providerMessageId: string): string {
  return `${provider}:${providerMessageId}`;
}

/** Records the owner and wakes the relay, which may hold callbacks that overtook the send answer. */
export async function recordProviderMessage(pool: Pool, m: { provider: string; providerMessageId: string; workflowId: string; stepIndex: number }): Promise<void> {
  await pool.query(
    `WITH ins AS (
       INSERT INTO provider_messages (provider, provider_message_id, workflow_id, step_index) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING 1)
     SELECT pg_notify('kurir_relay', $5)`,
    [m.provider, m.providerMessageId, m.workflowId, m.stepIndex, providerMessageKey(m.provider, m.providerMessageId)]);
}

export async function findOwner(pool: Pool, provider: string, providerMessageId: string): Promise<string | undefined> {
  const res = await pool.query<{ workflow_id: string }>(
    'SELECT workflow_id FROM provider_messages WHERE provider = $1 AND provider_message_id = $2', [provider, providerMessageId]);
  return res.rows[0]?.workflow_id;
}
