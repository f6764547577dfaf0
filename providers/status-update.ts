// A provider status event (callback or status lookup) as the message workflow's status update.
// Shared by the status-polling activity and the callback relay, so neither imports the other.
import type { StatusUpdate } from '../workflows/types.js';
import type { StatusEvent } from './types.js';

export function toStatusUpdate(e: StatusEvent, source: StatusUpdate['source']): StatusUpdate {
  return { provider: e.provider, providerMessageId: e.providerMessageId, status: e.status, occurredAt: e.occurredAt.toISOString(), providerCode: e.providerCode, source };
}
