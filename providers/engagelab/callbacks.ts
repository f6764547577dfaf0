// EngageLab status callbacks: `POST /callbacks/engagelab`, authenticated by the `X-CALLBACK-ID`
// header (HMAC-SHA256 of timestamp + nonce + username with the callback secret), answered 200 `{}`.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { BadRequestError } from '../errors.js';
import type { CallbackEndpoint, CallbackRequest, Channel, ParsedCallback, StatusEvent } from '../types.js';
import { plausibleTime } from '../plausible-time.js';
import { callbackEventSchema } from './contract.js';
import { canonicalStatus, PROVIDER } from './statuses.js';
import { idField, jsonBody, tolerantStatusParser, unmappedEvent } from '../callbacks-kit.js';

export const ENGAGELAB_CALLBACK_HEADER = 'X-CALLBACK-ID';
export const ENGAGELAB_SIGNATURE_TOLERANCE_SEC = 300;
/** EngageLab wants a quick 200; it retries otherwise. Assumption: the body is not read, so `{}`. */
export const ENGAGELAB_CALLBACK_ACK = { status: 200, body: {} } as const;

/** A status event with the channel the status is about (a `whatsapp|sms` strategy can move to sms). */
export interface EngageLabStatusEvent extends StatusEvent {
  /** `status.error_code` when it is not 0 (e.g. 5011 with target_invalid). */
  errorCode?: number;
}

function hmacHex(secret: string, timestamp: string, nonce: string, username: string): string {
  return createHmac('sha256', secret)
    .update(timestamp + nonce + username)
    .digest('hex');
}

/** `timestamp=…;nonce=…;username=…;signature=…` → its parts (keys case-insensitive, spaces ignored). */
export function parseCallbackIdHeader(header: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const piece of header.split(';')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts[piece.slice(0, eq).trim().toLowerCase()] = piece.slice(eq + 1).trim();
  }
  return parts;
}

/**
 * True when `header` (the X-CALLBACK-ID value) is signed with `secret` and its timestamp is within
 * `toleranceSec` of `nowMs`. The comparison is constant-time. Assumption: the timestamp is unix
 * seconds; a 13-digit value is read as milliseconds.
 */
export function verifyEngageLabSignature(
  header: string | undefined,
  secret: string,
  nowMs: number,
  opts: { toleranceSec?: number; username?: string } = {},
): boolean {
  if (!header || !secret) return false;
  const { timestamp, nonce, username, signature } = parseCallbackIdHeader(header);
  if (!timestamp || !/^\d{1,13}$/.test(timestamp) || nonce === undefined || username === undefined || !signature)
    return false;
  if (opts.username !== undefined && username !== opts.username) return false;
  const toleranceSec = opts.toleranceSec ?? ENGAGELAB_SIGNATURE_TOLERANCE_SEC;
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const ts = Number(timestamp);
  const seconds = timestamp.length === 13 ? ts / 1000 : ts;
  if (Math.abs(nowMs / 1000 - seconds) > toleranceSec) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, nonce, username), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** The X-CALLBACK-ID value EngageLab would send at `nowMs` (used by the sandbox and tests). */
export function signEngageLabCallback(
  secret: string,
  username: string,
  nowMs: number,
  nonce: string = randomBytes(8).toString('hex'),
): string {
  const timestamp = String(Math.floor(nowMs / 1000));
  return `timestamp=${timestamp};nonce=${nonce};username=${username};signature=${hmacHex(secret, timestamp, nonce, username)}`;
}

function header(req: CallbackRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

function fail(message: string, field: string): BadRequestError {
  return new BadRequestError(`${PROVIDER} callback: ${field}: ${message}`, { provider: PROVIDER, field });
}

/**
 * The events in a body. The document shows one event per POST; EngageLab's other callbacks batch as
 * `{ total, rows: [...] }`, so (assumption) a `rows` array or a bare array is accepted as well.
 */
function bodyItems(req: CallbackRequest): unknown[] {
  const body = jsonBody(req);
  if (body === null || typeof body !== 'object') throw fail('must be a JSON object', 'body');
  const rows = (body as { rows?: unknown }).rows;
  const items: unknown[] = Array.isArray(body) ? body : Array.isArray(rows) ? rows : [body];
  if (items.length === 0) throw fail('holds no event', 'body');
  return items;
}

function invalid(error: z.ZodError, body: unknown): BadRequestError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'body';
  const present =
    issue !== undefined &&
    issue.path.length > 0 &&
    body !== null &&
    typeof body === 'object' &&
    (body as Record<string, unknown>)[String(issue.path[0])] != null;
  return fail(present ? issue.message : 'is required', field);
}

/** Unix seconds (or milliseconds) → Date; undefined when absent or implausible (1e308 is a number): the report is kept, dated at receipt. */
function fromEpoch(v: number | null | undefined): Date | undefined {
  if (v === null || v === undefined || !Number.isFinite(v) || v <= 0) return undefined;
  return plausibleTime(v > 1e12 ? v : v * 1000);
}

/** One callback event → a canonical status event. `receivedAt` dates an event that carries no time. */
export function statusEventFromCallback(item: unknown, receivedAt: Date = new Date()): EngageLabStatusEvent {
  const r = callbackEventSchema.safeParse(item);
  if (!r.success) throw invalid(r.error, item);
  const e = r.data;
  const statusObj = typeof e.status === 'object' && e.status !== null ? e.status : undefined;
  const messageStatus =
    statusObj?.message_status ?? (typeof e.status === 'string' ? e.status : undefined) ?? e.message_status ?? undefined;
  if (!messageStatus?.trim()) throw fail('is required', 'status.message_status');
  const status = canonicalStatus(messageStatus);
  // kurir's channels only: email, voice or pwa legs carry no channel kurir could report.
  const channel: { channel?: Channel } = e.channel === 'whatsapp' || e.channel === 'sms' ? { channel: e.channel } : {};
  if (!status) return { ...unmappedEvent(PROVIDER, e.message_id, messageStatus, receivedAt, item), ...channel };
  const errorCode = statusObj?.error_code ?? undefined;
  return {
    provider: PROVIDER,
    providerMessageId: e.message_id,
    status,
    // msg_time is when this status happened; itime (when the message was made) is the fallback.
    occurredAt: fromEpoch(statusObj?.status_data?.msg_time) ?? fromEpoch(e.itime) ?? receivedAt,
    // Only msg_time is the time of this status (itime is when the message was made).
    ...(fromEpoch(statusObj?.status_data?.msg_time) ? {} : { precise: false }),
    providerCode: messageStatus.trim().toLowerCase(),
    raw: item,
    ...channel,
    ...(errorCode ? { errorCode } : {}),
  };
}

export function parseEngageLabCallback(
  req: CallbackRequest,
): ParsedCallback & { kind: 'status'; events: EngageLabStatusEvent[] } {
  const receivedAt = req.receivedAt ?? new Date();
  return { kind: 'status', events: bodyItems(req).map((item) => statusEventFromCallback(item, receivedAt)) };
}

/** The first event of a callback body (a single event, a bare array or `rows`), for its message id. */
function firstItem(body: unknown): unknown {
  if (Array.isArray(body)) return body[0];
  const rows = body !== null && typeof body === 'object' ? (body as { rows?: unknown }).rows : undefined;
  return Array.isArray(rows) ? rows[0] : body;
}

export const engagelabCallbackEndpoints: CallbackEndpoint[] = [
  {
    provider: PROVIDER,
    method: 'POST',
    path: '/callbacks/engagelab',
    auth: 'signature',
    secretEnv: 'ENGAGELAB_CALLBACK_SECRET',
    verifySignature: (req, secret, nowMs, setting) =>
      verifyEngageLabSignature(header(req, ENGAGELAB_CALLBACK_HEADER), secret, nowMs, {
        username: setting('ENGAGELAB_CALLBACK_USERNAME'),
      }),
    // The signature covers timestamp, nonce and username, not the body: each signature once per body.
    replay: {
      key: (req) => parseCallbackIdHeader(header(req, ENGAGELAB_CALLBACK_HEADER) ?? '').signature?.toLowerCase(),
      windowSec: ENGAGELAB_SIGNATURE_TOLERANCE_SEC,
    },
    parse: tolerantStatusParser(PROVIDER, parseEngageLabCallback, (req) =>
      idField(firstItem(jsonBody(req)), 'message_id'),
    ),
    ack: ENGAGELAB_CALLBACK_ACK,
  },
];
