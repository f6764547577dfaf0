// GET /v1/messages/:id for a campaign recipient (`<campaignId>:<recipientId>`): its message runs
// inside the campaign's workflow, so it has no workflow of its own. While it runs the campaign
// answers for it (recipientStatus query); once finished, its attempts are in campaign_recipients.
import type { Client } from '@temporalio/client';
import { getRecipientMessage } from '../db/campaigns.js';
import type { Pool } from '../db/pool.js';
import { recipientStatusQuery } from '../workflows/messages.js';
import type { MessageOutcome, MessageStatus } from '../workflows/types.js';

const RECIPIENT_ID = /^(.+):(\d{1,9})$/;

/** The recipient's message status, or undefined when `id` names no campaign recipient. */
export async function recipientMessageStatus(
  deps: { pool: Pool; temporal: Client },
  id: string,
): Promise<MessageStatus | undefined> {
  const m = RECIPIENT_ID.exec(id);
  if (!m) return undefined;
  const [campaignId, recipientId] = [m[1]!, Number(m[2])];
  const stored = async () => {
    const row = await getRecipientMessage(deps.pool, campaignId, recipientId);
    if (!row) return undefined;
    const base = { mode: row.mode === 'parallel' ? 'parallel' : 'sequential', reference: id } as const;
    if (row.status === 'pending') return { ...base, state: 'running' as const, currentStep: 0, attempts: [] };
    const attempts = row.attempts ?? [];
    // A recipient never sent (the campaign was canceled first) has no outcome of its own.
    const outcome = (row.outcome ?? 'canceled') as MessageOutcome;
    return { ...base, state: 'completed' as const, currentStep: attempts.at(-1)?.step ?? 0, attempts, outcome };
  };
  const first = await stored();
  if (first?.state !== 'running') return first;
  const live = await deps.temporal.workflow
    .getHandle(campaignId)
    .query(recipientStatusQuery, id)
    .catch(() => undefined);
  // Not running in the campaign: not taken yet, or it finished since the first read.
  return live ?? (await stored());
}
