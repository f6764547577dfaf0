// Shapes the message workflow keeps and reports. Plain JSON: they travel through Temporal.
import type { CanonicalStatus, ChannelName, ReportedStatus, Reports } from '../domain/statuses.js';
export type { CanonicalStatus, ChannelName, ReportedStatus, Reports };
export type ProviderName = 'wappin' | 'itd' | 'engagelab' | 'nusasms' | 'sms-masking';

/** A provider status for one provider message, from a callback, a status poll or the send answer. */
export interface StatusUpdate {
  provider: ProviderName;
  providerMessageId: string;
  status: ReportedStatus;
  /** The provider's raw value, kept for `unmapped` (and when it differs from the canonical name). */
  rawStatus?: string;
  /**
   * ISO time it happened on a clock the rules can trust: the provider's time when it is precise and
   * plausible, otherwise when kurir received the report (providers/status-update.ts).
   */
  occurredAt: string;
  /** The provider's own time when it was not used as `occurredAt` (ITD's minute-precision send time). */
  providerTime?: string;
  /** The leg's channel for a multi-channel provider (EngageLab). */
  channel?: ChannelName;
  providerCode?: string;
  source: 'send' | 'callback' | 'poll' | 'precheck' | 'reconcile';
  /** A campaign recipient's message id: the campaign workflow hands the status to that recipient. */
  messageId?: string;
}

/** Why a step fell to the next one; `suppressed`: not sent at all, its recipient opted out of its channel. */
export type FallbackReason =
  | 'invalid_number'
  | 'failed'
  | 'not_delivered'
  | 'not_read'
  | 'suppressed'
  /** A session text with no template, and the customer has not written within the service window. */
  | 'outside_service_window';
export type TimedRule = 'notDeliveredWithin' | 'notReadWithin';

export interface TimelineEntry {
  status: ReportedStatus;
  at: string;
  rawStatus?: string;
  providerTime?: string;
  channel?: ChannelName;
  providerCode?: string;
  source: StatusUpdate['source'];
  /** False when the entry arrived late or twice and did not move the status. */
  applied: boolean;
}

export interface Attempt {
  step: number;
  channel: ChannelName;
  provider: ProviderName;
  state: 'checking' | 'sending' | 'tracking' | 'done' | 'skipped';
  providerMessageId?: string;
  /** Providers this step left for its next one (a failed send, an open circuit), in order. */
  failovers?: Array<{ from: ProviderName; to: ProviderName; error: string; at: string }>;
  /** Which body a WhatsApp step with a text and a template sent: the session text or the template. */
  form?: 'session' | 'template';
  status?: CanonicalStatus;
  acceptedAt?: string;
  sentAt?: string;
  deliveredAt?: string;
  readAt?: string;
  /** What this step's channel and provider can report at all (absent: everything). */
  reports?: Reports;
  /** The provider's own channel strategy (EngageLab `whatsapp|sms`): a failed leg with a next one is not the end. */
  legs?: ChannelName[];
  /** The channel of the latest leg a status was reported for (EngageLab), when it differs from `channel`. */
  legChannel?: ChannelName;
  /** Timed rules this step cannot meet, so they did not apply to it (SMS has no read receipts). */
  skippedRules?: Array<{ rule: TimedRule; reason: string }>;
  /** Status lookups made when a timed rule was due, before falling back on it. */
  checks?: Array<{ at: string; rule: FallbackReason; status?: ReportedStatus; fellBack: boolean }>;
  timeline: TimelineEntry[];
  fallback?: { reason: FallbackReason; at: string; toStep?: number };
  error?: { type: string; message: string };
}

/** `suppressed`: every step was skipped, the recipient having opted out of each channel. */
export type MessageOutcome = CanonicalStatus | 'canceled' | 'suppressed';

export interface MessageStatus {
  state: 'running' | 'completed';
  mode: 'sequential' | 'parallel';
  reference?: string;
  currentStep: number;
  attempts: Attempt[];
  outcome?: MessageOutcome;
}

export interface MessageResult {
  outcome: MessageOutcome;
  /** The provider whose attempt reached the outcome (best attempt in parallel mode). */
  deliveredBy?: ProviderName;
  step?: number;
  attempts: Attempt[];
}

/** Where a sequential message stands while it tracks a step: what a campaign hands to its next run. */
export interface TrackingSnapshot {
  attempts: Attempt[];
  currentStep: number;
  /** Status reports no attempt owned yet. */
  unmatched: StatusUpdate[];
  track: TrackState;
}

/** The tracking loop's own state (workflow times, ms). */
export interface TrackState {
  until: number;
  pollDelay: number;
  nextPoll: number;
  pollSupported: boolean;
  /** Timed rules already checked with the provider before falling back. */
  reconciled: FallbackReason[];
}
