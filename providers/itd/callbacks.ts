// ITD's two callbacks, both POST JSON to URLs set in ITD's customer panel:
//   status change → `POST /callbacks/itd/status`   { sent_at: "26/12/2019 16:07", status: "READ", uuid }
//   inbound       → `POST /callbacks/itd/inbound`  { uuid, accountPhone, senderPhone, content, sendAt, messageType, … }
// ITD has no callback auth of its own, so the URLs carry our secret as `?token=`.
import type { z } from 'zod';
import { BadRequestError } from '../errors.js';
import type { CallbackEndpoint, CallbackRequest, InboundMessage, ParsedCallback, StatusEvent } from '../types.js';
import { inboundCallbackSchema, statusCallbackSchema, type InboundCallback, type ReceivedItem } from './contract.js';
import { canonicalStatus, PROVIDER } from './statuses.js';
import { fromEpoch, parseItdDate } from './time.js';
import { CALLBACK_TOKEN_VAR } from '../env.js';
import { idField, jsonBody, tolerantStatusParser, unmappedEvent } from '../callbacks-kit.js';

/**
 * Assumption: the document defines no answer to either callback, so we answer 200 with a body in
 * ITD's own response style; ITD plausibly only looks at the HTTP status.
 */
export const ITD_CALLBACK_ACK = { status: 200, body: { statusApi: 'OK', code: 200 } } as const;

/** The body as one or more objects; a JSON string body (wrong content type) is parsed too. */
function bodyItems(req: CallbackRequest): unknown[] {
  const body = jsonBody(req);
  if (body === null || typeof body !== 'object')
    throw new BadRequestError(`${PROVIDER} callback: body: must be a JSON object`, {
      provider: PROVIDER,
      field: 'body',
    });
  // Assumption: one object per POST as documented; an array of them is accepted too.
  const items: unknown[] = Array.isArray(body) ? body : [body];
  if (items.length === 0)
    throw new BadRequestError(`${PROVIDER} callback: body: is empty`, { provider: PROVIDER, field: 'body' });
  return items;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v = body;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function invalid(kind: string, error: z.ZodError, body: unknown): BadRequestError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'body';
  const missing = issue !== undefined && issue.path.length > 0 && valueAt(body, issue.path) == null;
  return new BadRequestError(
    `${PROVIDER} ${kind} callback: ${field}: ${missing ? 'is required' : (issue?.message ?? 'is invalid')}`,
    { provider: PROVIDER, field },
  );
}

/** One status callback body → a canonical event. `sent_at` (Santiago time) is its time. */
export function statusEventFromCallback(body: unknown, receivedAt: Date = new Date()): StatusEvent {
  const r = statusCallbackSchema.safeParse(body);
  if (!r.success) throw invalid('status', r.error, body);
  const status = canonicalStatus(String(r.data.status));
  // sent_at is the SEND time, at minute precision ("Fecha de envío en formato dd/MM/yyyy HH:mm"):
  // it is kept, but no status is dated with it (precise: false), so rules count from receipt.
  const sentAt = r.data.sent_at?.trim() ? parseItdDate(r.data.sent_at) : undefined;
  if (!status) return unmappedEvent(PROVIDER, r.data.uuid.trim(), r.data.status, receivedAt, body);
  return {
    provider: PROVIDER,
    providerMessageId: r.data.uuid.trim(),
    status,
    occurredAt: sentAt ?? receivedAt,
    precise: false,
    providerCode: String(r.data.status),
    raw: body,
  };
}

export function parseItdStatusCallback(req: CallbackRequest): ParsedCallback {
  return { kind: 'status', events: bodyItems(req).map((b) => statusEventFromCallback(b, req.receivedAt)) };
}

/** `56936858019` → `+56936858019`; anything that is not plain digits is kept as ITD sent it. */
function e164(phone: string | null | undefined): string | undefined {
  const p = phone?.trim().replace(/^\+/, '');
  if (!p) return undefined;
  return /^\d+$/.test(p) ? `+${p}` : p;
}

const nonEmpty = (s: string | null | undefined): string | undefined => (s?.trim() ? s : undefined);

/** The readable text of an inbound message: the text of a chat, the caption of media, the place of a location. */
function textOf(m: {
  messageType?: string | null;
  content?: string | null;
  caption?: string | null;
  location_name?: string | null;
}): string | undefined {
  const type = (m.messageType ?? 'chat').toLowerCase();
  if (type === 'chat') return nonEmpty(m.content);
  if (type === 'location') return nonEmpty(m.location_name) ?? nonEmpty(m.content);
  return nonEmpty(m.caption) ?? nonEmpty(m.content);
}

/**
 * One inbound callback body → InboundMessage. Assumption: every message posted to the reception
 * URL is treated as inbound whatever its `direction` (the document's own sample has direction 1);
 * `direction` stays in `raw`. Without `sendAt` the receipt time stands in.
 */
export function inboundFromCallback(body: unknown, receivedAt: Date = new Date()): InboundMessage {
  const r = inboundCallbackSchema.safeParse(body);
  if (!r.success) throw invalid('inbound', r.error, body);
  const m: InboundCallback = r.data;
  return {
    provider: PROVIDER,
    providerMessageId: m.uuid.trim(),
    from: e164(m.senderPhone) ?? m.senderPhone,
    to: e164(m.accountPhone),
    type: nonEmpty(m.messageType)?.toLowerCase() ?? 'chat',
    text: textOf(m),
    mediaUrl: nonEmpty(m.url),
    receivedAt: m.sendAt != null ? fromEpoch(m.sendAt) : receivedAt,
    raw: body,
  };
}

export function parseItdInboundCallback(req: CallbackRequest): ParsedCallback {
  return { kind: 'inbound', messages: bodyItems(req).map((b) => inboundFromCallback(b)) };
}

/** One item of the recievedWhatsapp listing → InboundMessage (same shape as the callback, fewer fields). */
export function inboundFromReceived(item: ReceivedItem): InboundMessage {
  const when = item.sendAt ?? item.createdAt;
  return {
    provider: PROVIDER,
    providerMessageId: item.uuid,
    from: e164(item.senderPhone) ?? item.senderPhone,
    to: e164(item.accountPhone),
    type: nonEmpty(item.messageType)?.toLowerCase() ?? 'chat',
    text: textOf(item),
    receivedAt: when != null ? fromEpoch(when) : new Date(0),
    raw: item,
  };
}

export const itdCallbackEndpoints: CallbackEndpoint[] = [
  {
    provider: PROVIDER,
    method: 'POST',
    path: '/callbacks/itd/status',
    auth: 'token-query',
    secretEnv: 'ITD_CALLBACK_TOKEN',
    fallbackSecretEnv: CALLBACK_TOKEN_VAR,
    parse: tolerantStatusParser(PROVIDER, parseItdStatusCallback, (req) => idField(jsonBody(req), 'uuid')),
    ack: ITD_CALLBACK_ACK,
  },
  {
    provider: PROVIDER,
    method: 'POST',
    path: '/callbacks/itd/inbound',
    auth: 'token-query',
    secretEnv: 'ITD_CALLBACK_TOKEN',
    fallbackSecretEnv: CALLBACK_TOKEN_VAR,
    parse: parseItdInboundCallback,
    ack: ITD_CALLBACK_ACK,
  },
];
