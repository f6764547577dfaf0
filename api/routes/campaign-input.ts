// Reading POST /v1/campaigns: a JSON body with recipients, or a CSV body (text/csv, streamed)
// with the message settings in query parameters. Errors name the field, like the error handler.
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { arrayRows, csvRows, type SourceRow } from '../../campaigns/import.js';
import { campaignSpecSchema, type CampaignSpec } from '../../schemas/campaign.js';
import { HttpError } from '../errors.js';

export const jsonCampaignSchema = campaignSpecSchema.extend({ recipients: z.array(z.unknown()).min(1).max(10_000) });

function parseOrFail<T>(schema: z.ZodType<T>, value: unknown, prefix?: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  throw new HttpError(
    400,
    `${field || 'request'}: ${issue?.message ?? 'is invalid'}`,
    'validation_error',
    field || undefined,
  );
}

function jsonParam(query: Record<string, string | undefined>, key: string): unknown {
  const raw = query[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, `querystring.${key}: must be JSON`, 'validation_error', `querystring.${key}`);
  }
}

const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

/** `maxBytes` (CSV_MAX_BYTES) caps a streamed CSV body, which Fastify's bodyLimit does not see. */
export function readCampaignRequest(
  contentType: string | undefined,
  body: unknown,
  query: Record<string, string | undefined>,
  opts: { maxBytes?: number } = {},
): { spec: CampaignSpec; rows: AsyncIterable<SourceRow> } {
  if (contentType?.startsWith('text/csv')) {
    const q = query;
    const raw = {
      name: q.name,
      steps: jsonParam(q, 'steps'),
      fallback: jsonParam(q, 'fallback'),
      mode: q.mode,
      trackFor: q.trackFor,
      precheck: q.precheck === undefined ? undefined : q.precheck === 'true',
      concurrency: num(q.concurrency),
      pageSize: num(q.pageSize),
      historyLimit: num(q.historyLimit),
      timeZone: q.timeZone,
      quietHours: q.quietStart || q.quietEnd ? { start: q.quietStart, end: q.quietEnd } : undefined,
    };
    const spec = parseOrFail(campaignSpecSchema, raw, 'querystring');
    return { spec, rows: csvRows(body as Readable, { maxBytes: opts.maxBytes }) };
  }
  const { recipients, ...spec } = parseOrFail(jsonCampaignSchema, body);
  return { spec, rows: arrayRows(recipients) };
}
