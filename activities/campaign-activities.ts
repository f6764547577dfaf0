// Activities of the campaign workflow: the campaign's definition, recipient pages from Postgres,
// outcomes written back in batches, and the end of a campaign.
import {
  getCampaign,
  countRecipients,
  markNotSent,
  pendingRecipientPage,
  recordRecipientOutcomes,
  setCampaignStatus,
} from '../db/campaigns.js';
import { holdSignals, releaseSignals } from '../db/campaign-signal-holds.js';
import type { Pool } from '../db/pool.js';
import type {
  CampaignCounters,
  CampaignDefinition,
  CampaignRecipient,
  RecipientOutcome,
} from '../workflows/campaign-types.js';
import type { KurirEventInput } from '../workflows/event-types.js';
import { ApplicationFailure } from '@temporalio/common';

export function createCampaignActivities(deps: { pool: Pool }) {
  return {
    async loadCampaign(input: { campaignId: string }): Promise<CampaignDefinition> {
      const c = await getCampaign(deps.pool, input.campaignId);
      if (!c) throw ApplicationFailure.nonRetryable(`campaign ${input.campaignId} does not exist`, 'CampaignNotFound');
      const counts = await countRecipients(deps.pool, input.campaignId);
      const { pending: _pending, ...final } = counts.byStatus;
      await setCampaignStatus(deps.pool, input.campaignId, 'running');
      // This run takes the statuses its previous run held back while it continued as new.
      await releaseSignals(deps.pool, input.campaignId);
      return {
        template: c.template,
        timeZone: c.settings.timeZone ?? 'UTC',
        total: counts.total,
        counters: { byStatus: final, byProvider: counts.byProvider, fallbackUsed: counts.fallbackUsed },
      };
    },

    async loadRecipientPage(input: { campaignId: string; after: number; limit: number }): Promise<CampaignRecipient[]> {
      return pendingRecipientPage(deps.pool, input.campaignId, input.after, input.limit);
    },

    /** Outcomes, counters (with a write's last piece) and the campaign's events of the batch, in one transaction. */
    async recordOutcomes(input: {
      campaignId: string;
      outcomes: RecipientOutcome[];
      counters?: CampaignCounters;
      events?: KurirEventInput[];
    }): Promise<void> {
      await recordRecipientOutcomes(deps.pool, input.campaignId, input.outcomes, input.counters, input.events);
    },

    /**
     * Before a continue-as-new: the relay holds the campaign's status signals (until the next run
     * starts, `ms` at most), once those in flight are sent. A signal that arrived while the run
     * completed would fail that workflow task and make the worker replay the whole run.
     */
    async holdStatusSignals(input: { campaignId: string; ms: number }): Promise<void> {
      await holdSignals(deps.pool, input.campaignId, input.ms);
    },

    /** After a cancel: the recipients still pending are recorded as not sent. */
    async markUnsent(input: { campaignId: string }): Promise<number> {
      return markNotSent(deps.pool, input.campaignId);
    },

    async finishCampaign(input: {
      campaignId: string;
      status: 'completed' | 'canceled';
      counters: CampaignCounters;
      events?: KurirEventInput[];
    }): Promise<void> {
      await setCampaignStatus(deps.pool, input.campaignId, input.status, input.counters, input.events);
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
