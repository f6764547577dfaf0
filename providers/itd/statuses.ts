// ITD's message statuses and error answers mapped to the canonical model and the named errors.
import {
  AuthenticationError,
  BadRequestError,
  InsufficientCreditError,
  ProviderUnavailableError,
  RateLimitedError,
  type ProviderError,
  type ProviderErrorDetails,
} from '../errors.js';
import type { CanonicalStatus, StatusEvent } from '../types.js';
import { itdEnvelopeSchema, type StatusResponse } from './contract.js';
import { parseItdDate } from './time.js';
import type { ErrorClass, HttpCodeInfo } from '../codes.js';
import { unmappedEvent } from '../callbacks-kit.js';

export const PROVIDER = 'itd';

/** The three statuses the document lists. */
export const ITD_STATUS_MAP: Readonly<Record<string, CanonicalStatus>> = {
  'MESSAGE QUEUED': 'queued',
  SENT: 'sent',
  READ: 'read',
};

/**
 * Assumption: the document lists only the three above, but the lookup has a `delivered_at`, so a
 * delivered state exists, and messages can fail. These are the names ITD most plausibly uses
 * (the sandbox emits DELIVERED and FAILED). Spaces, underscores and case are normalised first.
 */
export const ITD_ASSUMED_STATUS_MAP: Readonly<Record<string, CanonicalStatus>> = {
  QUEUED: 'queued',
  DELIVERED: 'delivered',
  RECEIVED: 'delivered',
  FAILED: 'failed',
  ERROR: 'failed',
  UNDELIVERED: 'failed',
  REJECTED: 'failed',
  EXPIRED: 'expired',
};

function normalise(status: string): string {
  return status
    .trim()
    .toUpperCase()
    .replace(/[_\s]+/g, ' ');
}

/** Canonical status of an ITD status, or undefined when it is unknown. */
export function canonicalStatus(status: string): CanonicalStatus | undefined {
  const key = normalise(status);
  return ITD_STATUS_MAP[key] ?? ITD_ASSUMED_STATUS_MAP[key];
}

/** Which endpoint answered; it decides what an ambiguous code means. */
export type ItdOperation = 'sendWhatsapp' | 'statusWhatsappByKey' | 'creditsWhatsapp' | 'recievedWhatsapp';

/**
 * The documented error answers, by `statusApi`. 415 has no documented body: the sandbox sends
 * `UNSUPPORTED_MEDIA_TYPE` (assumed) and the HTTP status alone is enough to classify it.
 */
export const ITD_ERROR_CODES: Readonly<Record<string, HttpCodeInfo>> = {
  BAD_REQUEST: { httpStatus: 400, error: BadRequestError, meaning: 'a parameter is missing or wrong' },
  UNAUTHORIZED: { httpStatus: 401, error: AuthenticationError, meaning: 'the token header is missing or wrong' },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, error: BadRequestError, meaning: 'the Content-Type header is missing' },
  NOT_CREDITS: { httpStatus: 502, error: InsufficientCreditError, meaning: 'no WhatsApp credits left' },
  INVALID_MESSAGE: { httpStatus: 503, error: BadRequestError, meaning: 'the key names no message' },
};

/** Request fields the messages can name, longest first so `content_type` wins over `content`. */
const FIELDS = [
  'content_type',
  'senderPhone',
  'url_thumb',
  'description',
  'content',
  'caption',
  'prefijo',
  'phone',
  'sendAt',
  'top',
  'key',
];

/**
 * The field a message names: `Parámetro 'content_type' solo puede ser…`, `Introduzca parámetro key`,
 * `Parámetro senderPhone es necesario.` Case-sensitive whole words, so `phone` is not found in
 * `senderPhone`. Assumption: a sendWhatsapp message speaking of "teléfono"/"número" is about `phone`.
 */
export function fieldNamedIn(message: string | undefined, operation: ItdOperation): string | undefined {
  if (!message) return undefined;
  const named = FIELDS.find((f) => new RegExp(`(^|[^A-Za-z0-9_])${f}([^A-Za-z0-9_]|$)`).test(message));
  if (named) return named;
  if (operation === 'sendWhatsapp' && /tel[eé]fono|n[uú]mero|phone/i.test(message)) return 'phone';
  return undefined;
}

/** Builds the named error for an ITD answer that is not `statusApi: OK`. */
export function itdError(input: { operation: ItdOperation; httpStatus: number; body: unknown }): ProviderError {
  const env = itdEnvelopeSchema.safeParse(input.body);
  const statusApi = env.success ? env.data.statusApi?.trim().toUpperCase() : undefined;
  const message = env.success ? (env.data.message ?? env.data.Message) : undefined;
  const code = env.success && env.data.code !== undefined ? env.data.code : input.httpStatus;
  const providerCode = statusApi ?? String(code);
  const field =
    statusApi === 'INVALID_MESSAGE' && input.operation === 'statusWhatsappByKey'
      ? 'key'
      : fieldNamedIn(message, input.operation);
  const what = `${PROVIDER} ${input.operation} answered ${input.httpStatus}${statusApi ? ` ${statusApi}` : ''}${message ? `: ${message}` : ''}${field ? ` (field ${field})` : ''}`;
  const details: ProviderErrorDetails = { provider: PROVIDER, providerCode, httpStatus: input.httpStatus, field };

  const known = statusApi ? ITD_ERROR_CODES[statusApi] : undefined;
  // A 502/503 without ITD's statusApi is a gateway in front of ITD failing, not "no credits".
  let error: ErrorClass;
  if (known) error = known.error;
  else if (input.httpStatus === 400 || code === 400 || input.httpStatus === 415 || code === 415)
    error = BadRequestError;
  else if (input.httpStatus === 401 || input.httpStatus === 403 || code === 401) error = AuthenticationError;
  else if (input.httpStatus === 429) error = RateLimitedError;
  else if (input.httpStatus === 408 || input.httpStatus >= 500 || code >= 500 || input.httpStatus < 400)
    error = ProviderUnavailableError;
  else error = BadRequestError;
  // No invalid-number guess: ITD documents no such answer, so a 400 naming the phone is a bad
  // request like any other, and only timed rules (or onFailure) move an ITD step on.
  return new error(what, details);
}

/**
 * The events a statusWhatsappByKey answer implies, oldest first: the lookup gives only the current
 * status plus sent_at/delivered_at, so the earlier steps are rebuilt from those dates. A read or
 * failure has no own time: it is placed at the latest known date (the lookup time if none).
 */
export function lookupToEvents(key: string, res: StatusResponse, now: Date = new Date()): StatusEvent[] {
  const status = canonicalStatus(String(res.data.status));
  if (!status) return [unmappedEvent(PROVIDER, key, res.data.status, now, res)];
  const sentAt = res.data.sent_at ? parseItdDate(res.data.sent_at) : undefined;
  const deliveredAt = res.data.delivered_at ? parseItdDate(res.data.delivered_at) : undefined;
  const code = String(res.data.status);
  const event = (s: CanonicalStatus, at: Date | undefined, providerCode: string): StatusEvent => ({
    provider: PROVIDER,
    providerMessageId: key,
    status: s,
    occurredAt: at ?? deliveredAt ?? sentAt ?? now,
    providerCode,
    raw: res,
  });
  const events: StatusEvent[] = [];
  if (sentAt && (status === 'delivered' || status === 'read')) events.push(event('sent', sentAt, 'SENT'));
  if (deliveredAt && status === 'read') events.push(event('delivered', deliveredAt, 'DELIVERED'));
  events.push(event(status, status === 'sent' || status === 'queued' ? sentAt : undefined, code));
  return events;
}
