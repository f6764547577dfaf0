// Phone numbers are parsed once into E.164 and formatted per provider here.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { BadRequestError } from './errors.js';

export interface ParsedPhone {
  e164: string;          // +6281234567890
  countryCallingCode: string; // 62
  nationalNumber: string;     // 81234567890
}

export function parsePhone(input: string, defaultCountry: CountryCode = 'ID', field = 'to'): ParsedPhone {
  const trimmed = input.trim();
  // Accept the providers' own forms too: "6281…" (international without +) and "0812…" (national).
  const candidate = /^\d{10,15}$/.test(trimmed) && !trimmed.startsWith('0') ? `+${trimmed}` : trimmed;
  const parsed = parsePhoneNumberFromString(candidate, defaultCountry);
  if (!parsed?.isPossible()) throw new BadRequestError(`${field}: "${input}" is not a valid phone number`, { field });
  return { e164: parsed.number, countryCallingCode: parsed.countryCallingCode, nationalNumber: parsed.nationalNumber };
}

/** `6281234567890`: international digits without "+" (Wappin, NusaSMS, SMS masking). */
export function toInternationalDigits(input: string): string {
  return parsePhone(input).e164.slice(1);
}
