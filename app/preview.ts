// What a message would be sent as, without sending (POST /v1/messages/preview, `kurir preview`):
// per step the text, and for SMS its encoding, characters and parts (domain/sms-encoding.ts) and,
// with SMS_PRICES set, its cost. A template is rendered by the provider, so only its name is known.
import { smsLayout, type SmsEncoding } from '../domain/sms-encoding.js';
import type { MessageInput } from '../schemas/message.js';

export interface StepPreview {
  step: number;
  channel: string;
  provider: string;
  body: 'text' | 'template' | 'media';
  text: string | null;
  template: string | null;
  encoding: SmsEncoding | null;
  characters: number | null;
  parts: number | null;
  perPart: number | null;
  unicodeCharacters: string[];
  cost: { amount: number; currency: string } | null;
  note: string | null;
}

export function previewMessage(
  input: Pick<MessageInput, 'steps'>,
  prices: Record<string, number>,
  currency: string,
): StepPreview[] {
  return input.steps.map((s, step) => {
    const body: StepPreview['body'] = s.text !== undefined ? 'text' : s.template !== undefined ? 'template' : 'media';
    const base: Omit<StepPreview, 'note'> = {
      step,
      channel: s.channel,
      provider: s.provider,
      body,
      text: s.text ?? s.media?.caption ?? null,
      template: s.template ?? null,
      encoding: null,
      characters: null,
      parts: null,
      perPart: null,
      unicodeCharacters: [],
      cost: null,
    };
    if (body === 'template')
      return { ...base, note: `the provider renders template "${s.template}" with ${s.params?.length ?? 0} params` };
    if (s.channel !== 'sms')
      return {
        ...base,
        characters: base.text === null ? null : [...base.text].length,
        note: 'WhatsApp sends one message whatever its length (no SMS parts)',
      };
    const layout = smsLayout(s.text ?? '');
    const price = prices[s.provider];
    return {
      ...base,
      ...layout,
      cost: price === undefined ? null : { amount: Math.round(price * layout.parts * 1e6) / 1e6, currency },
      note: null,
    };
  });
}
