// Reads the OTP code a sandbox received for a number, as the recipient's phone would show it.
import type { RunningSandboxes } from '../../sandboxes/index.js';
import { sendRequests, sameNumber } from './numbers.js';

export function lastCodeSent(sandboxes: RunningSandboxes, provider: string, to: string): string | undefined {
  const sent = sendRequests(sandboxes, provider).filter((r) => sameNumber(r.recipient, to) && r.status < 300);
  const content = sent.at(-1)?.content;
  if (!content) return undefined;
  // Wappin template params {"1": "<code>"}; SMS text "... code is <code>."
  const m =
    /"1"\s*:\s*"([0-9A-Za-z]{4,10})"/.exec(content) ??
    /code(?:\+|%20|\s)+is(?:\+|%20|\s)+([0-9A-Za-z]{4,10})/i.exec(content);
  return m?.[1];
}
