// A stable id for an inbox.php message. The document shows no answer, so an item may carry no id;
// polling then needs the same id for the same message on every poll (inbound_messages is unique on
// provider + provider_message_id). Derived from what the message is: sender, gateway time and text.
import { createHash } from 'node:crypto';

/**
 * The gateway's id when given; otherwise `h:` + a hash of sender digits, the gateway's time as sent
 * and the text, with `:n` for the n-th identical item in one answer (two equal texts in one
 * minute are two messages). Without a gateway time, the same text from the same sender in a later
 * poll is taken as the same message: nothing else tells them apart.
 */
export function inboxMessageId(
  given: string | undefined,
  item: { digits: string; time: string | undefined; text: string | undefined },
  seen: Map<string, number>,
): string {
  if (given?.trim()) return given.trim();
  const hash = createHash('sha256')
    .update(JSON.stringify([item.digits, item.time?.trim() ?? '', item.text ?? '']))
    .digest('hex')
    .slice(0, 32);
  const n = seen.get(hash) ?? 0;
  seen.set(hash, n + 1);
  return n === 0 ? `h:${hash}` : `h:${hash}:${n}`;
}
