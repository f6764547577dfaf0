// Pure helpers of the campaign workflow: quiet hours, per-recipient messages, outcome mapping.
// No Temporal, no I/O: unit-testable and deterministic in the workflow sandbox.
import type { MessageInputRaw } from '../schemas/message.js';
import type {
  CampaignCounters,
  CampaignRecipient,
  CampaignTemplate,
  RecipientOutcome,
  RecipientStatus,
} from './campaign-types.js';
import type { MessageResult } from './types.js';

const DAY_S = 86_400;

export function parseClock(value: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(value);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) : undefined;
}

/** Seconds since local midnight in `timeZone` at `now` (Intl uses the ICU data bundled with Node). */
export function localSeconds(now: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 3600 + get('minute') * 60 + get('second');
}

/** When `now` is inside the window in `timeZone`: the time (ms) the window ends. Otherwise undefined. */
export function quietUntil(now: number, timeZone: string, window: { start: string; end: string }): number | undefined {
  const start = parseClock(window.start);
  const end = parseClock(window.end);
  if (start === undefined || end === undefined || start === end) return undefined;
  const t = localSeconds(now, timeZone);
  const inside = start < end ? t >= start && t < end : t >= start || t < end;
  if (!inside) return undefined;
  const remaining = (end - t + DAY_S) % DAY_S;
  // Whole seconds: drop the milliseconds already elapsed in the current second.
  return now - (now % 1000) + remaining * 1000;
}

/** `{{1}}`…`{{n}}` in a text are the recipient's parameters. */
function fill(text: string, params: string[]): string {
  return text.replace(/\{\{(\d+)\}\}/g, (whole, n: string) => params[Number(n) - 1] ?? whole);
}

/** The message workflow input for one recipient: the recipient's parameters fill every step. */
export function messageFor(template: CampaignTemplate, r: CampaignRecipient, reference: string): MessageInputRaw {
  const params = r.params;
  const steps = template.steps.map((step) => {
    if (!params) return step;
    if (step.template) return { ...step, params };
    if (step.text) return { ...step, text: fill(step.text, params) };
    return step;
  });
  return { ...template, steps, to: r.phone, reference };
}

/** A finished message workflow as a campaign recipient's state. */
export function outcomeOf(recipientId: number, result: MessageResult): RecipientOutcome {
  const fallbackUsed = result.attempts.some((a) => a.fallback !== undefined) && result.attempts.length > 1;
  const o = result.outcome;
  const reached = o === 'read' || o === 'delivered' || o === 'sent' || o === 'accepted' || o === 'queued';
  let status: RecipientStatus;
  if (o === 'canceled') status = 'canceled';
  else if (o === 'suppressed') status = 'suppressed';
  else if (reached) status = fallbackUsed ? 'fell_back' : o === 'read' || o === 'delivered' ? o : 'sent';
  else status = o === 'invalid_number' ? 'invalid_number' : 'failed';
  return {
    recipientId,
    status,
    outcome: o,
    provider: reached ? result.deliveredBy : undefined,
    fallbackUsed,
    ...(result.attempts.length > 0 ? { attempts: result.attempts } : {}),
  };
}

export function emptyCounters(): CampaignCounters {
  return { byStatus: {}, byProvider: {}, fallbackUsed: 0 };
}

export function count(counters: CampaignCounters, o: RecipientOutcome): void {
  counters.byStatus[o.status] = (counters.byStatus[o.status] ?? 0) + 1;
  if (o.provider) counters.byProvider[o.provider] = (counters.byProvider[o.provider] ?? 0) + 1;
  if (o.fallbackUsed) counters.fallbackUsed++;
}

export { RECIPIENT_STATUSES as STATUSES } from '../domain/campaign-progress.js';
