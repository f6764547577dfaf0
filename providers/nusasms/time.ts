// NusaSMS dates: `2017-09-25 17:49:05.0`, no zone. Assumption: Jakarta time (WIB, UTC+7, no DST),
// the provider's home; a date that carries its own zone (ISO) keeps it.
import { plausibleTime } from '../plausible-time.js';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;

export function parseNusaDate(value: string | undefined): Date | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const m = LOCAL.exec(v);
  if (m) {
    const [, y, mo, d, h, mi, s, ms] = m;
    const utc = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h) - 7,
      Number(mi),
      Number(s ?? 0),
      Number((ms ?? '0').padEnd(3, '0')),
    );
    return plausibleTime(utc);
  }
  if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(v)) {
    return plausibleTime(new Date(v).getTime());
  }
  return undefined;
}

/** The inverse, for the sandbox: `yyyy-MM-dd HH:mm:ss.S` in WIB. */
export function formatNusaDate(date: Date): string {
  const wib = new Date(date.getTime() + 7 * 3_600_000).toISOString();
  return `${wib.slice(0, 10)} ${wib.slice(11, 19)}.${wib.slice(20, 21)}`;
}
