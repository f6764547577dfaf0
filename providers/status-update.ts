// A provider's status event as the message workflow receives it: the same shape whether the relay
// brings it from a callback or the lookup activity from a poll.
import type { StatusUpdate } from '../workflows/types.js';
import { isPlausibleDate } from './plausible-time.js';
import type { StatusEvent } from './types.js';

/** How far a precise provider time may run ahead of our clock and still be believed (clock skew). */
const SKEW_MS = 5_000;

/**
 * Timed rules run on kurir's clock: `occurredAt` is the provider's time only when the provider
 * marks it precise and it is plausible (not after the report reached us, beyond a small skew);
 * otherwise it is `receivedAt`, and the provider's own time is kept as `providerTime`.
 */
export function toStatusUpdate(e: StatusEvent, source: StatusUpdate['source'], receivedAt: Date): StatusUpdate {
  const trusted =
    e.precise !== false && isPlausibleDate(e.occurredAt) && e.occurredAt.getTime() <= receivedAt.getTime() + SKEW_MS;
  return {
    provider: e.provider,
    providerMessageId: e.providerMessageId,
    status: e.status,
    ...(e.rawStatus !== undefined ? { rawStatus: e.rawStatus } : {}),
    occurredAt: (trusted ? e.occurredAt : receivedAt).toISOString(),
    ...(trusted ? {} : { providerTime: e.occurredAt.toISOString() }),
    ...(e.channel !== undefined ? { channel: e.channel } : {}),
    providerCode: e.providerCode,
    source,
  };
}
