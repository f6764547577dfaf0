// A provider's status event as the message workflow receives it: the same shape whether the relay
// brings it from a callback or the lookup activity from a poll.
import type { StatusUpdate } from '../workflows/types.js';
import type { StatusEvent } from './types.js';

export function toStatusUpdate(e: StatusEvent, source: StatusUpdate['source']): StatusUpdate {
  return {
    provider: e.provider,
    providerMessageId: e.providerMessageId,
    status: e.status,
    occurredAt: e.occurredAt.toISOString(),
    providerCode: e.providerCode,
    source,
  };
}
