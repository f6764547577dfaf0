// A campaign's progress as PostgreSQL has it (no workflow to ask: empty, failed, finished, or no
// worker answering), and the names of its states. The REST API and the dashboard both build it
// here, so they agree: an empty campaign is completed (final, nothing to send), not running.
import type { CampaignCounters, CampaignProgress, RecipientStatus } from '../workflows/campaign-types.js';

export const RECIPIENT_STATUSES: readonly RecipientStatus[] = [
  'pending',
  'sent',
  'delivered',
  'read',
  'failed',
  'invalid_number',
  'fell_back',
  'canceled',
  'not_sent',
  'suppressed',
];

/** campaigns.status: importing → ready (imported, not started) | running → completed | canceled; empty and failed end an import. */
export const CAMPAIGN_STATUSES = ['importing', 'ready', 'running', 'completed', 'canceled', 'empty', 'failed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Statuses that never change again. */
export const FINAL_CAMPAIGN_STATUSES: ReadonlySet<string> = new Set<CampaignStatus>([
  'completed',
  'canceled',
  'empty',
  'failed',
]);

/** The progress query's states, plus `failed` for an import that failed (no workflow ever ran). */
export type CampaignState = CampaignProgress['state'] | 'failed';

const STATE_OF: Record<CampaignStatus, CampaignState> = {
  importing: 'running',
  ready: 'running',
  running: 'running',
  completed: 'completed',
  empty: 'completed',
  canceled: 'canceled',
  failed: 'failed',
};

export function campaignStateOf(status: string): CampaignState {
  return STATE_OF[status as CampaignStatus] ?? 'running';
}

export interface StoredCounts extends CampaignCounters {
  total: number;
}

/** The progress of a stored campaign from its status and its recipients' counts. */
export function campaignProgressFromCounts(
  row: { id: string; status: string },
  counts: StoredCounts,
): Omit<CampaignProgress, 'state'> & { state: CampaignState } {
  const all = Object.fromEntries(RECIPIENT_STATUSES.map((s) => [s, counts.byStatus[s] ?? 0])) as Record<
    RecipientStatus,
    number
  >;
  return {
    campaignId: row.id,
    state: campaignStateOf(row.status),
    total: counts.total,
    pending: all.pending,
    inFlight: 0,
    held: 0,
    counts: all,
    fallbackUsed: counts.fallbackUsed,
    byProvider: counts.byProvider,
    runs: 0,
  };
}
