// The `kurir-retention` Temporal Schedule: runs the retention workflow on the worker's task queue.
// Every worker start creates it or updates it to the worker's configuration (idempotent), keeping
// an operator's pause; RETENTION_SCHEDULE=off deletes it. Plain options: temporal/ reads no config.
import { type Client, type ScheduleOptions, type ScheduleSpec } from '@temporalio/client';
import { applySchedule, type ScheduleResult } from './apply-schedule.js';
import { parseRetentionSchedule } from '../schemas/retention-schedule.js';
import type { RetentionAges } from '../workflows/retention.js';

export const RETENTION_SCHEDULE_ID = 'kurir-retention';

export interface RetentionScheduleOptions {
  /** RETENTION_SCHEDULE: an interval ("1 hour"), a cron expression or "off". */
  schedule: string;
  ages: RetentionAges;
  taskQueue: string;
  scheduleId?: string;
}

/** The ScheduleSpec for RETENTION_SCHEDULE; undefined for "off". */
export function retentionScheduleSpec(schedule: string): ScheduleSpec | undefined {
  const parsed = parseRetentionSchedule(schedule);
  if (!parsed) throw new Error(`RETENTION_SCHEDULE: not an interval or cron expression: "${schedule}"`);
  if (parsed.kind === 'off') return undefined;
  if (parsed.kind === 'cron') return { cronExpressions: [parsed.expression] };
  return { intervals: [{ every: parsed.everyMs }] };
}

/** What the schedule does, and how: never two runs at once, no pile of runs after an outage. */
export function retentionScheduleOptions(opts: RetentionScheduleOptions, spec: ScheduleSpec): ScheduleOptions {
  const scheduleId = opts.scheduleId ?? RETENTION_SCHEDULE_ID;
  return {
    scheduleId,
    spec,
    action: {
      type: 'startWorkflow',
      workflowType: 'retention',
      workflowId: scheduleId,
      taskQueue: opts.taskQueue,
      args: [opts.ages],
      // Bounds a stuck run: with SKIP, a run that never ends would block every later one.
      workflowExecutionTimeout: '4 hours',
    },
    policies: { overlap: 'SKIP', catchupWindow: '5 minutes' },
  };
}

export async function ensureRetentionSchedule(client: Client, opts: RetentionScheduleOptions): Promise<ScheduleResult> {
  const spec = retentionScheduleSpec(opts.schedule);
  return applySchedule(client, opts.scheduleId ?? RETENTION_SCHEDULE_ID, spec && retentionScheduleOptions(opts, spec));
}
