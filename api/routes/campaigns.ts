// REST for campaigns: create (JSON body or streamed CSV), progress, pause/resume/cancel,
// recipients (paged) and a CSV export of results.
import { Readable } from 'node:stream';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { previewRecipients } from '../../campaigns/preview.js';
import { createCampaign, newCampaignId } from '../../app/campaigns.js';
import { ImportLimitError } from '../../campaigns/limits.js';
import { CampaignExistsError } from '../../client/campaign-errors.js';
import { countRecipients, getCampaign, listRecipients } from '../../db/campaigns.js';
import { campaignProgressFromCounts, RECIPIENT_STATUSES } from '../../domain/campaign-progress.js';
import type { RecipientStatus } from '../../workflows/campaign-types.js';
import {
  campaignProgressQuery,
  cancelCampaignSignal,
  pauseCampaignSignal,
  resumeCampaignSignal,
} from '../../workflows/messages.js';
import type { AppDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { readCampaignRequest } from './campaign-input.js';

const idParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be a campaign id') });
const controlParams = idParams.extend({ action: z.enum(['pause', 'resume', 'cancel']) });
const SIGNALS = { pause: pauseCampaignSignal, resume: resumeCampaignSignal } as const;

/**
 * One CSV cell. A cell a spreadsheet would run as a formula (starting with = + - @, tab or CR;
 * params come from uploaded files) gets a leading ' (OWASP CSV injection). An E.164 number
 * (+6281234567890) is left as it is: no spreadsheet runs it as a formula, and the phone column
 * stays exact.
 */
export function csvCell(v: unknown): string {
  let s = '';
  if (typeof v === 'string') s = v;
  else if (v !== null && v !== undefined) s = JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^\+\d{7,15}$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A limit that stopped an import, as the HTTP answer; the connection is closed after it. */
function limitAnswer(err: unknown): never {
  if (err instanceof ImportLimitError) throw new HttpError(err.status, err.message, err.code, 'body');
  throw err;
}

/** The campaign state when no workflow answers: the stored status, `failed` included. */
export const campaignRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  // The CSV body stays a stream: the importer reads it row by row (large files never sit in memory).
  app.addContentTypeParser('text/csv', (_req, payload, done) => {
    done(null, payload);
  });

  async function existing(id: string) {
    const c = await getCampaign(deps.pool, id);
    if (!c) throw notFound(`campaign ${id}`);
    return c;
  }

  app.post(
    '/v1/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          'Create a campaign: JSON body with recipients, or text/csv with settings in the query string; ?dryRun=true only validates',
      },
    },
    async (req, reply) => {
      const query = req.query as Record<string, string | undefined>;
      const { spec, rows } = readCampaignRequest(req.headers['content-type'], req.body, query, {
        maxBytes: deps.config.CSV_MAX_BYTES,
      });
      const rowOptions = { region: deps.config.DEFAULT_REGION, maxRows: deps.config.CSV_MAX_ROWS };
      // A refused upload may still be arriving: answer, then close the connection rather than read it all.
      const refuse = (err: unknown): never => {
        if (err instanceof ImportLimitError) reply.header('connection', 'close');
        return limitAnswer(err);
      };
      // ?dryRun=true: validate the settings and every row, store nothing (the dashboard's preview).
      if (query.dryRun === 'true')
        return reply.status(200).send({ dryRun: true, ...(await previewRecipients(rows, rowOptions).catch(refuse)) });
      // ?id= picks the campaign id (the SDK's startCampaign({ id })); ?start=false imports only.
      const id = query.id === undefined ? newCampaignId() : idParams.shape.id.safeParse(query.id).data;
      if (id === undefined)
        throw new HttpError(400, 'querystring.id: must be a campaign id', 'validation_error', 'querystring.id');
      const created = await createCampaign(
        { pool: deps.pool, temporal: deps.temporal, taskQueue: deps.config.TEMPORAL_TASK_QUEUE },
        spec,
        rows,
        id,
        { start: query.start !== 'false', ...rowOptions },
      )
        .catch((err: unknown) => {
          throw err instanceof CampaignExistsError ? new HttpError(409, err.message, 'campaign_exists') : err;
        })
        .catch(refuse);
      if (created.imported === 0)
        return reply.status(422).send({ error: 'no_recipients', message: 'no row was a valid recipient', ...created });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/v1/campaigns/:id',
    {
      schema: { tags: ['campaigns'], summary: 'Progress: counts per outcome and per provider', params: idParams },
    },
    async (req) => {
      const c = await existing(req.params.id);
      // A failed import never started a workflow: the database's view, with the reason.
      if (c.status !== 'failed') {
        try {
          return { name: c.name, ...(await deps.temporal.workflow.getHandle(c.id).query(campaignProgressQuery)) };
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError) && c.status !== 'empty')
            req.log.warn({ err }, 'progress query failed; answering from the database');
        }
      }
      // No workflow (empty or failed campaign) or no worker to answer: the database's view.
      const counts = await countRecipients(deps.pool, c.id);
      const progress = campaignProgressFromCounts(c, counts);
      const failed = c.status === 'failed' ? { status: 'failed', failureReason: c.failure_reason } : {};
      return { name: c.name, ...failed, ...progress };
    },
  );

  app.post(
    '/v1/campaigns/:id/:action',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'pause | resume | cancel (cancel lets in-flight messages finish and records the rest not_sent)',
        params: controlParams,
      },
    },
    async (req, reply) => {
      const c = await existing(req.params.id);
      try {
        const handle = deps.temporal.workflow.getHandle(c.id);
        if (req.params.action === 'cancel') await handle.signal(cancelCampaignSignal, {});
        else await handle.signal(SIGNALS[req.params.action]);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw notFound(`running campaign ${c.id}`);
        throw err;
      }
      return reply.status(202).send({ id: c.id, accepted: req.params.action });
    },
  );

  app.get(
    '/v1/campaigns/:id/recipients',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Recipients and their outcomes, paged by recipient id',
        params: idParams,
        querystring: z.object({
          status: z.enum(RECIPIENT_STATUSES as [RecipientStatus, ...RecipientStatus[]]).optional(),
          limit: z.coerce.number().int().min(1).max(1_000).default(100),
          after: z.coerce.number().int().min(0).default(0),
        }),
      },
    },
    async (req) => {
      await existing(req.params.id);
      const rows = await listRecipients(deps.pool, req.params.id, req.query);
      const last = rows[rows.length - 1];
      return { recipients: rows, next: rows.length === req.query.limit && last ? last.recipient_id : null };
    },
  );

  app.get(
    '/v1/campaigns/:id/export.csv',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Every recipient and outcome as CSV (streamed page by page)',
        params: idParams,
      },
    },
    async (req, reply) => {
      const c = await existing(req.params.id);
      const pool = deps.pool;
      async function* lines() {
        yield 'recipient_id,phone,status,outcome,provider,fallback_used,time_zone,params,updated_at\n';
        for (let after = 0; ;) {
          const rows = await listRecipients(pool, c.id, { after, limit: 1_000 });
          if (rows.length === 0) return;
          for (const r of rows) {
            yield `${[r.recipient_id, r.phone, r.status, r.outcome, r.provider, r.fallback_used, r.time_zone, r.params, r.updated_at.toISOString()].map(csvCell).join(',')}\n`;
          }
          after = rows[rows.length - 1]!.recipient_id;
        }
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${c.id}.csv"`)
        .send(Readable.from(lines()));
    },
  );
};
