// Shapes of the campaign workflow, its activities and its progress query. Plain JSON.
import type { MessageInputRaw } from '../schemas/message.js';
import type { Attempt, StatusUpdate, TrackingSnapshot } from './types.js';

/** The message every recipient gets: the message input without the recipient. */
export type CampaignTemplate = Omit<MessageInputRaw, 'to' | 'reference'>;

/** A recipient's final state, as stored in campaign_recipients.status. */
export type RecipientStatus =
  | 'pending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'invalid_number'
  | 'fell_back'
  | 'canceled'
  | 'not_sent'
  /** Opted out of every channel the message would use (db/suppressions.ts): nothing was sent. */
  | 'suppressed';

export interface CampaignRecipient {
  recipientId: number;
  phone: string;
  params?: string[];
  timeZone?: string;
}

/** 'HH:MM' or 'HH:MM:SS' in the recipient's time zone; start > end spans midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

export interface CampaignCounters {
  /** Final states (mutually exclusive), including not_sent after a cancel. */
  byStatus: Partial<Record<RecipientStatus, number>>;
  /** Recipients whose message reached its final state through a provider, per provider. */
  byProvider: Record<string, number>;
  /** Recipients whose message used a later step (fell back), whatever its outcome. */
  fallbackUsed: number;
}

export interface CampaignInput {
  campaignId: string;
  /**
   * Recipients in flight at once, from their first send to their final state (default 50, max 2,000).
   * They run inside the campaign: what is pending in Temporal is their batched calls, not them.
   */
  concurrency?: number;
  /** Recipients loaded per activity call (default 200). */
  pageSize?: number;
  quietHours?: QuietHours;
  /**
   * Continue-as-new once history has this many events (default and most 9,000), less what the recipients in
   * flight may add while they finish (docs/campaign-design.md).
   */
  historyLimit?: number;
  // Carried across continue-as-new:
  /** Last recipient id taken from the pages; the next page starts after it. */
  cursor?: number;
  counters?: CampaignCounters;
  /** Recipients taken but held by quiet hours when the run continued as new. */
  held?: CampaignRecipient[];
  paused?: boolean;
  /** Canceled while its recipients in flight were being handed over: the next run only finishes them. */
  canceled?: boolean;
  runs?: number;
  /** Recipients in flight when the run continued as new, which the next run goes on tracking. */
  handover?: CampaignHandover;
}

/** A run's recipients that were only waiting for news when it continued as new (all sent already). */
export interface CampaignHandover {
  recipients: Array<{ recipient: CampaignRecipient; snapshot: TrackingSnapshot }>;
  /** Statuses for them that arrived after they were handed over. */
  late: StatusUpdate[];
}

export interface CampaignProgress {
  campaignId: string;
  state: 'running' | 'paused' | 'canceling' | 'completed' | 'canceled';
  total: number;
  pending: number;
  inFlight: number;
  held: number;
  counts: Record<RecipientStatus, number>;
  fallbackUsed: number;
  byProvider: Record<string, number>;
  /** Runs of the workflow so far (1 + continue-as-new count). */
  runs: number;
}

export interface RecipientOutcome {
  recipientId: number;
  status: RecipientStatus;
  outcome: string;
  provider?: string;
  fallbackUsed: boolean;
  /** The message's attempts, kept in campaign_recipients for GET /v1/messages/:id. */
  attempts?: Attempt[];
}

export interface CampaignDefinition {
  template: CampaignTemplate;
  /** Time zone of recipients without one (IANA). */
  timeZone: string;
  total: number;
  /** Recipients already final in Postgres (a fresh run of an interrupted campaign starts from them). */
  counters: CampaignCounters;
}
