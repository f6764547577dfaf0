/// <reference lib="dom" />
// Overview: delivery KPIs per provider and channel over a chosen window (GET /v1/stats): sends,
// delivered, read, failed, fell back, suppressed, the rates, the median and p90 time to delivered
// and to read, and why messages fell back. Charts are inline SVG (no CDN).
import { api } from '../api.js';
import { ratesChart } from '../chart.js';
import type { DeliveryStats as Stats } from '../../../db/activity.js';
import { h, pct, replace, table, windowPicker } from '../dom.js';
import { every, type Page, type PageContext } from '../page.js';

const WINDOWS = ['1h', '24h', '7d'];
const rate = (v: number | null) => (v === null ? '—' : pct(v));
const secs = (v: number | null) => (v === null ? '—' : v < 120 ? `${v} s` : `${Math.round(v / 6) / 10} min`);

export function overviewPage(ctx: PageContext): Page {
  const body = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  let span = '24h';
  const picker = windowPicker('stats-window', WINDOWS, span, (w) => {
    span = w;
    poll.now();
  });
  const poll = every(10_000, async () => {
    try {
      const s = await api<Stats>(`/v1/stats?window=${span}`);
      replace(
        body,
        s.byProvider.length
          ? ratesChart(
              s.byProvider.map((k) => ({
                label: `${k.provider} ${k.channel}`,
                delivered: k.deliveryRate,
                read: k.readRate,
              })),
            )
          : null,
        table(
          'Delivery per provider and channel',
          [
            'Provider',
            'Channel',
            'Sends',
            'Delivered',
            'Read',
            'Failed',
            'Fell back',
            'Suppressed',
            'Delivery rate',
            'Read rate',
            'To delivered p50 / p90',
            'To read p50 / p90',
          ],
          s.byProvider.map((k) => [
            k.provider,
            k.channel,
            k.sends,
            k.delivered,
            k.read,
            k.failed,
            k.fellBack,
            k.suppressed,
            rate(k.deliveryRate),
            rate(k.readRate),
            `${secs(k.toDelivered.p50)} / ${secs(k.toDelivered.p90)}`,
            `${secs(k.toRead.p50)} / ${secs(k.toRead.p90)}`,
          ]),
          { empty: 'Nothing was sent in this window.' },
        ),
        table(
          'Fallback reasons',
          ['Reason', 'Fallbacks'],
          s.fallbackReasons.map((r) => [r.reason, r.count]),
          { empty: 'No fallback in this window.' },
        ),
      );
    } catch (err) {
      replace(body, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
    ctx.rendered();
  });
  return {
    el: h('section', {}, h('h1', {}, 'Overview'), picker, body),
    onEvent: (e) => {
      if (e.type === 'message.completed') poll.now();
    },
    dispose: () => poll.stop(),
  };
}
