// The times a provider can mean. Anything else is a typo, a unit mix-up or an attack, and used to
// reach the database as an Invalid Date or a year it cannot store, failing the relay over and over
// (security review H1). The past bound is fixed, not "ten years ago", so documented sample dates
// (2017, 2019) keep parsing in the years to come.
export const EARLIEST_PROVIDER_TIME_MS = Date.UTC(2000, 0, 1);
export const MAX_FUTURE_MS = 10 * 365.25 * 24 * 3_600_000;

/** `ms` as a Date when it is between 2000-01-01 and ten years from `nowMs`; otherwise undefined. */
export function plausibleTime(ms: number, nowMs: number = Date.now()): Date | undefined {
  return Number.isFinite(ms) && ms >= EARLIEST_PROVIDER_TIME_MS && ms <= nowMs + MAX_FUTURE_MS
    ? new Date(ms)
    : undefined;
}

/** The same check on a Date (an Invalid Date is never plausible). */
export const isPlausibleDate = (d: Date, nowMs?: number): boolean => plausibleTime(d.getTime(), nowMs) !== undefined;
