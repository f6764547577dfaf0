/// <reference lib="dom" />
// The activity feed on the Messages page (issue #21): recent messages and OTPs from
// GET /v1/messages, newest first, filtered by kind, outcome and channel, refreshed live when the
// event stream says something moved (and every 10 s when it is down), with "Older" paging.
import type { FeedItem } from '../../../db/activity.js';
import { api } from '../api.js';
import { h, replace, table, time } from '../dom.js';
import { every } from '../page.js';

interface Answer {
  items: FeedItem[];
  next?: string;
}

const OUTCOMES = [
  '',
  'running',
  'delivered',
  'read',
  'sent',
  'failed',
  'invalid_number',
  'expired',
  'canceled',
  'approved',
  'max_attempts_reached',
];
const CHANNELS = ['', 'whatsapp', 'sms'];
const KINDS = ['', 'message', 'otp'];

function select(id: string, label: string, values: string[], onChange: () => void): HTMLSelectElement {
  return h(
    'select',
    { id, name: id, class: 'narrow', 'aria-label': label, onchange: onChange },
    ...values.map((v) => h('option', { value: v }, v === '' ? `any ${label.toLowerCase()}` : v)),
  );
}

export function activityFeed(onFirstData: () => void): { el: HTMLElement; refresh: () => void; stop: () => void } {
  const list = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  const older = h('button', { type: 'button', hidden: true }, 'Older');
  const filters = {
    kind: select('feed-kind', 'Kind', KINDS, () => poll.now()),
    outcome: select('feed-outcome', 'Outcome', OUTCOMES, () => poll.now()),
    channel: select('feed-channel', 'Channel', CHANNELS, () => poll.now()),
  };
  let pages = 1;
  let first = true;

  const query = (cursor?: string) => {
    const p = new URLSearchParams({ limit: '25' });
    for (const [k, el] of Object.entries(filters)) if (el.value) p.set(k, el.value);
    if (cursor) p.set('cursor', cursor);
    return `/v1/messages?${p.toString()}`;
  };

  // The newest `pages` pages again: a live refresh keeps what the operator paged to.
  const load = async () => {
    try {
      const items: FeedItem[] = [];
      let next: string | undefined;
      for (let i = 0; i < pages; i++) {
        const a: Answer = await api<Answer>(query(next));
        items.push(...a.items);
        next = a.next;
        if (!next) break;
      }
      older.hidden = !next;
      replace(
        list,
        table(
          'Recent activity',
          ['Started', 'Kind', 'Id', 'Status', 'Outcome', 'Channel', 'Provider', 'Fallbacks', 'Reference', 'Campaign'],
          items.map((i) => [
            time(i.startedAt),
            i.kind,
            i.kind === 'message' ? h('a', { href: `#/messages/${encodeURIComponent(i.id)}` }, i.id) : i.id,
            i.status ?? '—',
            i.outcome ?? 'running',
            i.channel ?? '—',
            i.provider ?? '—',
            i.fallbacks,
            i.reference ?? '—',
            i.campaignId ? h('a', { href: `#/campaigns/${encodeURIComponent(i.campaignId)}` }, i.campaignId) : '—',
          ]),
          { empty: 'Nothing sent yet matches these filters.' },
        ),
      );
    } catch (err) {
      replace(list, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
    if (first) {
      first = false;
      onFirstData();
    }
  };
  const poll = every(10_000, load);
  older.addEventListener('click', () => {
    pages++;
    poll.now();
  });

  // Bursts of events (a campaign) refresh at most once a second.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      poll.now();
    }, 1_000);
  };

  return {
    el: h(
      'section',
      { 'aria-labelledby': 'feed-title', class: 'feed' },
      h('h2', { id: 'feed-title' }, 'Activity'),
      h('div', { class: 'row' }, filters.kind, filters.outcome, filters.channel),
      list,
      older,
    ),
    refresh,
    stop: () => {
      clearTimeout(pending);
      poll.stop();
    },
  };
}
