// `to` of POST /v1/messages and /v1/otp, read before schema validation: an E.164 number passes
// untouched; another form becomes E.164 when it is international (+62 812-3456-7890) or when
// DEFAULT_REGION says how to read a national one (081234567890, 81234567890 with ID). Anything
// else is left for the schema, which answers 400 naming `to`. The number never goes in a message.
import type { CountryCode } from 'libphonenumber-js';
import { BadRequestError } from '../providers/errors.js';
import { parsePhoneIn } from '../providers/phone.js';

const E164 = /^\+[1-9]\d{6,14}$/;

export class PhoneInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'PhoneInputError';
  }
}

/** The body with `to` in E.164 where it can be read; throws PhoneInputError for a number that is not valid. */
export function normaliseTo<T>(body: T, region: CountryCode | undefined): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const to = (body as { to?: unknown }).to;
  if (typeof to !== 'string' || E164.test(to)) return body;
  const trimmed = to.trim();
  // No region and not international: the schema's own answer ("must be an E.164 phone number").
  if (!trimmed.startsWith('+') && region === undefined) return body;
  try {
    return { ...body, to: parsePhoneIn(trimmed, region, 'to').e164 };
  } catch (err) {
    if (err instanceof BadRequestError) throw new PhoneInputError('to', err.message);
    throw err;
  }
}
