// The gateway's report codes (report.php and the DLR callback) mapped to the canonical model, and
// its send answers mapped to the named errors. DESIGN: 52 (No Charge, wrong number format) is an
// invalid number and triggers the fallback.
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
import type { CodeInfo, ErrorClass } from '../codes.js';

export const PROVIDER = 'sms-masking';

/** Every code of the report.php and DLR tables. */
export const SMS_MASKING_CODES: Readonly<Record<string, CodeInfo>> = {
  '22': { meaning: 'Delivered', status: 'delivered' },
  // "Pesan pending terkirim, nomor tujuan / handphone tidak aktif dalam waktu tertentu": the gateway
  // has passed it on but the handset is off. It left us, so `sent` (the not-delivered clock runs).
  '20': { meaning: 'Pending: the handset is not active for a while', status: 'sent' },
  '50': { meaning: 'Insufficient Credit Balance (Saldo Habis)', status: 'failed', error: InsufficientCreditError },
  '51': {
    meaning: 'Expiration Period (Periode Habis): the balance validity ended',
    status: 'failed',
    error: InsufficientCreditError,
  },
  '52': {
    meaning: 'No Charge: wrong destination number format, nothing charged',
    status: 'invalid_number',
    error: InvalidNumberError,
    field: 'hp',
  },
};

/**
 * Canonical status of a report. report.php's own table folds three reasons into 50 and tells them
 * apart by text: "Saldo Habis", "Periode Habis", "No Charge" (= wrong number format); so a 50 whose
 * text says No Charge is an invalid number. Undefined for an unknown code.
 */
export function reportStatus(code: string, message?: string): CanonicalStatus | undefined {
  const c = code.trim();
  if (c === '50' && message && /no\s*charge/i.test(message)) return 'invalid_number';
  return SMS_MASKING_CODES[c]?.status;
}

/** The documented code at the start of an answer ("52", "50 Saldo Habis", "51|Periode Habis"). */
export function leadingCode(text: string): { code: string; message?: string } | undefined {
  const m = /^\s*(\d{2})(?:\s*[|:;,\-\s]\s*(.*))?$/s.exec(text);
  if (!m?.[1] || !(m[1] in SMS_MASKING_CODES)) return undefined;
  return { code: m[1], message: m[2]?.trim() || undefined };
}

export type SmsMaskingOperation = 'send' | 'report' | 'balance' | 'inbox' | 'reports_post';

/**
 * Assumed error texts: the document shows no error answer for a wrong login or a bad request, so
 * the plausible Indonesian/English wordings are recognised. Order matters (a rejection that
 * mentions the number is still a rejection). Anything else is a vendor error, retried.
 */
const TEXT_ERRORS: Array<[RegExp, ErrorClass, string | undefined]> = [
  [/user|pass(word)?|login|auth|akun tidak|unauthori[sz]ed/i, AuthenticationError, undefined],
  [/reject|ditolak|blacklist|blokir|block|spam/i, SendRejectedError, undefined],
  [/saldo|credit|kredit|balance|periode|expir/i, InsufficientCreditError, undefined],
  [/no\s*charge|nomor|number|msisdn|\bhp\b/i, InvalidNumberError, 'hp'],
  [/pesan|message/i, BadRequestError, 'message'],
  [/limit|too many|terlalu banyak/i, RateLimitedError, undefined],
];

/** The named error for a failure answer (a documented code or an error text). Never echoes secrets: the text is the gateway's. */
export function answerError(text: string, operation: SmsMaskingOperation): ProviderError {
  const coded = leadingCode(text);
  const info = coded ? SMS_MASKING_CODES[coded.code] : undefined;
  if (coded && info?.error) {
    const invalid = coded.code === '50' && coded.message && /no\s*charge/i.test(coded.message);
    const error = invalid ? InvalidNumberError : info.error;
    const field = invalid ? 'hp' : info.field;
    return new error(
      `${PROVIDER} ${operation} answered ${coded.code} (${coded.message ?? info.meaning})${field ? ` (field ${field})` : ''}`,
      { provider: PROVIDER, providerCode: coded.code, field },
    );
  }
  const shown = text.trim().slice(0, 200) || '(empty answer)';
  const match = TEXT_ERRORS.find(([re]) => re.test(text));
  const [error, field] = match
    ? [match[1], operation === 'send' ? match[2] : undefined]
    : [ProviderUnavailableError, undefined];
  return new error(`${PROVIDER} ${operation} answered "${shown}"${field ? ` (field ${field})` : ''}`, {
    provider: PROVIDER,
    providerCode: coded?.code ?? shown,
    field,
  });
}

/** The named error for an HTTP answer that is not 2xx. */
export function httpError(httpStatus: number, operation: SmsMaskingOperation): ProviderError {
  const what = `${PROVIDER} ${operation} answered HTTP ${httpStatus}`;
  const details = { provider: PROVIDER, providerCode: httpStatus, httpStatus };
  if (httpStatus === 401 || httpStatus === 403) return new AuthenticationError(what, details);
  if (httpStatus === 429) return new RateLimitedError(what, details);
  if (httpStatus >= 500 || httpStatus === 408) return new ProviderUnavailableError(what, details);
  return new BadRequestError(what, details);
}
