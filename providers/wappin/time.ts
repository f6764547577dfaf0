// Wappin's two clocks: unix seconds (inquiry, callbacks) and zone-less "YYYY-MM-DD HH:mm:ss"
// (the token's expired_datetime), which we read as WIB, Western Indonesian Time (UTC+7, no DST).
import { plausibleTime } from '../plausible-time.js';

const WIB_OFFSET_MS = 7 * 60 * 60 * 1000;

/** "2019-07-20 16:21:51" (WIB) or an ISO string with a zone → Date; undefined when unreadable. */
export function parseWappinDateTime(value: string): Date | undefined {
  const v = value.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v);
  if (m) {
    const n = m.slice(1).map((part) => Number(part ?? 0));
    const [y = NaN, mo = NaN, d = NaN, h = NaN, mi = NaN, s = 0] = n;
    const ms = Date.UTC(y, mo - 1, d, h, mi, s) - WIB_OFFSET_MS;
    return Number.isFinite(ms) ? new Date(ms) : undefined;
  }
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(v)) {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? new Date(ms) : undefined;
  }
  return undefined;
}

/** Date → "YYYY-MM-DD HH:mm:ss" in WIB, the form the token answer uses. */
export function formatWappinDateTime(date: Date): string {
  return new Date(date.getTime() + WIB_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * A callback/inquiry timestamp → Date. Unix seconds as documented; a value too large to be seconds
 * is taken as milliseconds (assumption: tolerated in case Wappin ever sends them), and the zone-less
 * date-time form is accepted too. Undefined when unreadable.
 */
export function parseWappinTimestamp(value: string | number): Date | undefined {
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // 1e20 is finite but no Date can hold it: the range check keeps Invalid Dates out.
    return plausibleTime(n >= 1e12 ? n : n * 1000);
  }
  const date = parseWappinDateTime(text);
  return date && plausibleTime(date.getTime());
}

/** Date → unix seconds as a string, the way Wappin sends timestamps. */
export function toUnixSeconds(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}
