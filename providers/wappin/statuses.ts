// Wappin's message statuses and status codes mapped to the canonical model and the named errors.
import {
  AuthenticationError,
  BadRequestError,
  InvalidNumberError,
  ProviderUnavailableError,
  RateLimitedError,
  type ProviderError,
  type ProviderErrorDetails,
} from '../errors.js';
import type { CanonicalStatus } from '../types.js';
import type { WappinStatusCode } from './contract.js';
import type { CodeInfo, ErrorClass } from '../codes.js';

export const PROVIDER = 'wappin';

/** The statuses the callbacks and the inquiry report. */
export const WAPPIN_STATUS_MAP: Readonly<Record<string, CanonicalStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
};

/**
 * Assumption: the document names only the four above. These are the names a WhatsApp BSP most
 * plausibly adds (Meta's webhooks also say `deleted`, `undelivered`, …); case is normalised first.
 */
export const WAPPIN_ASSUMED_STATUS_MAP: Readonly<Record<string, CanonicalStatus>> = {
  pending: 'queued',
  queued: 'queued',
  accepted: 'accepted',
  undelivered: 'failed',
  rejected: 'failed',
  error: 'failed',
  expired: 'expired',
};

/** Canonical status of a Wappin status, or undefined when it is unknown. */
export function canonicalStatus(status: string): CanonicalStatus | undefined {
  const key = status.trim().toLowerCase();
  return WAPPIN_STATUS_MAP[key] ?? WAPPIN_ASSUMED_STATUS_MAP[key];
}

/** Which endpoint answered: it decides which field an ambiguous code is about. */
export type WappinOperation = 'token' | 'send-hsm' | 'send-text' | 'send-media' | 'inquiry' | 'number-checker';

export type WappinCodeInfo = Omit<CodeInfo, 'field'>;

/** Every documented status code. 601 on the number checker is an answer (`valid: false`), not an error. */
export const WAPPIN_CODES: Readonly<Record<WappinStatusCode, WappinCodeInfo>> = {
  200: { meaning: 'Success / Token not expired', status: 'accepted' },
  400: {
    meaning: 'Error no input received / Project ID or Client ID cannot be process / param count do not match',
    status: 'failed',
    error: BadRequestError,
  },
  401: { meaning: 'Invalid credential', status: 'failed', error: AuthenticationError },
  404: {
    meaning: 'Template not found or inactive / Content Template SMS not found / Data not Found',
    status: 'failed',
    error: BadRequestError,
  },
  406: { meaning: 'Auth not recognize', status: 'failed', error: AuthenticationError },
  407: { meaning: 'IP Address not allowed', status: 'failed', error: AuthenticationError },
  419: {
    meaning: 'API Send Message can only be used for projects with production status',
    status: 'failed',
    error: BadRequestError,
  },
  601: { meaning: 'Contact invalid / Phone Number Invalid', status: 'invalid_number', error: InvalidNumberError },
  605: { meaning: 'Upload Media Failed (invalid media_type)', status: 'failed', error: BadRequestError },
  700: { meaning: 'Error from vendor', status: 'failed', error: ProviderUnavailableError },
};

export function isDocumentedCode(code: string): code is WappinStatusCode {
  return Object.hasOwn(WAPPIN_CODES, code);
}

/**
 * The request field a code is about, where the document makes it clear. "Project ID or Client
 * ID cannot be process" names two fields, so it names none.
 */
export function fieldFor(code: string, operation: WappinOperation, message = ''): string | undefined {
  switch (code) {
    case '400':
      if (/params?[\s_]*sms/i.test(message)) return 'params_sms';
      if (/param count/i.test(message)) return 'params';
      return undefined;
    case '404':
      if (operation === 'inquiry') return 'message_id';
      if (operation === 'send-hsm') return /sms/i.test(message) ? 'content' : 'type';
      return undefined;
    case '419':
      return 'project_id';
    case '601':
      return operation === 'number-checker' ? 'phone_number' : 'recipient_number';
    case '605':
      return 'media_type';
    default:
      return undefined;
  }
}

/**
 * The named error for an answer whose code is not 200. `code` is the body's `status` when it has
 * one, else the HTTP status. Undocumented codes are classified like HTTP statuses.
 */
export function wappinError(input: {
  operation: WappinOperation;
  code: string;
  httpStatus: number;
  message?: string;
}): ProviderError {
  const { operation, code, httpStatus, message } = input;
  const field = fieldFor(code, operation, message);
  const text = `${PROVIDER} ${operation} answered ${code}${message ? `: ${message}` : ''}${field ? ` (field ${field})` : ''}`;
  const details: ProviderErrorDetails = { provider: PROVIDER, providerCode: code, httpStatus, field };
  let error: ErrorClass;
  if (isDocumentedCode(code)) {
    error = WAPPIN_CODES[code].error ?? ProviderUnavailableError;
  } else {
    const n = Number(code);
    if (n === 429 || httpStatus === 429) error = RateLimitedError;
    else if (n === 403 || httpStatus === 403) error = AuthenticationError;
    else if (n === 408 || httpStatus === 408 || n >= 500 || httpStatus >= 500) error = ProviderUnavailableError;
    else if ((n >= 400 && n < 500) || (httpStatus >= 400 && httpStatus < 500)) error = BadRequestError;
    else error = ProviderUnavailableError;
  }
  return new error(text, details);
}
