// ITD writes wall-clock times of Chile (America/Santiago) without an offset: `26/12/2019 16:07` in
// the status callback, `2020-04-16 10:26:13.0` in the status lookup, `ddMMyyyy` in the inbound
// listing. Chile moves its clocks twice a year, so the offset is looked up per instant with Intl
// (the tz database Node ships) instead of a fixed -03:00/-04:00.
import { BadRequestError } from '../errors.js';
import { plausibleTime } from '../plausible-time.js';

export const ITD_TIME_ZONE = 'America/Santiago';

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: ITD_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** The Santiago wall clock at an instant. */
export function santiagoWallClock(date: Date): WallClock {
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(partsFormat.formatToParts(date).find((p) => p.type === type)?.value ?? NaN);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
    ms: date.getUTCMilliseconds(),
  };
}

/** Offset of Santiago from UTC at `utcMs`, in ms (e.g. -3 h in summer, -4 h in winter). */
function offsetAt(utcMs: number): number {
  const w = santiagoWallClock(new Date(utcMs));
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The UTC instant of a Santiago wall-clock time. The offset is computed at a first guess and
 * re-checked at the result, which settles across a DST change. A time inside the spring-forward gap
 * (it never existed on Chilean clocks) lands an hour off and a repeated autumn hour resolves to one
 * of its two instants: both are edge cases ITD itself cannot express unambiguously.
 */
export function santiagoToUtc(w: WallClock): Date | undefined {
  const local = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.ms);
  if (Number.isNaN(local)) return undefined;
  const check = new Date(local);
  // Date.UTC rolls 31/02 over to March: reject impossible calendar dates instead.
  if (check.getUTCFullYear() !== w.year || check.getUTCMonth() !== w.month - 1 || check.getUTCDate() !== w.day)
    return undefined;
  const first = local - offsetAt(local);
  const second = local - offsetAt(first);
  return new Date(second);
}

const CALLBACK_DATE = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/;
const LOOKUP_DATE = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?\s*$/;

function inRange(w: WallClock): boolean {
  return w.month >= 1 && w.month <= 12 && w.day >= 1 && w.day <= 31 && w.hour <= 23 && w.minute <= 59 && w.second <= 59;
}

/**
 * Parses an ITD date: the callback form `dd/MM/yyyy HH:mm` or the lookup form
 * `yyyy-MM-dd HH:mm:ss.S`, both Santiago local time. Undefined when it is neither.
 */
export function parseItdDate(text: string): Date | undefined {
  let w: WallClock | undefined;
  const c = CALLBACK_DATE.exec(text);
  if (c)
    w = {
      day: Number(c[1]),
      month: Number(c[2]),
      year: Number(c[3]),
      hour: Number(c[4]),
      minute: Number(c[5]),
      second: Number(c[6] ?? 0),
      ms: 0,
    };
  const l = c ? null : LOOKUP_DATE.exec(text);
  if (l)
    w = {
      year: Number(l[1]),
      month: Number(l[2]),
      day: Number(l[3]),
      hour: Number(l[4]),
      minute: Number(l[5]),
      second: Number(l[6] ?? 0),
      ms: Number((l[7] ?? '0').padEnd(3, '0')),
    };
  const date = w && inRange(w) ? santiagoToUtc(w) : undefined;
  return date && plausibleTime(date.getTime());
}

/**
 * Epoch timestamps in the inbound bodies are milliseconds (1582637824000); small values are read as
 * seconds. A value that is no plausible time is refused (400) rather than becoming an Invalid Date.
 */
export function fromEpoch(value: number, field = 'sendAt'): Date {
  const date = plausibleTime(value < 1e11 ? value * 1000 : value);
  if (!date)
    throw new BadRequestError(`itd callback: ${field}: ${value} is not a time between 2000 and ten years from now`, {
      provider: 'itd',
      field,
    });
  return date;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `dd/MM/yyyy HH:mm` in Santiago: the status callback's `sent_at`. */
export function formatCallbackDate(date: Date): string {
  const w = santiagoWallClock(date);
  return `${pad(w.day)}/${pad(w.month)}/${w.year} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** `yyyy-MM-dd HH:mm:ss.S` in Santiago: the status lookup's `sent_at` / `delivered_at`. */
export function formatLookupDate(date: Date): string {
  const w = santiagoWallClock(date);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}.${Math.floor(w.ms / 100)}`;
}

/** `ddMMyyyy` in Santiago: the `sendAt` filter of recievedWhatsapp. */
export function formatDayParam(date: Date): string {
  const w = santiagoWallClock(date);
  return `${pad(w.day)}${pad(w.month)}${w.year}`;
}

/** Start of the Santiago day named by `ddMMyyyy`, or undefined when it is not a date. */
export function parseDayParam(text: string): Date | undefined {
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(text);
  if (!m) return undefined;
  const w = { day: Number(m[1]), month: Number(m[2]), year: Number(m[3]), hour: 0, minute: 0, second: 0, ms: 0 };
  return inRange(w) ? santiagoToUtc(w) : undefined;
}
