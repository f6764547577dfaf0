// The events kurir tells applications about (outbox → webhooks and the SSE stream). Plain JSON:
// they travel through Temporal as activity input, so they never carry an OTP code, a phone
// number or a secret.
import type { ChannelName, ProviderName } from './types.js';

export const EVENT_TYPES = [
  'message.accepted',
  'message.sent',
  'message.delivered',
  'message.read',
  'message.failed',
  'message.unmapped',
  'message.fallback',
  'message.suppressed',
  'message.completed',
  'otp.sent',
  'otp.approved',
  'otp.expired',
  'otp.max_attempts_reached',
  'otp.blocked',
  'otp.prefix_blocked',
  'campaign.progress',
  'campaign.completed',
  'inbound.received',
  'recipient.suppressed',
  'recipient.unsuppressed',
  'provider.unhealthy',
  'provider.healthy',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The version of every event body shape; bumped when a field changes meaning. */
export const EVENT_VERSION = 1;

/** An event as emitted (the outbox adds `seq`). */
export interface KurirEventInput {
  /** Stable per change: a retried emission of the same change is stored once. */
  id: string;
  type: EventType;
  messageId?: string;
  otpId?: string;
  campaignId?: string;
  reference?: string;
  provider?: ProviderName;
  channel?: ChannelName;
  /** ISO time the change happened (the provider's time where it gave one). */
  occurredAt: string;
  data?: Record<string, unknown>;
}

/** An event as delivered: the webhook body and the SSE `data:` line. */
export interface KurirEvent extends KurirEventInput {
  /** Position in the stream (the SSE id, for Last-Event-ID). */
  seq: number;
  version: number;
  data: Record<string, unknown>;
}
