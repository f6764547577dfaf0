/// <reference lib="dom" />
// Messages: the activity feed (feed.ts) until a search is made; search (phone number → hashed
// lookup, reference, or id) and a message's timeline from
// the workflow's status query: each step, its provider, every status with the provider's time and
// raw code, and the fallback rule that fired.
import type { Attempt, MessageStatus } from '../../../workflows/types.js';
import { api } from '../api.js';
import { h, replace, table, time } from '../dom.js';
import { every, type Page, type PageContext } from '../page.js';
import { activityFeed } from './feed.js';

interface Hit {
  id: string;
  matchedBy: string;
  status: string;
  startedAt: string | null;
  campaignId?: string;
}

const REASONS: Record<string, string> = {
  invalid_number: 'the number is not on this channel',
  failed: 'the provider reported failure',
  not_delivered: 'not delivered within the fallback window',
  not_read: 'not read within the fallback window',
};

export function messagesPage(ctx: PageContext, q: string): Page {
  const input = h('input', {
    id: 'q',
    name: 'q',
    type: 'search',
    value: q,
    required: true,
    'aria-describedby': 'q-help',
    autocomplete: 'off',
  });
  const results = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { role: 'search', class: 'card' },
    h('label', { for: 'q' }, 'Phone number, reference or message id'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Search')),
    h(
      'p',
      { id: 'q-help', class: 'help' },
      'Phone numbers are looked up by their hash (E.164, e.g. +6281234567890 or 081234567890).',
    ),
  );
  async function search(term: string) {
    replace(results, h('p', {}, 'Searching…'));
    try {
      const { results: hits } = await api<{ results: Hit[] }>(`/v1/ui/messages?q=${encodeURIComponent(term)}`);
      replace(
        results,
        table(
          `${hits.length} message${hits.length === 1 ? '' : 's'} for “${term}”`,
          ['Message', 'Matched by', 'Status', 'Started', 'Campaign'],
          hits.map((m) => [
            h('a', { href: `#/messages/${encodeURIComponent(m.id)}` }, m.id),
            m.matchedBy,
            m.status,
            time(m.startedAt),
            m.campaignId ? h('a', { href: `#/campaigns/${encodeURIComponent(m.campaignId)}` }, m.campaignId) : '—',
          ]),
          { empty: `No message found for “${term}”.` },
        ),
      );
    } catch (err) {
      replace(results, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const term = input.value.trim();
    // The query lives in the hash so back/forward and links keep it.
    if (location.hash !== `#/messages?q=${encodeURIComponent(term)}`)
      history.replaceState(null, '', `#/messages?q=${encodeURIComponent(term)}`);
    // The results take the feed's place (Messages in the menu brings it back).
    feed?.stop();
    feed?.el.remove();
    void search(term);
  });
  // Without a search the page opens on the activity feed, live over the event stream.
  const feed = q ? undefined : activityFeed(() => ctx.rendered());
  if (q) void search(q);
  return {
    el: h('section', {}, h('h1', {}, 'Messages'), form, results, feed?.el),
    onEvent: (e) => {
      if (e.type.startsWith('message.') || e.type.startsWith('otp.')) feed?.refresh();
    },
    dispose: () => feed?.stop(),
  };
}

function attemptView(a: Attempt): HTMLElement {
  const fb = a.fallback;
  return h(
    'li',
    { class: 'attempt', 'data-step': a.step + 1 },
    h('h2', {}, `Step ${a.step + 1}: ${a.channel} via ${a.provider}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'State'),
      h('dd', {}, a.state),
      h('dt', {}, 'Status'),
      h('dd', {}, a.status ?? '—'),
      h('dt', {}, 'Provider message id'),
      h('dd', {}, a.providerMessageId ?? '—'),
      h('dt', {}, 'Accepted / sent / delivered / read'),
      h('dd', {}, [a.acceptedAt, a.sentAt, a.deliveredAt, a.readAt].map(time).join(' / ')),
      a.skippedRules?.length ? h('dt', {}, 'Rules not applied') : null,
      a.skippedRules?.length ? h('dd', {}, a.skippedRules.map((r) => `${r.rule}: ${r.reason}`).join('; ')) : null,
      a.checks?.length ? h('dt', {}, 'Checked before falling back') : null,
      a.checks?.length
        ? h(
            'dd',
            {},
            a.checks
              .map((c) => `${c.rule} at ${time(c.at)}: ${c.status ?? 'no news'}, ${c.fellBack ? 'fell back' : 'kept'}`)
              .join('; '),
          )
        : null,
      a.error ? h('dt', {}, 'Error') : null,
      a.error ? h('dd', { class: 'error' }, `${a.error.type}: ${a.error.message}`) : null,
    ),
    fb
      ? h(
          'p',
          { class: 'fallback' },
          h('strong', {}, 'Fallback: '),
          `${fb.reason} (${REASONS[fb.reason] ?? fb.reason}) at ${time(fb.at)}${fb.toStep !== undefined ? ` → step ${fb.toStep + 1}` : ''}`,
        )
      : null,
    table(
      `Step ${a.step + 1} status timeline`,
      ['Status', 'Provider time', 'Source', 'Provider code', 'Applied'],
      a.timeline.map((t) => [
        t.status === 'unmapped'
          ? `unmapped: "${t.rawStatus ?? ''}"`
          : t.channel
            ? `${t.status} (${t.channel})`
            : t.status,
        time(t.at),
        t.source,
        t.providerCode ?? '—',
        t.applied ? 'yes' : 'no (late or repeated)',
      ]),
    ),
  );
}

export function messagePage(ctx: PageContext, id: string): Page {
  const body = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  const ui = ctx.config.temporalUiUrl;
  const link = ui
    ? h(
        'a',
        {
          href: `${ui.replace(/\/$/, '')}/namespaces/${encodeURIComponent(ctx.config.namespace)}/workflows/${encodeURIComponent(id)}`,
          target: '_blank',
          rel: 'noopener noreferrer',
        },
        'Open the workflow in the Temporal UI',
      )
    : null;
  let done = false;
  const poll = every(3_000, async () => {
    if (done) return;
    try {
      const s = await api<MessageStatus>(`/v1/messages/${encodeURIComponent(id)}`);
      done = s.state === 'completed';
      replace(
        body,
        h(
          'dl',
          { class: 'facts summary' },
          h('dt', {}, 'State'),
          h('dd', { id: 'message-state' }, s.state),
          h('dt', {}, 'Outcome'),
          h('dd', {}, s.outcome ?? '—'),
          h('dt', {}, 'Mode'),
          h('dd', {}, s.mode),
          h('dt', {}, 'Reference'),
          h('dd', {}, s.reference ?? '—'),
        ),
        h('ol', { class: 'timeline', 'aria-label': 'Steps' }, ...s.attempts.map(attemptView)),
      );
      ctx.rendered();
    } catch (err) {
      replace(body, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
      ctx.rendered();
    }
  });
  return {
    el: h(
      'section',
      {},
      h('p', {}, h('a', { href: '#/messages' }, '← Messages')),
      h('h1', {}, `Message ${id}`),
      link ? h('p', {}, link) : null,
      body,
    ),
    onEvent: (e) => {
      if (e.data.messageId === id) {
        done = false;
        poll.now();
      }
    },
    dispose: () => poll.stop(),
  };
}
