/// <reference lib="dom" />
// Campaigns: the list, and starting one from a CSV: a dry run first shows the rows that would be
// refused, then the same file and settings start the campaign.
import { api, ApiError } from '../api.js';
import { h, replace, table, time } from '../dom.js';
import { every, type Page, type PageContext } from '../page.js';

interface Row {
  id: string;
  name: string;
  status: string;
  created_at: string;
  total: number;
  counters: { byStatus?: Record<string, number>; fallbackUsed?: number };
}
interface ImportAnswer {
  imported: number;
  rejected: Array<{ line: number; reason: string }>;
  rejectedCount: number;
  id?: string;
  message?: string;
}

const DEFAULT_STEPS = JSON.stringify(
  [
    { channel: 'whatsapp', provider: 'wappin', template: 'promo', params: ['default'] },
    { channel: 'sms', provider: 'sms-masking', text: 'Hi {{1}}, promo inside' },
  ],
  null,
  2,
);

function field(id: string, label: string, input: HTMLElement, help?: string): HTMLElement {
  if (help) input.setAttribute('aria-describedby', `${id}-help`);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    help ? h('p', { id: `${id}-help`, class: 'help' }, help) : null,
  );
}

function uploadForm(): HTMLElement {
  const file = h('input', { id: 'csv', name: 'csv', type: 'file', accept: '.csv,text/csv', required: true });
  const name = h('input', { id: 'campaign-name', name: 'name', required: true, maxlength: 200 });
  const steps = h('textarea', { id: 'steps', name: 'steps', rows: 7, spellcheck: 'false' }, DEFAULT_STEPS);
  const fallback = h('input', { id: 'fallback', name: 'fallback', placeholder: '{"notDeliveredWithin":"5 minutes"}' });
  const concurrency = h('input', {
    id: 'concurrency',
    name: 'concurrency',
    type: 'number',
    min: 1,
    max: 500,
    value: 50,
  });
  const preview = h('div', { id: 'preview', 'aria-live': 'polite' });
  const start = h('button', { type: 'button', id: 'start-campaign', disabled: true }, 'Start campaign');
  const check = h('button', { type: 'submit' }, 'Check file');

  function url(dryRun: boolean): string {
    const q = new URLSearchParams({
      name: name.value.trim(),
      steps: steps.value,
      concurrency: concurrency.value || '50',
    });
    if (fallback.value.trim()) q.set('fallback', fallback.value.trim());
    if (dryRun) q.set('dryRun', 'true');
    return `/v1/campaigns?${q.toString()}`;
  }
  async function post(dryRun: boolean): Promise<ImportAnswer> {
    const body = await file.files?.[0]?.text();
    if (body === undefined) throw new Error('choose a CSV file');
    try {
      return await api<ImportAnswer>(url(dryRun), { method: 'POST', body, headers: { 'content-type': 'text/csv' } });
    } catch (err) {
      // 422: no valid row at all; the answer still lists the refused rows.
      if (
        err instanceof ApiError &&
        err.status === 422 &&
        typeof err.body === 'object' &&
        err.body !== null &&
        'rejected' in err.body
      )
        return err.body as ImportAnswer;
      throw err;
    }
  }
  function showRejected(a: ImportAnswer, lead: string): void {
    replace(
      preview,
      h(
        'p',
        { id: 'preview-summary' },
        `${lead}: ${a.imported} valid recipient${a.imported === 1 ? '' : 's'}, ${a.rejectedCount} row${a.rejectedCount === 1 ? '' : 's'} refused.`,
      ),
      a.rejectedCount
        ? table(
            'Rows that will not be sent',
            ['Line', 'Reason'],
            a.rejected.map((r) => [r.line, r.reason]),
          )
        : null,
    );
  }
  const form = h(
    'form',
    { class: 'card upload', 'aria-labelledby': 'upload-title' },
    h('h2', { id: 'upload-title' }, 'Start a campaign from a CSV'),
    field(
      'csv',
      'Recipients CSV',
      file,
      'Columns: phone, then params (a JSON array) or param1…paramN, optional time_zone.',
    ),
    field('campaign-name', 'Campaign name', name),
    field('steps', 'Message steps (JSON)', steps, 'Ordered steps; {{1}} in a text is the row’s first parameter.'),
    field('fallback', 'Fallback rule (JSON, optional)', fallback),
    field('concurrency', 'Messages in flight at once', concurrency),
    h('div', { class: 'row' }, check, start),
    preview,
  );
  for (const el of [file, name, steps, fallback, concurrency])
    el.addEventListener('input', () => {
      start.disabled = true;
    });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    replace(preview, h('p', {}, 'Checking…'));
    void post(true).then(
      (a) => {
        showRejected(a, 'Preview');
        start.disabled = a.imported === 0;
        if (!start.disabled) start.focus();
      },
      (err: unknown) =>
        replace(preview, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err))),
    );
  });
  start.addEventListener('click', () => {
    start.disabled = true;
    void post(false).then(
      (a) => {
        if (a.id && a.imported > 0) location.hash = `#/campaigns/${encodeURIComponent(a.id)}`;
        else showRejected(a, 'Not started');
      },
      (err: unknown) =>
        replace(preview, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err))),
    );
  });
  return form;
}

export function campaignsPage(ctx: PageContext): Page {
  const list = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  const poll = every(5_000, async () => {
    try {
      const { campaigns } = await api<{ campaigns: Row[] }>('/v1/ui/campaigns');
      replace(
        list,
        table(
          'Campaigns, newest first',
          ['Name', 'Status', 'Recipients', 'Finished', 'Fell back', 'Created'],
          campaigns.map((c) => {
            const by = c.counters.byStatus ?? {};
            const finished = Object.entries(by)
              .filter(([k]) => k !== 'pending')
              .reduce((n, [, v]) => n + v, 0);
            return [
              h('a', { href: `#/campaigns/${encodeURIComponent(c.id)}` }, c.name),
              c.status,
              c.total,
              finished,
              c.counters.fallbackUsed ?? 0,
              time(c.created_at),
            ];
          }),
          { empty: 'No campaign yet: start one below.' },
        ),
      );
    } catch (err) {
      replace(list, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
    ctx.rendered();
  });
  return {
    el: h('section', {}, h('h1', {}, 'Campaigns'), list, uploadForm()),
    onEvent: (e) => {
      if (e.type.startsWith('campaign.')) poll.now();
    },
    dispose: () => poll.stop(),
  };
}
