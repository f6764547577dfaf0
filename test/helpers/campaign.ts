// Helpers of the campaign tests and benchmark: numbers that script the sandboxes, send counts
// per exact number, and waiting for a campaign's progress.
import type { CampaignProgress } from '../../workflows/campaign-types.js';
import { campaignProgressQuery } from '../../workflows/messages.js';
import type { Stack } from './stack.js';
import { eventually } from './stack.js';

/** `+62 <prefix> <3-digit index> <sms code> <whatsapp code>`: a prefix per test keeps numbers apart. */
export function campaignNumber(prefix: string, index: number, whatsapp = '000', sms = '000'): string {
  return `+62${prefix}${String(index).padStart(3, '0')}${sms}${whatsapp}`;
}

/** Send requests a sandbox received, per exact number (digits only). */
export function sendsPerNumber(stack: Stack, provider: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of stack.sandboxes.requests(provider)) {
    if (!r.recipient || !/send/i.test(r.path)) continue;
    const digits = r.recipient.replace(/\D/g, '');
    counts.set(digits, (counts.get(digits) ?? 0) + 1);
  }
  return counts;
}

export const digitsOf = (e164: string) => e164.replace(/\D/g, '');

/** When a sandbox received each send request for these numbers (ms, ascending). */
export function sendTimes(stack: Stack, provider: string, phones: string[]): number[] {
  const ours = new Set(phones.map(digitsOf));
  return stack.sandboxes.requests(provider)
    .filter((r) => r.recipient && ours.has(digitsOf(r.recipient)) && /send/i.test(r.path))
    .map((r) => Date.parse(r.at)).sort((a, b) => a - b);
}

export function progress(stack: Stack, id: string): Promise<CampaignProgress> {
  return stack.client.workflow.getHandle(id).query(campaignProgressQuery);
}

export const finishedCount = (p: CampaignProgress) => p.total - p.pending;

export function waitProgress(stack: Stack, id: string, ok: (p: CampaignProgress) => boolean, timeoutMs: number, what: string): Promise<CampaignProgress> {
  return eventually(async () => { const p = await progress(stack, id); return ok(p) ? p : undefined; }, timeoutMs, what);
}
