// Campaigns from the SDK: created through the REST API (recipients go to the deployment's
// PostgreSQL, which only the server reaches; they never travel in workflow input), then read and
// controlled through Temporal (progress query, pause/resume/cancel signals, the workflow result).
import { createReadStream } from 'node:fs';
import { WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { campaignSpecSchema, type CampaignSpecRaw } from '../schemas/campaign.js';
import type { CampaignProgress } from '../workflows/campaign-types.js';
import {
  campaignProgressQuery,
  cancelCampaignSignal,
  pauseCampaignSignal,
  resumeCampaignSignal,
} from '../workflows/messages.js';
import { CampaignEmptyError, CampaignExistsError, CampaignNotFoundError, type Rejected } from './campaign-errors.js';
import { KurirValidationError, parseOrThrow } from './errors.js';
import { apiError, restCall, type RestTarget } from './rest.js';

/** One recipient: E.164 (or national, read as Indonesian) phone, template params, IANA time zone. */
export interface CampaignRecipientInput {
  phone: string;
  params?: Array<string | number>;
  time_zone?: string;
  /** param1..paramN, as CSV columns. */
  [param: `param${number}`]: string | number | undefined;
}

/** Recipients in memory or streamed, or a CSV file / stream (columns phone, param1..N or params, time_zone). */
export type CampaignRecipients =
  | Iterable<CampaignRecipientInput>
  | AsyncIterable<CampaignRecipientInput>
  | { csvPath: string }
  | { csv: AsyncIterable<string | Buffer> };

export interface StartCampaignOptions {
  id?: string;
  /** false: import only, leaving the campaign `ready` for another Temporal client to start. */
  start?: boolean;
}

/** Maps "no such workflow" to the typed error; everything else passes through. */
async function known<T>(id: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CampaignNotFoundError(id);
    throw err;
  }
}

export class CampaignHandle {
  constructor(
    readonly id: string,
    private readonly handle: WorkflowHandle,
    /** Set by startCampaign: how the import went. */
    readonly imported?: { imported: number; rejected: Rejected[]; rejectedCount: number },
  ) {}

  /** Counts per status, per provider, fallbacks, in flight, held by quiet hours. */
  progress(): Promise<CampaignProgress> {
    return known(this.id, () => this.handle.query(campaignProgressQuery));
  }
  /** No new sends until resume; messages in flight finish. */
  pause(): Promise<void> {
    return known(this.id, () => this.handle.signal(pauseCampaignSignal));
  }
  resume(): Promise<void> {
    return known(this.id, () => this.handle.signal(resumeCampaignSignal));
  }
  /** No new sends, in-flight ones finish, the rest are recorded not_sent; result() then says `canceled`. */
  cancel(reason?: string): Promise<void> {
    return known(this.id, () => this.handle.signal(cancelCampaignSignal, { reason }));
  }
  /** The final progress, once every recipient is final (through continue-as-new runs). */
  async result(): Promise<CampaignProgress> {
    return known(this.id, async () => {
      try {
        return (await this.handle.result()) as CampaignProgress;
      } catch (err) {
        if (err instanceof WorkflowFailedError)
          throw new Error(`campaign ${this.id} failed: ${err.cause?.message ?? err.message}`, { cause: err });
        throw err;
      }
    });
  }
}

/** The most recipients POST /v1/campaigns takes in a JSON body; more are sent as a CSV stream. */
const JSON_LIMIT = 10_000;

type Body = { json: CampaignRecipientInput[] } | { csv: AsyncIterable<Uint8Array>; lineOffset: number };

async function* bytes(source: AsyncIterable<string | Buffer | Uint8Array>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for await (const chunk of source) yield typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** Recipient objects as CSV lines (phone, time_zone, params as a JSON array cell: what the importer reads). */
async function* csvOf(
  head: CampaignRecipientInput[],
  rest: AsyncIterator<CampaignRecipientInput>,
): AsyncGenerator<string> {
  yield 'phone,time_zone,params\n';
  const line = (r: CampaignRecipientInput) => {
    const numbered = Object.keys(r)
      .filter((k) => /^param\d+$/.test(k))
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    const last = numbered.length ? Number(numbered.at(-1)!.slice(5)) : 0;
    const params = r.params ?? (last ? Array.from({ length: last }, (_, i) => r[`param${i + 1}`] ?? '') : undefined);
    return `${[String(r.phone ?? ''), r.time_zone ?? '', params ? JSON.stringify(params.map(String)) : ''].map(csvCell).join(',')}\n`;
  };
  for (const r of head) yield line(r);
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield line(next.value);
}

function iteratorOf(
  recipients: Iterable<CampaignRecipientInput> | AsyncIterable<CampaignRecipientInput>,
): AsyncIterator<CampaignRecipientInput> | Iterator<CampaignRecipientInput> {
  return Symbol.asyncIterator in recipients ? recipients[Symbol.asyncIterator]() : recipients[Symbol.iterator]();
}

/** Up to JSON_LIMIT recipients go as JSON; a larger source streams as CSV without being held in memory. */
async function bodyOf(recipients: CampaignRecipients): Promise<Body> {
  if ('csvPath' in recipients) return { csv: bytes(createReadStream(recipients.csvPath)), lineOffset: 0 };
  if ('csv' in recipients) return { csv: bytes(recipients.csv), lineOffset: 0 };
  const it = iteratorOf(recipients);
  const head: CampaignRecipientInput[] = [];
  for (let next = await it.next(); !next.done; next = await it.next()) {
    head.push(next.value);
    if (head.length > JSON_LIMIT) {
      const rest: AsyncIterator<CampaignRecipientInput> = { next: async () => it.next() };
      // The CSV header is line 1: the importer's lines are one past the recipient's position.
      return { csv: bytes(csvOf(head, rest)), lineOffset: -1 };
    }
  }
  return { json: head };
}

/** The settings as query parameters of a CSV upload (POST /v1/campaigns with text/csv). */
function csvQuery(spec: CampaignSpecRaw): Record<string, string | undefined> {
  for (const key of ['pollAfter', 'pollMax'] as const) {
    if (spec[key] !== undefined)
      throw new KurirValidationError(key, 'cannot be set for a CSV upload; pass the recipients as objects', []);
  }
  const str = (v: string | number | boolean | undefined) => (v === undefined ? undefined : String(v));
  return {
    name: spec.name,
    steps: JSON.stringify(spec.steps),
    fallback: spec.fallback && JSON.stringify(spec.fallback),
    mode: spec.mode,
    trackFor: str(spec.trackFor),
    precheck: str(spec.precheck),
    concurrency: str(spec.concurrency),
    pageSize: str(spec.pageSize),
    historyLimit: str(spec.historyLimit),
    timeZone: spec.timeZone,
    quietStart: spec.quietHours?.start,
    quietEnd: spec.quietHours?.end,
  };
}

export interface Created {
  id: string;
  imported: number;
  rejected: Rejected[];
  rejectedCount: number;
}

function createdOf(body: Record<string, unknown>, lineOffset: number): Created {
  const rejected = ((body.rejected as Rejected[] | undefined) ?? []).map((r) => ({ ...r, line: r.line + lineOffset }));
  return {
    id: String(body.id),
    imported: Number(body.imported ?? 0),
    rejected,
    rejectedCount: Number(body.rejectedCount ?? 0),
  };
}

/**
 * Validates the spec here (typed errors before any upload), then POST /v1/campaigns: the API
 * stores the campaign, imports the recipients and starts the workflow (unless start is false).
 */
export async function startCampaignOverRest(
  deps: { rest: RestTarget; temporal: Client },
  spec: CampaignSpecRaw,
  recipients: CampaignRecipients,
  opts: StartCampaignOptions = {},
): Promise<CampaignHandle> {
  const { id, ...imported } = await createCampaignOverRest(deps.rest, spec, recipients, opts);
  return new CampaignHandle(id, deps.temporal.workflow.getHandle(id), imported);
}

/** POST /v1/campaigns alone (no Temporal client): the import's answer, or its typed error. */
export async function createCampaignOverRest(
  rest: RestTarget,
  spec: CampaignSpecRaw,
  recipients: CampaignRecipients,
  opts: StartCampaignOptions = {},
): Promise<Created> {
  parseOrThrow(campaignSpecSchema, spec);
  const body = await bodyOf(recipients);
  const query = { id: opts.id, start: opts.start === false ? 'false' : undefined };
  const answer =
    'json' in body
      ? await restCall(rest, {
          method: 'POST',
          path: '/v1/campaigns',
          query,
          body: { ...spec, recipients: body.json },
        })
      : await restCall(rest, {
          method: 'POST',
          path: '/v1/campaigns',
          query: { ...query, ...csvQuery(spec) },
          body: body.csv,
          contentType: 'text/csv',
        });
  const lineOffset = 'json' in body ? 0 : body.lineOffset;
  if (answer.status === 201) return createdOf(answer.body, lineOffset);
  if (answer.status === 422 && answer.body.error === 'no_recipients') {
    const created = createdOf(answer.body, lineOffset);
    throw new CampaignEmptyError(created.id, created.rejected, created.rejectedCount);
  }
  if (answer.status === 409 && opts.id) throw new CampaignExistsError(opts.id);
  if (answer.status === 400 && answer.body.error === 'validation_error') {
    const field = typeof answer.body.field === 'string' ? answer.body.field : 'input';
    const message = typeof answer.body.message === 'string' ? answer.body.message : 'is invalid';
    throw new KurirValidationError(
      field,
      message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message,
      [],
    );
  }
  throw apiError(answer, 'POST /v1/campaigns');
}
