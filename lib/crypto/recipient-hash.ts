// Recipients are found in the Temporal UI (the KurirRecipientHash search attribute, which the codec
// does not encrypt) and counted by the OTP send limit by a keyed hash, never by the number itself:
// an unkeyed hash of a phone number is reversed by enumerating the number space in seconds
// (security review M7). The key is RECIPIENT_HASH_KEY, shared by the API, the worker and clients.
import { createHmac } from 'node:crypto';

export function recipientHash(key: string, e164: string): string {
  return createHmac('sha256', key).update(e164).digest('hex').slice(0, 32);
}
