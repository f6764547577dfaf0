// NusaSMS's numeric answer codes (0 … -99) and delivery-report letters mapped to the canonical
// model and to the named errors. DESIGN: -11 and -13 mean an invalid number (fallback trigger).
import {
  AuthenticationError,
  BadRequestError,
  InsufficientCreditError,
  InvalidNumberError,
  ProviderUnavailableError,
  RateLimitedError,
  SendRejectedError,
  type ProviderError,
} from '../errors.js';
import type { CanonicalStatus } from '../types.js';
import type { CodeInfo } from '../codes.js';

export const PROVIDER = 'nusasms';

/** A row of the answer table: the code's name besides the shared fields. */
export interface NusaSmsCodeInfo extends CodeInfo {
  name: string;
  /** What the operator must do, where the code names a setting of the NusaSMS account. */
  remedy?: string;
}

/** Every code of the "HTTP Method Response" table. */
export const NUSASMS_CODES: Readonly<Record<string, NusaSmsCodeInfo>> = {
  '0': { name: 'ALL_RECIPIENTS_PROCESSED', meaning: 'Request was successful (all recipients)', status: 'accepted' },
  // "Error in processing the request": a provider-side failure, so retry.
  '-1': {
    name: 'SEND_ERROR',
    meaning: 'Error in processing the request',
    status: 'failed',
    error: ProviderUnavailableError,
  },
  '-2': {
    name: 'NOT_ENOUGH_CREDITS',
    meaning: 'Not enough credits on a specific account',
    status: 'failed',
    error: InsufficientCreditError,
  },
  '-3': {
    name: 'NETWORK_NOTCOVERED',
    meaning: 'Targeted network is not covered on specific account',
    status: 'failed',
    error: SendRejectedError,
    field: 'GSM',
  },
  '-5': {
    name: 'INVALID_USER_OR_PASS',
    meaning: 'Username or password is invalid',
    status: 'failed',
    error: AuthenticationError,
    field: 'username',
  },
  '-6': {
    name: 'MISSING_DESTINATION_ADDRESS',
    meaning: 'Destination address is missing in the request',
    status: 'failed',
    error: BadRequestError,
    field: 'GSM',
  },
  '-7': { name: 'BALANCE_EXPIRED', meaning: 'Balance has expired', status: 'failed', error: InsufficientCreditError },
  // Not retryable: the same text is rejected again until the account changes. The document names
  // no request parameter for the route, so it is an account setting, not something kurir can send.
  '-10': {
    name: 'REJECTED',
    meaning: 'OTP messages that do not use an OTP route will be REJECTED',
    status: 'failed',
    error: SendRejectedError,
    field: 'text',
    remedy:
      'the NusaSMS account needs an OTP route for OTP texts: ask NusaSMS to enable the OTP route on the account, or send OTPs through another provider',
  },
  '-11': {
    name: 'INVALID_DESTINATION_ADDRESS',
    meaning: 'Number is not recognized by NusaSMS platform',
    status: 'invalid_number',
    error: InvalidNumberError,
    field: 'GSM',
  },
  '-12': {
    name: 'MISSING_MESSAGE',
    meaning: 'Message is missing in the request',
    status: 'failed',
    error: BadRequestError,
    field: 'text',
  },
  '-13': {
    name: 'INVALID_DESTINATION_ADDRESS',
    meaning: 'Number is not recognized by NusaSMS platform',
    status: 'invalid_number',
    error: InvalidNumberError,
    field: 'GSM',
  },
  '-22': {
    name: 'SYNTAX_ERROR',
    meaning: 'Incorrect XML format, caused by syntax error',
    status: 'failed',
    error: BadRequestError,
  },
  // "General error, reasons may vary": vendor-side, retry.
  '-23': {
    name: 'ERROR_PROCESSING',
    meaning: 'General error, reasons may vary',
    status: 'failed',
    error: ProviderUnavailableError,
  },
  '-26': {
    name: 'COMMUNICATION_ERROR',
    meaning: 'General API error, reasons may vary',
    status: 'failed',
    error: ProviderUnavailableError,
  },
  '-27': {
    name: 'INVALID_SENDDATETIME',
    meaning: 'Invalid scheduling parameter',
    status: 'failed',
    error: BadRequestError,
    field: 'senddatetime',
  },
  '-28': {
    name: 'INVALID_DELIVERY_REPORT_PUSH_URL',
    meaning: 'Invalid PushURL in the request',
    status: 'failed',
    error: BadRequestError,
    field: 'pushurl',
  },
  '-30': {
    name: 'INVALID_CLIENT_APPID',
    meaning: 'Invalid APPID in the request',
    status: 'failed',
    error: BadRequestError,
    field: 'appid',
  },
  '-33': {
    name: 'DUPLICATE_MESSAGEID',
    meaning: 'Duplicated MessageID in the request',
    status: 'failed',
    error: BadRequestError,
    field: 'messageid',
  },
  '-34': {
    name: 'SENDER_NOT_ALLOWED',
    meaning: 'Sender name is not allowed',
    status: 'failed',
    error: SendRejectedError,
    field: 'sender',
  },
  // errors.ts: an IP outside the allow-list is an authentication failure.
  '-40': {
    name: 'IP_ADDRESS_FORBIDDEN',
    meaning: 'Client IP Address Not In White List',
    status: 'failed',
    error: AuthenticationError,
  },
  // -77/-78 last for a day: retrying within an activity cannot help, the flow should fall back.
  '-77': {
    name: 'SPAM_PATTERN',
    meaning: 'More than 10 same message send to the same recipients in 1 day',
    status: 'failed',
    error: SendRejectedError,
    field: 'text',
  },
  '-78': {
    name: 'LIMIT REACHED FOR DESTINATION NUMBER',
    meaning: 'Sending messages to the same number has reached the limit in 24 hours',
    status: 'failed',
    error: SendRejectedError,
    field: 'GSM',
  },
  '-88': {
    name: 'REJECTED ROUTE',
    meaning: 'Operator Rejected The Request',
    status: 'failed',
    error: SendRejectedError,
  },
  '-99': {
    name: 'GENERAL_ERROR',
    meaning: 'Error in processing request, reasons may vary',
    status: 'failed',
    error: ProviderUnavailableError,
  },
};

/** Which request answered; only used in messages. */
export type NusaSmsOperation = 'sendwa' | 'CREDITS' | 'DR';

/** The named error for a non-zero code. An undocumented code is treated as a vendor error (retry). */
export function nusasmsCodeError(code: string, operation: NusaSmsOperation): ProviderError {
  const info = NUSASMS_CODES[code.trim()];
  const error = info?.error ?? ProviderUnavailableError;
  const field = info?.field;
  const what = `${PROVIDER} ${operation} answered status ${code}${info ? ` ${info.name} (${info.meaning})` : ' (undocumented code)'}${field ? ` (field ${field})` : ''}${info?.remedy ? `: ${info.remedy}` : ''}`;
  return new error(what, { provider: PROVIDER, providerCode: code.trim(), field });
}

/** The named error for an HTTP answer that is not 2xx (NusaSMS itself answers 200 with a code). */
export function nusasmsHttpError(httpStatus: number, operation: NusaSmsOperation): ProviderError {
  const what = `${PROVIDER} ${operation} answered HTTP ${httpStatus}`;
  const details = { provider: PROVIDER, providerCode: httpStatus, httpStatus };
  if (httpStatus === 401 || httpStatus === 403) return new AuthenticationError(what, details);
  if (httpStatus === 429) return new RateLimitedError(what, details);
  if (httpStatus >= 500 || httpStatus === 408) return new ProviderUnavailableError(what, details);
  return new BadRequestError(what, details);
}

/**
 * Delivery-report letters. The document shows only `D` (delivered). Assumption: the other letters
 * are those of NusaSMS's DR family and WhatsApp's receipts; full words are accepted as well.
 * `R` is deliberately absent: the document does not say it, and in SMS DLR vocabularies R is as
 * often "rejected" as "read"; guessing either would move a message wrongly (read ends it, a
 * rejection triggers a fallback). An `R` is kept as unmapped with its raw value instead.
 */
export const NUSASMS_DR_STATUSES: Readonly<Record<string, CanonicalStatus>> = {
  D: 'delivered',
  // assumed from here on
  Q: 'queued',
  P: 'queued',
  S: 'sent',
  F: 'failed',
  U: 'failed',
  X: 'failed',
  E: 'expired',
  QUEUED: 'queued',
  PENDING: 'queued',
  SENT: 'sent',
  DELIVERED: 'delivered',
  READ: 'read',
  FAILED: 'failed',
  UNDELIVERED: 'failed',
  REJECTED: 'failed',
  EXPIRED: 'expired',
};

/**
 * Canonical status of a delivery report, or undefined when the letter is unknown. A failure whose
 * `err_code` is -11/-13 (assumption: err_code uses the answer-code table) is an invalid number.
 */
export function drStatus(status: string, errCode?: string): CanonicalStatus | undefined {
  const s = NUSASMS_DR_STATUSES[status.trim().toUpperCase()];
  if (s === 'failed' && errCode !== undefined && NUSASMS_CODES[errCode.trim()]?.status === 'invalid_number')
    return 'invalid_number';
  return s;
}
