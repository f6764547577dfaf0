// One single-step message per provider and sandbox scenario, for tests that compare the final
// statuses of two runs (with and without a fault). Status polling is pushed out of reach so
// that only callbacks move the statuses.
import type { ProviderName } from '../../../providers/registry.js';
import type { MessageInputRaw } from '../../../schemas/message.js';
import type { MessageStatus } from '../../../workflows/types.js';
import { eventually, type Stack } from '../../helpers/stack.js';

export interface Case {
  provider: ProviderName;
  code: string;
}

const STEPS: Record<Case['provider'], MessageInputRaw['steps'][number]> = {
  wappin: { channel: 'whatsapp', provider: 'wappin', template: 'order_shipped', params: ['A-1'] },
  itd: { channel: 'whatsapp', provider: 'itd', text: 'Order A-1 shipped' },
  engagelab: { channel: 'whatsapp', provider: 'engagelab', template: 'kurir-otp' }, // a template the EngageLab sandbox knows
  nusasms: { channel: 'whatsapp', provider: 'nusasms', text: 'Order A-1 shipped' },
  'sms-masking': { channel: 'sms', provider: 'sms-masking', text: 'Order A-1 shipped' },
};

/** read (000), accepted then failed (603), delivered never read (604), sent never delivered (605). */
export const CODES = ['000', '603', '604', '605'];

export function cases(providers: readonly Case['provider'][]): Case[] {
  return providers.flatMap((provider) => CODES.map((code) => ({ provider, code })));
}

/** `+62 <prefix> <index> <sms code> <whatsapp code>`: the case's code scripts its channel. */
export function caseNumber(prefix: string, index: number, c: Case): string {
  const onSms = STEPS[c.provider].channel === 'sms';
  const sms = onSms ? c.code : '000';
  const wa = onSms ? '000' : c.code;
  return `+62${prefix}${String(index).padStart(3, '0')}${sms}${wa}`;
}

/**
 * notReadWithin keeps a delivered message tracked until "read" (else "delivered" ends the workflow
 * and whether a later "read" is still seen depends on timing, not on what was lost).
 */
export function caseMessage(to: string, c: Case): MessageInputRaw {
  return {
    to,
    steps: [STEPS[c.provider]],
    pollAfter: '1 hour',
    trackFor: '1 hour',
    fallback: { notReadWithin: '1 hour' },
  };
}

export const caseKey = (c: Case) => `${c.provider}/${c.code}`;

/** What "final status" means when two runs are compared: no timestamps or ids. */
export function summary(s: MessageStatus): string {
  return s.attempts
    .map((a) =>
      [
        a.provider,
        a.state,
        a.status ?? '-',
        a.fallback?.reason ?? '-',
        a.error?.type ?? '-',
        a.sentAt ? 'sentAt' : '',
        a.deliveredAt ? 'deliveredAt' : '',
        a.readAt ? 'readAt' : '',
      ].join(' '),
    )
    .join(' | ');
}

export async function summaries(stack: Stack, ids: Map<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [key, id] of ids)
    out[key] = summary(await stack.client.workflow.getHandle(id).query<MessageStatus>('status'));
  return out;
}

/** Sends every case once; resolves to case key → workflow id once each send reached its provider. */
export async function sendCases(stack: Stack, prefix: string, list: Case[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const [i, c] of list.entries()) ids.set(caseKey(c), await stack.send(caseMessage(caseNumber(prefix, i, c), c)));
  await eventually(
    async () => {
      const missing: string[] = [];
      for (const [key, id] of ids) {
        const a = (await stack.client.workflow.getHandle(id).query<MessageStatus>('status')).attempts[0];
        if (!a?.providerMessageId) missing.push(`${key} (${a?.state ?? 'no attempt'} ${a?.error?.message ?? ''})`);
      }
      if (missing.length) throw new Error(`not accepted yet: ${missing.join(', ')}`);
      return true;
    },
    120_000,
    'every case accepted by its provider',
  );
  return ids;
}

/** Waits until the statuses stop changing for `quietMs` (callbacks spread over a few seconds). */
export async function settledSummaries(
  stack: Stack,
  ids: Map<string, string>,
  quietMs: number,
  timeoutMs: number,
): Promise<Record<string, string>> {
  let last = '';
  let since = Date.now();
  return eventually(
    async () => {
      const now = await summaries(stack, ids);
      const text = JSON.stringify(now);
      if (text !== last) {
        last = text;
        since = Date.now();
        return undefined;
      }
      return Date.now() - since >= quietMs ? now : undefined;
    },
    timeoutMs,
    'statuses to settle',
  );
}
