// EngageLab's callback statuses and error codes mapped to the canonical model and the named errors.
import {
  AuthenticationError,
  BadRequestError,
  InvalidNumberError,
  ProviderUnavailableError,
  RateLimitedError,
  SendRejectedError,
  type ProviderError,
} from '../errors.js';
import type { CanonicalStatus } from '../types.js';
import { ENGAGELAB_MESSAGE_STATUSES, resultSchema, type EngageLabMessageStatus } from './contract.js';
import type { ErrorClass, HttpCodeInfo } from '../codes.js';

export const PROVIDER = 'engagelab';

/**
 * `message_status` → canonical status. The original stays in `providerCode`, so the OTP workflow
 * can tell verified / verified_failed / verified_timeout apart.
 * - plan, target_valid: EngageLab holds the message and has checked the number, nothing sent yet.
 * - verified: the code was used, which is engagement beyond read.
 * - verified_failed (assumption): a wrong code was entered. That proves nothing beyond delivery and
 *   the user may try again, so it is `delivered`, not terminal.
 * - verified_timeout: the code's TTL ran out unused.
 */
export const ENGAGELAB_STATUS_MAP: Readonly<Record<EngageLabMessageStatus, CanonicalStatus>> = {
  plan: 'queued',
  target_valid: 'queued',
  target_invalid: 'invalid_number',
  sent: 'sent',
  sent_failed: 'failed',
  delivered: 'delivered',
  delivered_failed: 'failed',
  verified: 'read',
  verified_failed: 'delivered',
  verified_timeout: 'expired',
};

export function isEngageLabStatus(s: string): s is EngageLabMessageStatus {
  return (ENGAGELAB_MESSAGE_STATUSES as readonly string[]).includes(s);
}

/** Canonical status of a message_status (case and spaces normalised), or undefined when unknown. */
export function canonicalStatus(status: string): CanonicalStatus | undefined {
  const key = status
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return isEngageLabStatus(key) ? ENGAGELAB_STATUS_MAP[key] : undefined;
}

/**
 * Every documented error code. HTTP statuses are from document 002 where it gives them; for 3004
 * and the 5xxx send codes (engagelab-otp-api.md gives none) 429 and 400 are assumed (the sandbox uses them).
 */
export const ENGAGELAB_ERROR_CODES: Readonly<Record<number, HttpCodeInfo>> = {
  1000: { httpStatus: 500, error: ProviderUnavailableError, meaning: 'internal error' },
  2001: { httpStatus: 401, error: AuthenticationError, meaning: 'authentication failed: wrong dev_key or dev_secret' },
  2002: {
    httpStatus: 401,
    error: AuthenticationError,
    meaning: 'authentication failed: credentials expired or disabled',
  },
  2004: { httpStatus: 403, error: AuthenticationError, meaning: 'no permission for this API' },
  3001: { httpStatus: 400, error: BadRequestError, meaning: 'request format invalid (check the JSON)' },
  3002: { httpStatus: 400, error: BadRequestError, meaning: 'invalid parameter value' },
  3003: { httpStatus: 400, error: BadRequestError, meaning: 'business rule violated' },
  3004: { httpStatus: 429, error: RateLimitedError, meaning: 'rate limited, retry later' },
  4001: { httpStatus: 400, error: BadRequestError, meaning: 'resource not found (template or message)' },
  5001: { httpStatus: 400, error: SendRejectedError, meaning: 'send failed' },
  5011: { httpStatus: 400, error: InvalidNumberError, meaning: 'invalid number' },
  5020: { httpStatus: 400, error: InvalidNumberError, meaning: 'invalid number' },
  5012: { httpStatus: 400, error: SendRejectedError, meaning: 'target unreachable' },
  5018: { httpStatus: 400, error: SendRejectedError, meaning: 'target unreachable' },
  5013: { httpStatus: 400, error: SendRejectedError, meaning: 'target blacklisted' },
  5019: { httpStatus: 400, error: SendRejectedError, meaning: 'target blacklisted' },
};

export type EngageLabOperation =
  | 'createTemplate'
  | 'getTemplate'
  | 'updateTemplate'
  | 'deleteTemplate'
  | 'listTemplates'
  | 'sendOtp'
  | 'sendCustomCode'
  | 'verify';

/** Request fields an error message may name, longest first so `verify_code_ttl` wins over `verify_code`. */
const FIELDS = [
  'verify_code_config.verify_code_type',
  'verify_code_config.verify_code_len',
  'verify_code_config.verify_code_ttl',
  'send_channel_strategy',
  'verify_code_config',
  'verify_code_type',
  'verify_code_len',
  'verify_code_ttl',
  'whatsapp_config',
  'sms_config',
  'voice_config',
  'email_config',
  'pwa_config',
  'template_id',
  'description',
  'brand_name',
  'template.language',
  'template.params',
  'template.id',
  'message_id',
  'verify_code',
  'template',
  'code',
  'to',
];
const NESTED: Record<string, string> = {
  verify_code_type: 'verify_code_config.verify_code_type',
  verify_code_len: 'verify_code_config.verify_code_len',
  verify_code_ttl: 'verify_code_config.verify_code_ttl',
};

/** The request field an EngageLab message names (whole words), e.g. "invalid verify_code_len" → verify_code_config.verify_code_len. */
export function fieldNamedIn(message: string | null | undefined): string | undefined {
  if (!message) return undefined;
  const named = FIELDS.find((f) =>
    new RegExp(`(^|[^A-Za-z0-9_.])${f.replace(/\./g, '\\.')}([^A-Za-z0-9_]|$)`).test(message),
  );
  return named === undefined ? undefined : (NESTED[named] ?? named);
}

/** What a 4001 (not found) refers to, by operation. */
const NOT_FOUND_FIELD: Record<EngageLabOperation, string> = {
  createTemplate: 'template_id',
  getTemplate: 'template_id',
  updateTemplate: 'template_id',
  deleteTemplate: 'template_id',
  listTemplates: 'template_id',
  sendOtp: 'template.id',
  sendCustomCode: 'template.id',
  verify: 'message_id',
};

/** Builds the named error for an answer that is not a success. Never includes credentials. */
export function engageLabError(input: {
  operation: EngageLabOperation;
  httpStatus: number;
  body: unknown;
}): ProviderError {
  const parsed = resultSchema.safeParse(input.body);
  const code = parsed.success ? parsed.data.code : undefined;
  const message = parsed.success ? (parsed.data.message ?? undefined) : undefined;
  const known = code === undefined ? undefined : ENGAGELAB_ERROR_CODES[code];

  let error: ErrorClass;
  if (known) error = known.error;
  // "Treat any other code as a non-retryable provider error unless it is 1000 or 3004."
  else if (code !== undefined && code !== 0) error = SendRejectedError;
  // No EngageLab code: a gateway or proxy answered; judge by the HTTP status alone.
  else if (input.httpStatus === 401 || input.httpStatus === 403) error = AuthenticationError;
  else if (input.httpStatus === 429) error = RateLimitedError;
  else if (input.httpStatus === 400 || input.httpStatus === 404 || input.httpStatus === 422) error = BadRequestError;
  else error = ProviderUnavailableError;

  let field: string | undefined;
  if (code === 4001) field = NOT_FOUND_FIELD[input.operation];
  else if (code === 5011 || code === 5020) field = 'to';
  else if (error === BadRequestError) field = fieldNamedIn(message);

  const what = known ? ` (${known.meaning})` : '';
  const text = `${PROVIDER} ${input.operation} answered ${input.httpStatus}${code === undefined ? '' : ` code ${code}`}${what}${message ? `: ${message}` : ''}${field ? ` [field ${field}]` : ''}`;
  return new error(text, {
    provider: PROVIDER,
    providerCode: code ?? input.httpStatus,
    httpStatus: input.httpStatus,
    field,
  });
}
