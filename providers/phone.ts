// Phone numbers are parsed once into E.164 and formatted per provider here.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { BadRequestError } from './errors.js';

export interface ParsedPhone {
  e164: string; // +6281234567890
  countryCallingCode: string; // 62
  nationalNumber: string; // 81234567890
}

/**
 * A number as E.164. With a `region`, digits without "+" are read as that region's number:
 * libphonenumber strips the region's own country code or trunk 0 ("6281…", "081…" and "81…" are
 * all +6281… for ID) and never guesses another country ("81234567890" is not Japan). Without a
 * region only the international form (+…) is accepted. The number must be valid, not merely of a
 * possible length. Errors name the field and never the number (it would land in logs and
 * workflow failures).
 */
export function parsePhoneIn(input: string, region: CountryCode | undefined, field = 'to'): ParsedPhone {
  const trimmed = input.trim();
  if (!trimmed.startsWith('+') && region === undefined) {
    throw new BadRequestError(
      `${field}: must be in international form (+ and country code) when DEFAULT_REGION is not set`,
      { field },
    );
  }
  const parsed = parsePhoneNumberFromString(trimmed, region);
  if (!parsed?.isValid()) throw new BadRequestError(`${field}: is not a valid phone number`, { field });
  return { e164: parsed.number, countryCallingCode: parsed.countryCallingCode, nationalNumber: parsed.nationalNumber };
}

/** parsePhoneIn with a region always set (provider formats: each provider's own home country). */
export function parsePhone(input: string, defaultCountry: CountryCode = 'ID', field = 'to'): ParsedPhone {
  return parsePhoneIn(input, defaultCountry, field);
}

/** `6281234567890`: international digits without "+" (Wappin, NusaSMS, SMS masking). */
export function toInternationalDigits(input: string): string {
  return parsePhone(input).e164.slice(1);
}
