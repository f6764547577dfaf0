/// <reference lib="dom" />
// Suppressions: numbers that opted out (by keyword, API, CLI or here), with a form to add one and
// a button to lift each. Marketing and utility steps to them are skipped; OTPs still go.
import { api } from '../api.js';
import { h, replace, table, time } from '../dom.js';
import { every, type Page, type PageContext } from '../page.js';

interface Suppression {
  phone: string;
  channel: string;
  reason: string;
  source: string;
  createdAt: string;
}

export function suppressionsPage(ctx: PageContext): Page {
  const body = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  const status = h('p', { role: 'status', class: 'help' });
  const phone = h('input', { id: 'suppress-phone', name: 'phone', required: true, placeholder: '+6281234567890' });
  const channel = h(
    'select',
    { id: 'suppress-channel', name: 'channel', class: 'narrow' },
    ...['all', 'whatsapp', 'sms'].map((c) => h('option', { value: c }, c)),
  );
  const reason = h('input', { id: 'suppress-reason', name: 'reason', value: 'requested' });
  const form = h(
    'form',
    { class: 'card', 'aria-label': 'Suppress a number' },
    h('label', { for: 'suppress-phone' }, 'Phone number'),
    h('div', { class: 'row' }, phone, channel, reason, h('button', { type: 'submit' }, 'Suppress')),
    status,
  );

  const lift = async (s: Suppression) => {
    await api(`/v1/suppressions/${encodeURIComponent(s.phone)}?channel=${s.channel}`, { method: 'DELETE' });
    poll.now();
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      try {
        await api('/v1/suppressions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            phone: phone.value.trim(),
            channel: channel.value,
            reason: reason.value || 'requested',
          }),
        });
        replace(status, `${phone.value.trim()} suppressed on ${channel.value}.`);
        phone.value = '';
        poll.now();
      } catch (err) {
        replace(status, h('span', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
      }
    })();
  });

  const poll = every(10_000, async () => {
    try {
      const { items } = await api<{ items: Suppression[] }>('/v1/suppressions?limit=200');
      replace(
        body,
        table(
          'Suppressed numbers',
          ['Phone', 'Channel', 'Reason', 'Source', 'Since', ''],
          items.map((s) => [
            s.phone,
            s.channel,
            s.reason,
            s.source,
            time(s.createdAt),
            h(
              'button',
              { type: 'button', 'aria-label': `Lift ${s.phone} ${s.channel}`, onclick: () => void lift(s) },
              'Lift',
            ),
          ]),
          { empty: 'No number is suppressed.' },
        ),
      );
    } catch (err) {
      replace(body, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
    ctx.rendered();
  });
  return {
    el: h('section', {}, h('h1', {}, 'Suppressions'), form, body),
    onEvent: (e) => {
      if (e.type.startsWith('recipient.')) poll.now();
    },
    dispose: () => poll.stop(),
  };
}
