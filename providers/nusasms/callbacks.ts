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

/** A DR command record → an event, or undefined when it carries no delivery status yet. */
export function eventFromDrRecord(record: unknown, messageId: string, now = new Date()): StatusEvent | undefined {
  const r = drRecordSchema.safeParse(record);
  if (!r.success) return undefined;
  const d: DrRecord = r.data;
  // The letter is `dr_status`, or `status` when that holds a letter rather than the numeric request code.
  const letter = d.dr_status ?? (d.status !== undefined && !/^-?\d+$/.test(d.status.trim()) ? d.status : undefined);
  if (!letter?.trim()) return undefined;
  return eventFromReport(
    {
      ref_no: d.ref_no ?? d.messageid ?? d.msgid ?? messageId,
      status: letter,
      sent_date: d.sent_date,
      err_code: d.err_code,
    },
    record,
    now,
  );
}

export const nusasmsCallbackEndpoints: CallbackEndpoint[] = [
  {
    provider: PROVIDER,
    method: 'GET',
    path: '/callbacks/nusasms',
    auth: 'token-query',
    secretEnv: CALLBACK_TOKEN_VAR,
    parse: tolerantStatusParser(PROVIDER, parseNusaSmsCallback, (req) => idField(callbackSource(req), 'ref_no')),
    ack: NUSASMS_CALLBACK_ACK,
  },
];
