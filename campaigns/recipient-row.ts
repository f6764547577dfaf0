// Validation of one imported row: E.164 phone, template parameters, IANA time zone.
import { parsePhone } from '../providers/phone.js';
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
      try { list = JSON.parse(raw); } catch { return 'params: not a JSON array'; }
    }
    if (!Array.isArray(list) || list.some((p) => cell(p) === undefined && p !== '')) return 'params: must be an array of strings or numbers';
    if (list.length > MAX_PARAMS) return `params: at most ${MAX_PARAMS}`;
    return list.map((p) => cell(p) ?? '');
  }
  const numbered = Object.keys(row).map((k) => /^param(\d+)$/.exec(k)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  if (numbered.length === 0) return undefined;
  const last = numbered[numbered.length - 1]!;
  if (last > MAX_PARAMS) return `param${last}: at most ${MAX_PARAMS} parameters`;
  const out: string[] = [];
  for (let i = 1; i <= last; i++) out.push(cell(row[`param${i}`]) ?? '');
  // Trailing empty cells are columns other rows use, not parameters of this one.
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length ? out : undefined;
}

/** The recipient, or the reason the row is refused. */
export function validateRow(row: unknown, recipientId: number, defaultCountry: Parameters<typeof parsePhone>[1] = 'ID'): NewRecipient | string {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'not an object';
  const r = row as Record<string, unknown>;
  const phoneRaw = cell(r.phone);
  if (!phoneRaw) return 'phone: missing';
  let phone: string;
  try { phone = parsePhone(phoneRaw, defaultCountry, 'phone').e164; } catch { return `phone: "${phoneRaw}" is not a valid phone number`; }
  const params = paramsOf(r);
  if (typeof params === 'string') return params;
  const tz = cell(r.time_zone);
  if (tz && !validTimeZone(tz)) return `time_zone: "${tz}" is not an IANA time zone`;
  return { recipientId, phone, ...(params ? { params } : {}), ...(tz ? { timeZone: tz } : {}) };
}
