// Creating a campaign on the server side (row, streamed recipient import into PostgreSQL,
// workflow start): the REST API calls it, tests and benchmarks too. The SDK and the CLI do not:
// they post to the REST API, which lands here.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { importRecipients, type ImportResult, type RowOptions, type SourceRow } from '../campaigns/import.js';
import { ImportLimitError } from '../campaigns/limits.js';
import { CampaignExistsError } from '../client/campaign-errors.js';
import { failCampaign, insertCampaign, setCampaignStatus } from '../db/campaigns.js';
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
    args: [input],
    workflowId: input.campaignId,
    taskQueue,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

export interface CreatedCampaign extends ImportResult {
  id: string;
}

const isUniqueViolation = (err: unknown) =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';

/** The workflow input of a stored campaign: what `temporal workflow start --type campaign` takes. */
export function campaignWorkflowInput(id: string, spec: CampaignSpec): CampaignInput {
  const { concurrency, pageSize, quietHours, historyLimit } = spec;
  return { campaignId: id, concurrency, pageSize, quietHours, historyLimit };
}

/** What a failed import records as the campaign's reason: the limit's message, else the error's first line. */
function failureReason(err: unknown): string {
  if (err instanceof ImportLimitError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  return `import failed: ${message.split('\n')[0]!.slice(0, 300)}`;
}

export interface CreateOptions extends Pick<RowOptions, 'region' | 'maxRows'> {
  start?: boolean;
  /** Rows per insert (tests use a small one). */
  batchSize?: number;
}

/**
 * Stores the campaign, imports its recipients (streamed), then starts the workflow. With
 * `start: false` the campaign is left `ready` for any Temporal client to start (workflow id = campaign id).
 * An import that throws (a limit, a dropped upload, a database error) leaves the campaign `failed`
 * with its reason, then rethrows.
 */
export async function createCampaign(
  deps: { pool: Pool; temporal: Client; taskQueue: string },
  spec: CampaignSpec,
  rows: AsyncIterable<SourceRow>,
  id = newCampaignId(),
  opts: CreateOptions = {},
): Promise<CreatedCampaign> {
  const { name, concurrency, pageSize, quietHours, timeZone, historyLimit, ...template } = spec;
  await insertCampaign(deps.pool, {
    id,
    name,
    template,
    settings: { concurrency, pageSize, quietHours, timeZone },
  }).catch((err: unknown) => {
    throw isUniqueViolation(err) ? new CampaignExistsError(id) : err;
  });
  let result: ImportResult;
  try {
    result = await importRecipients(deps.pool, id, rows, {
      region: opts.region,
      maxRows: opts.maxRows,
      batchSize: opts.batchSize,
    });
  } catch (err) {
    // Best effort: when the database itself is gone the original error matters more.
    await failCampaign(deps.pool, id, failureReason(err)).catch(() => undefined);
    throw err;
  }
  if (result.imported === 0) {
    await setCampaignStatus(deps.pool, id, 'empty');
    return { id, ...result };
  }
  if (opts.start === false) {
    await setCampaignStatus(deps.pool, id, 'ready');
    return { id, ...result };
  }
  await startCampaignWorkflow(
    deps.temporal,
    { campaignId: id, concurrency, pageSize, quietHours, historyLimit },
    deps.taskQueue,
  );
  return { id, ...result };
}
