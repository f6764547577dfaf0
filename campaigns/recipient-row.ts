// Validation of one imported row: E.164 phone, template parameters, IANA time zone.
import type { CountryCode } from 'libphonenumber-js';
import { parsePhoneIn } from '../providers/phone.js';
import type { NewRecipient } from '../db/campaigns.js';
import { validTimeZone } from '../lib/time-zone.js';

const MAX_PARAMS = 50;

function cell(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** `params` as an array (JSON) or a JSON array in a CSV cell, else columns param1..paramN. */
function paramsOf(row: Record<string, unknown>): string[] | undefined | string {
  const raw = row.params;
  if (raw !== undefined && raw !== null && raw !== '') {
    let list: unknown = raw;
    if (typeof raw === 'string') {
      try {
        list = JSON.parse(raw);
      } catch {
        return 'params: not a JSON array';
      }
    }
    if (!Array.isArray(list) || list.some((p) => cell(p) === undefined && p !== ''))
      return 'params: must be an array of strings or numbers';
    if (list.length > MAX_PARAMS) return `params: at most ${MAX_PARAMS}`;
    return list.map((p) => cell(p) ?? '');
  }
  const numbered = Object.keys(row)
    .map((k) => /^param(\d+)$/.exec(k))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  if (numbered.length === 0) return undefined;
  const last = numbered[numbered.length - 1]!;
  if (last > MAX_PARAMS) return `param${last}: at most ${MAX_PARAMS} parameters`;
  const out: string[] = [];
  for (let i = 1; i <= last; i++) out.push(cell(row[`param${i}`]) ?? '');
  // Trailing empty cells are columns other rows use, not parameters of this one.
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length ? out : undefined;
}

/** The first column whose cell holds a NUL character (PostgreSQL refuses it in text and jsonb). */
function nulColumn(r: Record<string, unknown>): string | undefined {
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'string' && v.includes('\0')) return k;
    if (Array.isArray(v) && v.some((p) => typeof p === 'string' && p.includes('\0'))) return k;
  }
  return undefined;
}

/**
 * The recipient, or the reason the row is refused. `region` (DEFAULT_REGION) reads numbers
 * without "+"; without it such a number is refused rather than guessed.
 */
export function validateRow(row: unknown, recipientId: number, region?: CountryCode): NewRecipient | string {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'not an object';
  const r = row as Record<string, unknown>;
  const nul = nulColumn(r);
  if (nul !== undefined) return `${nul}: must not contain NUL characters`;
  const phoneRaw = cell(r.phone);
  if (!phoneRaw) return 'phone: missing';
  // A national-looking number with no region to read it in: say what is missing (not the number).
  if (region === undefined && /^[\d\s().-]+$/.test(phoneRaw) && phoneRaw.replace(/\D/g, '').length >= 7)
    return 'phone: must be in international form (+ and country code) when DEFAULT_REGION is not set';
  let phone: string;
  try {
    phone = parsePhoneIn(phoneRaw, region, 'phone').e164;
  } catch {
    return `phone: "${phoneRaw}" is not a valid phone number`;
  }
  const params = paramsOf(r);
  if (typeof params === 'string') return params;
  const tz = cell(r.time_zone);
  if (tz && !validTimeZone(tz)) return `time_zone: "${tz}" is not an IANA time zone`;
  return { recipientId, phone, ...(params ? { params } : {}), ...(tz ? { timeZone: tz } : {}) };
}
