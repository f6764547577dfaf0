/// <reference lib="dom" />
// Dead callbacks: stored callbacks the relay set aside because no retry can relay them (a body no
// parser reads, a value the database refuses). Shown on the providers page, newest first.
import { api } from '../api.js';
import { h, table, time } from '../dom.js';

interface DeadCallback {
  id: string;
  provider: string;
  route: string;
  receivedAt: string;
  deadAt: string;
  error: string;
  body: string;
  bodyTruncated: boolean;
}

const SHOWN = 20;
const BODY_CHARS = 200;

export async function deadCallbacksTable(): Promise<HTMLElement> {
  const dead = await api<{ items: DeadCallback[] }>(`/v1/callbacks/dead?limit=${SHOWN}`);
  return table(
    `Dead callbacks (the newest ${SHOWN}; the relay cannot deliver them)`,
    ['Id', 'Provider', 'Route', 'Received', 'Set aside', 'Error', 'Body'],
    dead.items.map((d) => [
      d.id,
      d.provider,
      d.route,
      time(d.receivedAt),
      time(d.deadAt),
      h('span', { class: 'error' }, d.error),
      h('code', {}, d.body.length > BODY_CHARS || d.bodyTruncated ? `${d.body.slice(0, BODY_CHARS)}…` : d.body),
    ]),
    { empty: 'Dead callbacks: none. Every stored callback could be relayed.' },
  );
}
