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

/**
 * A provider value no mapping knows (a status the document does not list, a number where a name
 * was shown). It is kept in the timeline with the raw value and never moves the status.
 */
export const UNMAPPED = 'unmapped';
/** What a provider report can say: a canonical status, or `unmapped` with its raw value beside it. */
export type ReportedStatus = CanonicalStatus | typeof UNMAPPED;

export const CHANNELS = ['whatsapp', 'sms'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** Which statuses a channel can report at all: SMS has no read receipts. Providers narrow it further. */
export interface Reports {
  delivered: boolean;
  read: boolean;
}
export const CHANNEL_REPORTS: Readonly<Record<ChannelName, Reports>> = {
  whatsapp: { delivered: true, read: true },
  sms: { delivered: true, read: false },
};
