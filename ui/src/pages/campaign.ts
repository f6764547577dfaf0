/// <reference lib="dom" />
// One campaign, live: progress, counts per outcome and provider, fallback rate, sends per minute
// against the provider cap, pause / resume / cancel, CSV export, and its recipients.
import type { CampaignProgress } from '../../../workflows/campaign-types.js';
import { api, download } from '../api.js';
import { sendsChart } from '../chart.js';
import { h, pct, replace, table, time } from '../dom.js';
import { every, type Page, type PageContext } from '../page.js';

// `failed`: the import stopped (a limit, a dropped upload); failureReason says why.
type Progress = Omit<CampaignProgress, 'state'> & {
  name: string;
  state: CampaignProgress['state'] | 'failed';
  failureReason?: string;
};
interface Rate {
  minutes: Array<{ minute: string; provider: string; sends: number }>;
  capsPerMinute: Record<string, number>;
}
interface Recipient {
  recipient_id: number;
  phone: string;
  status: string;
  outcome: string | null;
  provider: string | null;
  fallback_used: boolean;
  updated_at: string;
}

const FINAL = new Set(['completed', 'canceled', 'failed']);

export function campaignPage(ctx: PageContext, id: string): Page {
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  const title = h('h1', {}, `Campaign ${id}`);
  const status = h('p', { role: 'status', class: 'action-status' });
  const summary = h('div', {}, h('p', {}, 'Loading…'));
  const counts = h('div', { class: 'grid' });
  const chart = h('figure', { class: 'card' }, h('figcaption', {}, 'Sends per minute'));
  const recipients = h('div');
  const filter = h(
    'select',
    { id: 'recipient-status' },
    ...[
      'all',
      'fell_back',
      'read',
      'delivered',
      'sent',
      'failed',
      'invalid_number',
      'pending',
      'not_sent',
      'suppressed',
    ].map((s) => h('option', { value: s }, s)),
  );
  let state = '';

  const buttons = {
    pause: h('button', { type: 'button', id: 'pause' }, 'Pause'),
    resume: h('button', { type: 'button', id: 'resume' }, 'Resume'),
    cancel: h('button', { type: 'button', id: 'cancel', class: 'danger' }, 'Cancel'),
  };
  const exportButton = h('button', { type: 'button', id: 'export' }, 'Export results (CSV)');
  function enable(): void {
    const final = FINAL.has(state);
    buttons.pause.disabled = final || state !== 'running';
    buttons.resume.disabled = final || state !== 'paused';
    buttons.cancel.disabled = final || state === 'canceling';
  }
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    buttons[action].addEventListener('click', () => {
      if (action === 'cancel' && !confirm('Cancel this campaign? Messages in flight finish; the rest are not sent.'))
        return;
      buttons[action].disabled = true;
      status.textContent = `${action}: sending…`;
      void api(`${path}/${action}`, { method: 'POST' }).then(
        () => {
          status.textContent = `${action}: accepted`;
          progress.now();
        },
        (err: unknown) => {
          status.textContent = `${action} failed: ${err instanceof Error ? err.message : String(err)}`;
          enable();
        },
      );
    });
  }
  exportButton.addEventListener('click', () => {
    void download(`${path}/export.csv`, `${id}.csv`).catch((err: unknown) => {
      status.textContent = `export failed: ${err instanceof Error ? err.message : String(err)}`;
    });
  });

  function render(p: Progress): void {
    state = p.state;
    title.textContent = `Campaign ${p.name}`;
    if (p.failureReason) status.textContent = `import failed: ${p.failureReason}`;
    const finished = p.total - p.pending; // pending includes in-flight and held recipients
    const done = p.total ? Math.max(0, finished) / p.total : 0;
    replace(
      summary,
      h(
        'div',
        { class: 'progress-line' },
        h('label', { for: 'campaign-progress' }, 'Progress'),
        h('progress', {
          id: 'campaign-progress',
          max: 100,
          value: Math.round(done * 100),
          'aria-valuetext': `${pct(done)} (${Math.max(0, finished)} of ${p.total})`,
        }),
        h(
          'output',
          { id: 'progress-text', for: 'campaign-progress' },
          `${pct(done)} · ${Math.max(0, finished)} of ${p.total}`,
        ),
      ),
      h(
        'dl',
        { class: 'facts summary' },
        h('dt', {}, 'State'),
        h('dd', { id: 'campaign-state', 'data-state': p.state }, p.state),
        h('dt', {}, 'In flight'),
        h('dd', {}, p.inFlight),
        h('dt', {}, 'Held (quiet hours)'),
        h('dd', {}, p.held),
        h('dt', {}, 'Fallback rate'),
        h('dd', { id: 'fallback-rate' }, finished > 0 ? `${pct(p.fallbackUsed / finished)} (${p.fallbackUsed})` : '—'),
      ),
    );
    replace(
      counts,
      table(
        'Outcomes',
        ['Outcome', 'Recipients'],
        Object.entries(p.counts)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => [k, n]),
      ),
      table(
        'By provider',
        ['Provider', 'Recipients'],
        Object.entries(p.byProvider).map(([k, n]) => [k, n]),
        { empty: 'No provider outcome yet.' },
      ),
    );
    enable();
  }

  async function loadRecipients(): Promise<void> {
    const s = filter.value;
    const { recipients: rows } = await api<{ recipients: Recipient[] }>(
      `${path}/recipients?limit=100${s === 'all' ? '' : `&status=${s}`}`,
    );
    replace(
      recipients,
      table(
        'Recipients (first 100)',
        ['#', 'Phone', 'Status', 'Provider', 'Fell back', 'Updated', 'Timeline'],
        rows.map((r) => [
          r.recipient_id,
          r.phone,
          r.status,
          r.provider ?? '—',
          r.fallback_used ? 'yes' : 'no',
          time(r.updated_at),
          r.status === 'pending'
            ? '—'
            : h(
                'a',
                {
                  href: `#/messages/${encodeURIComponent(`${id}:${r.recipient_id}`)}`,
                  'aria-label': `Timeline of recipient ${r.recipient_id}`,
                },
                'Timeline',
              ),
        ]),
      ),
    );
  }
  filter.addEventListener('change', () => void loadRecipients());

  async function loadRate(): Promise<void> {
    const r = await api<Rate>(`/v1/ui/campaigns/${encodeURIComponent(id)}/rate`);
    const perMinute = new Map<string, number>();
    for (const m of r.minutes) perMinute.set(m.minute, (perMinute.get(m.minute) ?? 0) + m.sends);
    // The cap line is the busiest provider's (the one pacing the campaign); the caption lists every cap.
    const sendsBy = new Map<string, number>();
    for (const m of r.minutes) sendsBy.set(m.provider, (sendsBy.get(m.provider) ?? 0) + m.sends);
    const busiest = [...sendsBy].sort((a, b) => b[1] - a[1])[0]?.[0];
    const cap = busiest !== undefined ? r.capsPerMinute[busiest] : undefined;
    const caps = Object.entries(r.capsPerMinute)
      .map(([p, c]) => `${p} ${c}/min`)
      .join(', ');
    const peak = Math.max(1, ...perMinute.values());
    replace(
      chart,
      h('figcaption', {}, 'Sends per minute'),
      h(
        'p',
        { class: 'help' },
        caps
          ? `Provider caps: ${caps}.${cap !== undefined && cap > peak * 4 ? ` The ${busiest ?? ''} cap is far above these sends, so its line is not drawn.` : cap !== undefined ? ` Dashed line: the ${busiest ?? ''} cap.` : ''}`
          : 'No provider cap configured.',
      ),
      sendsChart(
        [...perMinute].map(([minute, sends]) => ({ minute, sends })),
        cap,
      ),
    );
  }

  let tick = 0;
  /** Polls left: unbounded while running; once final, a couple more catch late outcomes. */
  let remaining = Infinity;
  let askedDb = false;
  const progress = every(2_000, async () => {
    if (remaining <= 0) return;
    try {
      // First look: a finished campaign renders from PostgreSQL at once (no workflow replay);
      // a running one is asked live (pause state, in flight) from then on.
      let p: Progress | undefined;
      if (!askedDb) {
        askedDb = true;
        const s = await api<Progress & { final: boolean }>(`/v1/ui/campaigns/${encodeURIComponent(id)}/summary`);
        if (s.final) {
          p = s;
          remaining = 1;
        }
      }
      p ??= await api<Progress>(path);
      render(p);
      if (FINAL.has(p.state)) remaining = Math.min(remaining, 3);
      ctx.rendered();
    } catch (err) {
      replace(summary, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
      ctx.rendered();
    }
    remaining--;
    if (tick++ % 3 === 0 || remaining < 3) await Promise.all([loadRecipients(), loadRate()]).catch(() => undefined);
  });

  return {
    el: h(
      'section',
      {},
      h('p', {}, h('a', { href: '#/campaigns' }, '← Campaigns')),
      title,
      h(
        'div',
        { class: 'row actions', role: 'group', 'aria-label': 'Campaign controls' },
        buttons.pause,
        buttons.resume,
        buttons.cancel,
        exportButton,
      ),
      status,
      summary,
      counts,
      chart,
      h('div', { class: 'field inline' }, h('label', { for: 'recipient-status' }, 'Show recipients'), filter),
      recipients,
    ),
    onEvent: (e) => {
      if (e.data.campaignId === id) {
        remaining = Math.max(remaining, 1);
        progress.now();
      }
    },
    dispose: () => progress.stop(),
  };
}
