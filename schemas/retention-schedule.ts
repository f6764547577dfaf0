// RETENTION_SCHEDULE: how often the retention workflow runs. Pure: config validates with it and
// temporal/retention-schedule.ts turns it into a Temporal ScheduleSpec.
import { parseDurationMs } from '../domain/durations.js';

export type RetentionSchedule =
  { kind: 'interval'; everyMs: number } | { kind: 'cron'; expression: string } | { kind: 'off' };

// Five cron fields (minute hour day-of-month month day-of-week), or a predefined @hourly-style name.
const CRON_FIELD = /^[0-9A-Za-z*,/?#-]+$/;
const CRON_NAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

export function parseRetentionSchedule(value: string): RetentionSchedule | undefined {
  const v = value.trim();
  if (v === 'off') return { kind: 'off' };
  const everyMs = parseDurationMs(v);
  // At least a minute: a tighter loop would only repeat scans that found nothing.
  if (everyMs !== undefined)
    return everyMs >= 60_000 && everyMs <= 366 * 86_400_000 ? { kind: 'interval', everyMs } : undefined;
  if (CRON_NAMES.has(v)) return { kind: 'cron', expression: v };
  const fields = v.split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f))
    ? { kind: 'cron', expression: fields.join(' ') }
    : undefined;
}

export const isRetentionSchedule = (value: string): boolean => parseRetentionSchedule(value) !== undefined;
