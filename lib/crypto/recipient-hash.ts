// Recipients are found in the Temporal UI by a hash, never by the number itself.
import { createHash } from 'node:crypto';

export function recipientHash(e164: string): string {
  return createHash('sha256').update(`kurir:${e164}`).digest('hex').slice(0, 32);
}
