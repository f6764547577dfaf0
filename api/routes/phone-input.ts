// The HTTP side of app/phone-input.ts: a `to` that cannot be read is a 400 naming the field.
import type { CountryCode } from 'libphonenumber-js';
import { normaliseTo, PhoneInputError } from '../../app/phone-input.js';
import { HttpError } from '../errors.js';

export function toE164Body<T>(body: T, region: CountryCode | undefined): T {
  try {
    return normaliseTo(body, region);
  } catch (err) {
    if (err instanceof PhoneInputError) throw new HttpError(400, err.message, 'validation_error', err.field);
    throw err;
  }
}
