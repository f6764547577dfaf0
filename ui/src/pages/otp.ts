/// <reference lib="dom" />
// OTP: recent OTPs with status, channel and attempts (the API never returns codes) and the
// conversion rate (approved / sent) per channel over those OTPs; then the guard's panel
// (otp-guard.ts).
import { api } from '../api.js';
import { h, pct, replace, table, time } from '../dom.js';
import { every, type Page, type PageContext } from '../page.js';
import { otpGuardPanel } from './otp-guard.js';

interface Otp {
  id: string;
  status: string;
  channel: string | null;
  attempts?: number;
  attemptsLeft?: number;
  sends: number;
  providers: string[];
  lastSentAt: string;
  error?: string;
}
interface Answer {
  otps: Otp[];
  conversion: Array<{ channel: string; sent: number; approved: number; rate: number }>;
}

export function otpPage(ctx: PageContext): Page {
  const body = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  const guard = otpGuardPanel();
  const poll = every(5_000, async () => {
    await guard.refresh();
    try {
      const a = await api<Answer>('/v1/ui/otps');
      replace(
        body,
        table(
          'Conversion per channel (recent OTPs)',
          ['Channel', 'Sent', 'Approved', 'Approved / sent'],
          a.conversion.map((c) => [c.channel, c.sent, c.approved, pct(c.rate)]),
          { empty: 'No OTP sent yet.' },
        ),
        table(
          'Recent OTPs',
          ['OTP', 'Status', 'Channel', 'Codes sent', 'Verify attempts', 'Providers', 'Last sent'],
          a.otps.map((o) => [
            o.id,
            o.error ? `unknown (${o.error})` : o.status,
            o.channel ?? '—',
            o.sends,
            o.attempts === undefined ? '—' : `${o.attempts} (${o.attemptsLeft ?? 0} left)`,
            o.providers.join(', '),
            time(o.lastSentAt),
          ]),
        ),
      );
    } catch (err) {
      replace(body, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
    ctx.rendered();
  });
  return {
    el: h('section', {}, h('h1', {}, 'OTP'), body, guard.el),
    onEvent: (e) => {
      if (e.data.otpId || e.type.startsWith('otp.')) poll.now();
    },
    dispose: () => poll.stop(),
  };
}
