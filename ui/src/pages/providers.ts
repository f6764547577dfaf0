/// <reference lib="dom" />
// Providers: sandbox or live, balance where the provider reports one, the last error, the cap,
// and callback ingest (rate over the last minutes, relay lag, ingest lag), and dead callbacks.
import { api } from '../api.js';
import { h, replace, table, time } from '../dom.js';
import { every, type Page, type PageContext } from '../page.js';
import { deadCallbacksTable } from './dead-callbacks.js';

interface Provider {
  name: string;
  mode: string;
  channels: string[];
  capPerSecond: number | null;
  circuit: { state: string; failures: number; openedAt: string | null };
  balance: { amount: number; unit: string } | null;
  lastError: string | null;
  callbacks: {
    perMinute: number;
    lastReceivedAt: string | null;
    unrelayed: number;
    avgRelayLagSeconds: number | null;
    avgIngestLagSeconds: number | null;
  };
}

const secs = (s: number | null) => (s === null ? '—' : s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(1)} s`);

export function providersPage(ctx: PageContext): Page {
  const body = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  const poll = every(10_000, async () => {
    try {
      const [a, dead] = await Promise.all([
        api<{ windowSeconds: number; providers: Provider[] }>('/v1/ui/providers'),
        deadCallbacksTable(),
      ]);
      replace(
        body,
        table(
          'Providers',
          ['Provider', 'Mode', 'Channels', 'Cap (sends/s)', 'Circuit', 'Balance', 'Last error'],
          a.providers.map((p) => [
            p.name,
            h('span', { class: `badge ${p.mode}` }, p.mode),
            p.channels.join(', '),
            p.capPerSecond ?? '—',
            p.circuit.state === 'closed'
              ? 'closed'
              : h('span', { class: 'error' }, `${p.circuit.state} (${p.circuit.failures} failures)`),
            p.balance ? `${p.balance.amount} ${p.balance.unit}` : 'not reported',
            p.lastError ? h('span', { class: 'error' }, p.lastError) : 'none',
          ]),
        ),
        table(
          `Callbacks (last ${Math.round(a.windowSeconds / 60)} minutes)`,
          [
            'Provider',
            'Per minute',
            'Last received',
            'Not yet relayed',
            'Relay lag (avg)',
            'Ingest lag (avg, this API process)',
          ],
          a.providers.map((p) => [
            p.name,
            p.callbacks.perMinute.toFixed(1),
            time(p.callbacks.lastReceivedAt),
            p.callbacks.unrelayed,
            secs(p.callbacks.avgRelayLagSeconds),
            secs(p.callbacks.avgIngestLagSeconds),
          ]),
        ),
        dead,
      );
    } catch (err) {
      replace(body, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
    ctx.rendered();
  });
  return { el: h('section', {}, h('h1', {}, 'Providers'), body), dispose: () => poll.stop() };
}
