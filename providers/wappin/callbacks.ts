// Wappin's one callback (section 5): a JSON POST with `Authorization: Bearer <token>` to the
// integration's callback URL, `callback_type` "status" (sent/delivered/read/failed of a message we
// sent) or "message" (a customer wrote to us). Wappin wants `{"status":"000"}` back and retries
// the callback three times on any other answer.
import type { z } from 'zod';
import { BadRequestError } from '../errors.js';
import { parsePhone } from '../phone.js';
import type { CallbackEndpoint, CallbackRequest, InboundMessage, ParsedCallback, StatusEvent } from '../types.js';
import { callbackSchema, type WappinCallback } from './contract.js';
import { canonicalStatus, PROVIDER } from './statuses.js';
import { parseWappinTimestamp } from './time.js';
import { idField, jsonBody, tolerantStatusParser, unmappedEvent } from '../callbacks-kit.js';

/** The body Wappin needs to see to stop retrying. */
export const WAPPIN_CALLBACK_ACK = { status: '000' } as const;

const bad = (field: string, problem: string): BadRequestError =>
  new BadRequestError(`${PROVIDER} callback: ${field}: ${problem}`, { provider: PROVIDER, field });

/** "-" marks a field the callback type does not use. */
function present(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t && t !== '-' ? t : undefined;
}

function bodyOf(req: CallbackRequest): unknown {
  const body = jsonBody(req);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('body', 'must be a JSON object');
  return body;
}

function invalid(error: z.ZodError, body: unknown): BadRequestError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'body';
  const value = issue?.path.length ? (body as Record<PropertyKey, unknown>)[issue.path[0]!] : body;
  return bad(field, value == null ? 'is required' : (issue?.message ?? 'is invalid'));
}

/** When the callback says it happened; a missing timestamp means now (assumption: the column is not mandatory). */
/** The callback's time; a missing or implausible `timestamp` is no reason to lose the report: receipt time. */
function occurredAt(cb: WappinCallback, receivedAt: Date): Date {
  return timestampOf(cb) ?? receivedAt;
}

function timestampOf(cb: WappinCallback): Date | undefined {
  if (cb.timestamp === undefined || String(cb.timestamp).trim() === '' || String(cb.timestamp).trim() === '-')
    return undefined;
  return parseWappinTimestamp(cb.timestamp);
}

/** The status a callback carries, from either spelling (samples: status_messages; table: status_message). */
function statusText(cb: WappinCallback): string | undefined {
  return present(cb.status_messages) ?? present(cb.status_message);
}

/**
 * Assumption: `callback_type` is documented with the values "status" and "message" (written
 * "Status"/"Message" in the prose, so case is ignored). When it is missing, a status value makes it
 * a status callback and a message content an inbound message.
 */
function kindOf(cb: WappinCallback): 'status' | 'message' {
  const type = present(cb.callback_type)?.toLowerCase();
  if (type === 'status' || type === 'message') return type;
  if (type !== undefined) throw bad('callback_type', `must be "status" or "message" (got "${cb.callback_type}")`);
  if (statusText(cb)) return 'status';
  if (present(cb.message_content)) return 'message';
  throw bad('callback_type', 'is required');
}

/** The customer's number as E.164 when it reads as a phone number, else as sent. */
function e164OrRaw(value: string): string {
  try {
    return parsePhone(value, 'ID', 'sender_number').e164;
  } catch {
    return value;
  }
}

/** One validated status callback → a canonical event. */
export function statusEventFromCallback(cb: WappinCallback, raw: unknown, receivedAt: Date = new Date()): StatusEvent {
  const code = statusText(cb);
  if (!code)
    throw bad(
      cb.status_messages === undefined && cb.status_message !== undefined ? 'status_message' : 'status_messages',
      'is required on a status callback',
    );
  const status = canonicalStatus(code);
  if (!status) return unmappedEvent(PROVIDER, cb.message_id, code, receivedAt, raw);
  return {
    provider: PROVIDER,
    providerMessageId: cb.message_id,
    status,
    occurredAt: occurredAt(cb, receivedAt),
    ...(timestampOf(cb) ? {} : { precise: false }),
    providerCode: code,
    raw,
  };
}

/** One validated message callback → an inbound message (text only: the document shows no media). */
export function inboundFromCallback(cb: WappinCallback, raw: unknown, receivedAt: Date = new Date()): InboundMessage {
  const from = cb.sender_number === undefined ? undefined : present(String(cb.sender_number));
  if (!from) throw bad('sender_number', 'is required on a message callback');
  const text = cb.message_content;
  return {
    provider: PROVIDER,
    providerMessageId: cb.message_id,
    from: e164OrRaw(from),
    type: 'text',
    ...(text === undefined ? {} : { text }),
    receivedAt: occurredAt(cb, receivedAt),
    raw,
  };
}

/** Parses a Wappin callback request; throws BadRequestError naming the field when it is unusable. */
export function parseWappinCallback(req: CallbackRequest, receivedAt: Date = new Date()): ParsedCallback {
  const body = bodyOf(req);
  const r = callbackSchema.safeParse(body);
  if (!r.success) throw invalid(r.error, body);
  return kindOf(r.data) === 'status'
    ? { kind: 'status', events: [statusEventFromCallback(r.data, body, receivedAt)] }
    : { kind: 'inbound', messages: [inboundFromCallback(r.data, body, receivedAt)] };
}

/** `POST /callbacks/wappin`, authenticated by `Authorization: Bearer <WAPPIN_CALLBACK_TOKEN>`. */
export const wappinCallbackEndpoints: CallbackEndpoint[] = [
  {
    provider: PROVIDER,
    method: 'POST',
    path: '/callbacks/wappin',
    auth: 'bearer',
    secretEnv: 'WAPPIN_CALLBACK_TOKEN',
    acceptsAccessToken: { modeEnv: 'WAPPIN_CALLBACK_AUTH' },
    parse: tolerantStatusParser(
      PROVIDER,
      (req) => parseWappinCallback(req, req.receivedAt),
      // A customer's chat (callback_type message) that cannot be read is still a 400: it has no status.
      (req) => (idField(bodyOf(req), 'callback_type') === 'message' ? undefined : idField(bodyOf(req), 'message_id')),
    ),
    ack: { status: 200, body: WAPPIN_CALLBACK_ACK, contentType: 'application/json' },
  },
];
