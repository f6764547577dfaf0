/// <reference lib="dom" />
// The OTP guard's panel on the OTP page (issue #20): codes sent, OTPs verified and conversion per
// channel and per country over a chosen window, what the guard refused, and the blocked number
// prefixes with a button to lift each block. Same figures as GET /v1/otp-guard/stats.
import { api } from '../api.js';
import { h, pct, replace, table, time, windowPicker } from '../dom.js';

interface Row {
  channel: string;
  country?: string;
  sent: number;
  otps: number;
  verified: number;
  conversion: number | null;
}
interface Stats {
  byChannel: Row[];
  byCountry: Row[];
  refused: Array<{ country: string; reason: string; count: number }>;
}
interface Block {
  prefix: string;
  country: string;
  blockedAt: string;
  until: string;
  sends: number;
  verified: number;
}

const WINDOWS = ['1h', '24h', '7d'];
const rate = (r: Row) => (r.conversion === null ? '—' : pct(r.conversion));

export function otpGuardPanel(): { el: HTMLElement; refresh: () => Promise<void> } {
  const body = h('div', { 'aria-live': 'polite' });
  let span = '24h';
  const picker = windowPicker('otp-window', WINDOWS, span, (w) => {
    span = w;
    void refresh();
  });

  async function unblock(prefix: string) {
    await api(`/v1/otp-guard/blocks/${encodeURIComponent(prefix)}/unblock`, { method: 'POST' });
    await refresh();
  }

  async function refresh() {
    try {
      const [stats, blocks] = await Promise.all([
        api<Stats>(`/v1/otp-guard/stats?window=${span}`),
        api<{ items: Block[] }>('/v1/otp-guard/blocks'),
      ]);
      replace(
        body,
        table(
          'Conversion per channel (guarded OTPs)',
          ['Channel', 'Codes sent', 'OTPs', 'Verified', 'Conversion'],
          stats.byChannel.map((r) => [r.channel, r.sent, r.otps, r.verified, rate(r)]),
          { empty: 'No guarded OTP in this window.' },
        ),
        table(
          'By country and channel',
          ['Country', 'Channel', 'Codes sent', 'OTPs', 'Verified', 'Conversion'],
          stats.byCountry.map((r) => [r.country ?? '—', r.channel, r.sent, r.otps, r.verified, rate(r)]),
          { empty: 'No country yet.' },
        ),
        table(
          'Refused by the guard',
          ['Country', 'Reason', 'Refused'],
          stats.refused.map((r) => [r.country, r.reason, r.count]),
          { empty: 'The guard refused nothing in this window.' },
        ),
        table(
          'Blocked number prefixes',
          ['Prefix', 'Country', 'Verified / sent', 'Blocked at', 'Until', ''],
          blocks.items.map((b) => [
            b.prefix,
            b.country,
            `${b.verified} / ${b.sends}`,
            time(b.blockedAt),
            time(b.until),
            h(
              'button',
              { type: 'button', 'aria-label': `Unblock ${b.prefix}`, onclick: () => void unblock(b.prefix) },
              'Unblock',
            ),
          ]),
          { empty: 'No prefix is blocked.' },
        ),
      );
    } catch (err) {
      replace(body, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
  }

  return {
    el: h('section', { 'aria-labelledby': 'otp-guard' }, h('h2', { id: 'otp-guard' }, 'Guard'), picker, body),
    refresh,
  };
}
