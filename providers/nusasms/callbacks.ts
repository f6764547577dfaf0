// The delivery-report callback: NusaSMS calls the URL registered in its web app by HTTP GET with
// `ref_no`, `status`, `sent_date`, `err_code`. NusaSMS has no callback auth of its own, so the
// registered URL carries our secret: `GET /callbacks/nusasms?token=…`.
import type { z } from 'zod';
import type { CallbackEndpoint, CallbackRequest, CanonicalStatus, ParsedCallback, StatusEvent } from '../types.js';
import { callbackSchema, drRecordSchema, type DrRecord } from './contract.js';
import { drStatus, PROVIDER } from './statuses.js';
import { parseNusaDate } from './time.js';
import { CALLBACK_TOKEN_VAR } from '../env.js';
import { idField, invalidCallback, jsonBody, tolerantStatusParser, unmappedEvent } from '../callbacks-kit.js';

/**
 * Assumption: the document defines no answer; NusaSMS plausibly only looks for HTTP 200, so we
 * answer a plain-text `OK`.
 */
export const NUSASMS_CALLBACK_ACK = { status: 200, body: 'OK', contentType: 'text/plain' } as const;

const invalid = (error: z.ZodError, source: Record<string, unknown>) => invalidCallback(PROVIDER, error, source);

/**
 * `sent_date` is the time the message was sent, not of the reported change. Assumption: it dates
 * a `sent`/`queued` report; later statuses are dated when we read them (a delivery dated at the
 * send time would start the "not read within" clock too early).
 */
function occurredAt(status: CanonicalStatus, sentDate: string | undefined, now: Date): Date {
  if (status === 'sent' || status === 'queued' || status === 'accepted') return parseNusaDate(sentDate) ?? now;
  return now;
}

/** One report (callback query or DR record) → a canonical event; BadRequestError names the bad field. */
export function eventFromReport(
  report: { ref_no: string; status: string; sent_date?: string; err_code?: string },
  raw: unknown,
  now = new Date(),
): StatusEvent {
  const status = drStatus(report.status, report.err_code);
  if (!status) return unmappedEvent(PROVIDER, report.ref_no.trim(), report.status, now, raw);
  const providerCode =
    report.err_code && report.err_code.trim() !== '0'
      ? `${report.status.trim()}/${report.err_code.trim()}`
      : report.status.trim();
  return {
    provider: PROVIDER,
    providerMessageId: report.ref_no.trim(),
    status,
    occurredAt: occurredAt(status, report.sent_date, now),
    providerCode,
    raw,
  };
}

/** The callback's values: the query string as documented; a JSON object body (the document's example is written as JSON) is accepted too. */
function callbackSource(req: CallbackRequest): Record<string, unknown> {
  const fromQuery = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined));
  if ('ref_no' in fromQuery) return fromQuery;
  const body = jsonBody(req);
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? { ...fromQuery, ...(body as Record<string, unknown>) }
    : fromQuery;
}

export function parseNusaSmsCallback(req: CallbackRequest): ParsedCallback {
  const source = callbackSource(req);
  const { token: _token, ...rest } = source;
  const r = callbackSchema.safeParse(rest);
  if (!r.success) throw invalid(r.error, rest);
  return { kind: 'status', events: [eventFromReport(r.data, rest, req.receivedAt)] };
}

/**
 * What one DR record says. The document names the command and nothing else, so the shapes are ours:
 * - `report`: a letter in `dr_status`, or a non-numeric `status` (the callback's shape), or a bare
 *   answer that is a known status word. An unknown letter is still a report (kept as unmapped).
 * - `pending`: request code `status` 0 with `dr_status` present but empty: asked well, no report yet.
 * - `unparsed`: anything else (no letter and no empty `dr_status`, an HTML page, free text). That
 *   is not "no news": the caller counts it and throws, so a blind lookup is seen, not trusted.
 */
export type DrReading = { kind: 'report'; event: StatusEvent } | { kind: 'pending' } | { kind: 'unparsed' };

export function readDrRecord(record: unknown, messageId: string, now = new Date()): DrReading {
  const r = drRecordSchema.safeParse(record);
  if (!r.success) return { kind: 'unparsed' };
  const d: DrRecord = r.data;
  const numeric = (v: string | undefined) => v !== undefined && /^-?\d+$/.test(v.trim());
  const bare = (record as { value?: unknown }).value;
  const letter =
    d.dr_status?.trim() ||
    (d.status !== undefined && !numeric(d.status) ? d.status.trim() : undefined) ||
    (typeof bare === 'string' && drStatus(bare) ? bare.trim() : undefined);
  if (!letter)
    return d.dr_status !== undefined && d.status?.trim() === '0' ? { kind: 'pending' } : { kind: 'unparsed' };
  const event = eventFromReport(
    {
      ref_no: d.ref_no ?? d.messageid ?? d.msgid ?? messageId,
      status: letter,
      sent_date: d.sent_date,
      err_code: d.err_code,
    },
    record,
    now,
  );
  return { kind: 'report', event };
}

export const nusasmsCallbackEndpoints: CallbackEndpoint[] = [
  {
    provider: PROVIDER,
    method: 'GET',
    path: '/callbacks/nusasms',
    auth: 'token-query',
    secretEnv: 'NUSASMS_CALLBACK_TOKEN',
    fallbackSecretEnv: CALLBACK_TOKEN_VAR,
    parse: tolerantStatusParser(PROVIDER, parseNusaSmsCallback, (req) => idField(callbackSource(req), 'ref_no')),
    ack: NUSASMS_CALLBACK_ACK,
  },
];
