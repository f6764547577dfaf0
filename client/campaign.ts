// Campaigns from the typed client: recipients are imported into PostgreSQL (they never travel in
// workflow input), then the campaign workflow starts; a handle reads progress and controls it.
import { createReadStream } from 'node:fs';
import { WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { arrayRows, csvRows, type Rejected, type SourceRow } from '../campaigns/import.js';
import type { Pool } from '../db/pool.js';
import { campaignSpecSchema, type CampaignSpecRaw } from '../schemas/campaign.js';
import type { CampaignProgress } from '../workflows/campaign-types.js';
import { campaignProgressQuery, cancelCampaignSignal, pauseCampaignSignal, resumeCampaignSignal } from '../workflows/messages.js';
import { parseOrThrow } from './errors.js';
import { createCampaign, newCampaignId } from '../app/campaigns.js';

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

/** No row of the source was a valid recipient; `rejected` says why (line and reason). */
export class CampaignEmptyError extends Error {
  constructor(readonly id: string, readonly rejected: Rejected[], readonly rejectedCount: number) {
    super(`no row was a valid recipient (${rejectedCount} rejected${rejected[0] ? `; line ${rejected[0].line}: ${rejected[0].reason}` : ''})`);
    this.name = 'CampaignEmptyError';
  }
}

/** The campaign has no workflow (unknown id, or imported but never started). */
export class CampaignNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`campaign ${id} is not running or does not exist`);
    this.name = 'CampaignNotFoundError';
  }
}

/** startCampaign needs PostgreSQL (where recipients live): pass `databaseUrl` or set DATABASE_URL. */
export class DatabaseRequiredError extends Error {
  constructor() {
    super('campaigns need the database: pass databaseUrl to Kurir.connect or set DATABASE_URL');
    this.name = 'DatabaseRequiredError';
  }
}

async function* objectRows(rows: Iterable<unknown> | AsyncIterable<unknown>): AsyncGenerator<SourceRow> {
  let line = 0;
  for await (const row of rows) yield { line: ++line, row };
}

function sourceRows(recipients: CampaignRecipients): AsyncIterable<SourceRow> {
  if ('csvPath' in recipients) return csvRows(createReadStream(recipients.csvPath));
  if ('csv' in recipients) return csvRows(recipients.csv);
  if (Array.isArray(recipients)) return arrayRows(recipients);
  return objectRows(recipients);
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
  progress(): Promise<CampaignProgress> { return known(this.id, () => this.handle.query(campaignProgressQuery)); }
  /** No new sends until resume; messages in flight finish. */
  pause(): Promise<void> { return known(this.id, () => this.handle.signal(pauseCampaignSignal)); }
  resume(): Promise<void> { return known(this.id, () => this.handle.signal(resumeCampaignSignal)); }
  /** No new sends, in-flight ones finish, the rest are recorded not_sent; result() then says `canceled`. */
  cancel(reason?: string): Promise<void> { return known(this.id, () => this.handle.signal(cancelCampaignSignal, { reason })); }
  /** The final progress, once every recipient is final (through continue-as-new runs). */
  async result(): Promise<CampaignProgress> {
    return known(this.id, async () => {
      try {
        return await this.handle.result() as CampaignProgress;
      } catch (err) {
        if (err instanceof WorkflowFailedError) throw new Error(`campaign ${this.id} failed: ${err.cause?.message ?? err.message}`, { cause: err });
        throw err;
      }
    });
  }
}

/** Validates the spec, imports the recipients, starts the workflow (unless start is false). */
export async function startCampaignFromClient(
  deps: { pool: () => Pool; temporal: Client; taskQueue: string },
  spec: CampaignSpecRaw, recipients: CampaignRecipients, opts: StartCampaignOptions = {},
): Promise<CampaignHandle> {
  const parsed = parseOrThrow(campaignSpecSchema, spec);
  const id = opts.id ?? newCampaignId();
  const created = await createCampaign({ pool: deps.pool(), temporal: deps.temporal, taskQueue: deps.taskQueue }, parsed, sourceRows(recipients), id, { start: opts.start });
  if (created.imported === 0) throw new CampaignEmptyError(id, created.rejected, created.rejectedCount);
  const { imported, rejected, rejectedCount } = created;
  return new CampaignHandle(id, deps.temporal.workflow.getHandle(id), { imported, rejected, rejectedCount });
}
