// Shapes the message workflow keeps and reports. Plain JSON: they travel through Temporal.
import type { KurirEventInput } from './event-types.js';
import type { CanonicalStatus, ChannelName } from '../domain/statuses.js';
export type { CanonicalStatus, ChannelName };
export type ProviderName = 'wappin' | 'itd' | 'engagelab' | 'nusasms' | 'sms-masking';

/** A provider status for one provider message, from a callback, a status poll or the send answer. */
export interface StatusUpdate {
  provider: ProviderName;
  providerMessageId: string;
  status: CanonicalStatus;
  /** ISO time the provider says it happened. */
  occurredAt: string;
  providerCode?: string;
  source: 'send' | 'callback' | 'poll' | 'precheck';
}

export type FallbackReason = 'invalid_number' | 'failed' | 'not_delivered' | 'not_read';

export interface TimelineEntry {
  status: CanonicalStatus;
  at: string;
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
  status?: CanonicalStatus;
  acceptedAt?: string;
  sentAt?: string;
  deliveredAt?: string;
  readAt?: string;
  timeline: TimelineEntry[];
  fallback?: { reason: FallbackReason; at: string; toStep?: number };
  error?: { type: string; message: string };
}

export type MessageOutcome = CanonicalStatus | 'canceled';

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
  /** A campaign's message: its last events, not written yet; the campaign stores them with the outcome. */
  unwrittenEvents?: KurirEventInput[];
}
