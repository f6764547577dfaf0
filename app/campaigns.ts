// Creating a campaign on the server side (row, streamed recipient import into PostgreSQL,
// workflow start): the REST API and the CLI call it, tests and benchmarks too. The SDK does not:
// it posts to the REST API, which lands here.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Client } from '@temporalio/client';
import { csvRows, importRecipients, type ImportResult, type SourceRow } from '../campaigns/import.js';
import { CampaignEmptyError, CampaignExistsError } from '../client/campaign-errors.js';
import { insertCampaign, setCampaignStatus } from '../db/campaigns.js';
import type { Pool } from '../db/pool.js';
import type { CampaignSpec } from '../schemas/campaign.js';
import type { CampaignInput } from '../workflows/campaign-types.js';
import { CAMPAIGN_WORKFLOW_TYPE } from '../workflows/messages.js';

export function newCampaignId(): string {
  return `cmp_${randomUUID()}`;
}

/** Starts (or attaches to) the campaign workflow; its id is the campaign id. */
export async function startCampaignWorkflow(temporal: Client, input: CampaignInput, taskQueue: string) {
  return temporal.workflow.start(CAMPAIGN_WORKFLOW_TYPE, {
    args: [input], workflowId: input.campaignId, taskQueue, workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

export interface CreatedCampaign extends ImportResult { id: string }

const isUniqueViolation = (err: unknown) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';

/** The workflow input of a stored campaign: what `temporal workflow start --type campaign` takes. */
export function campaignWorkflowInput(id: string, spec: CampaignSpec): CampaignInput {
  const { concurrency, pageSize, quietHours, historyLimit } = spec;
  return { campaignId: id, concurrency, pageSize, quietHours, historyLimit };
}

/**
 * Stores the campaign, imports its recipients (streamed), then starts the workflow. With
 * `start: false` the campaign is left `ready` for any Temporal client to start (workflow id = campaign id).
 */
export async function createCampaign(deps: { pool: Pool; temporal: Client; taskQueue: string }, spec: CampaignSpec, rows: AsyncIterable<SourceRow>, id = newCampaignId(), opts: { start?: boolean } = {}): Promise<CreatedCampaign> {
  const { name, concurrency, pageSize, quietHours, timeZone, historyLimit, ...template } = spec;
  await insertCampaign(deps.pool, { id, name, template, settings: { concurrency, pageSize, quietHours, timeZone } }).catch((err: unknown) => {
    throw isUniqueViolation(err) ? new CampaignExistsError(id) : err;
  });
  const result = await importRecipients(deps.pool, id, rows);
  if (result.imported === 0) {
    await setCampaignStatus(deps.pool, id, 'empty');
    return { id, ...result };
  }
  if (opts.start === false) {
    await setCampaignStatus(deps.pool, id, 'ready');
    return { id, ...result };
  }
  await startCampaignWorkflow(deps.temporal, { campaignId: id, concurrency, pageSize, quietHours, historyLimit }, deps.taskQueue);
  return { id, ...result };
}

/** The CLI's start: a CSV file read here and imported straight into PostgreSQL; no valid row is an error. */
export async function createCampaignFromCsvFile(deps: { pool: Pool; temporal: Client; taskQueue: string }, spec: CampaignSpec, path: string, id = newCampaignId(), opts: { start?: boolean } = {}): Promise<CreatedCampaign> {
  const created = await createCampaign(deps, spec, csvRows(createReadStream(path)), id, opts);
  if (created.imported === 0) throw new CampaignEmptyError(id, created.rejected, created.rejectedCount);
  return created;
}
