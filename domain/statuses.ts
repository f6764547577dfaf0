// The canonical status model: every provider status maps to one of these. Status only moves
// forward (accepted < queued < sent < delivered < read); failed, invalid_number and expired end
// an attempt, as read does.
export const CANONICAL_STATUSES = [
  'accepted',
  'queued',
  'sent',
  'delivered',
  'read',
  'failed',
  'invalid_number',
  'expired',
] as const;
export type CanonicalStatus = (typeof CANONICAL_STATUSES)[number];

export const STATUS_RANK: Readonly<Record<CanonicalStatus, number>> = {
  accepted: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  invalid_number: 5,
  expired: 5,
};

export const TERMINAL_STATUSES: ReadonlySet<CanonicalStatus> = new Set(['read', 'failed', 'invalid_number', 'expired']);

export const CHANNELS = ['whatsapp', 'sms'] as const;
export type ChannelName = (typeof CHANNELS)[number];
