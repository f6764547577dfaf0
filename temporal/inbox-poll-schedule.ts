// The `kurir-sms-masking-inbox` Temporal Schedule: polls SMS masking's inbox.php into inbound_messages
// (workflows/inbox-poll.ts). Off by default, since only collocation-modem customers have an inbox;
// every worker start creates or updates it to SMS_MASKING_INBOX_POLL (keeping an operator's pause)
// and "off" deletes it, like the retention schedule. Plain options: temporal/ reads no config.
import { type Client, type ScheduleOptions, type ScheduleSpec } from '@temporalio/client';
import { applySchedule, type ScheduleResult } from './apply-schedule.js';
import { parseRetentionSchedule } from '../schemas/retention-schedule.js';

export const INBOX_POLL_SCHEDULE_ID = 'kurir-sms-masking-inbox';

export interface InboxPollScheduleOptions {
  /** SMS_MASKING_INBOX_POLL: an interval ("1 minute"), a cron expression or "off". */
  schedule: string;
  taskQueue: string;
  scheduleId?: string;
}

/** The ScheduleSpec for SMS_MASKING_INBOX_POLL (the retention schedule's syntax); undefined for "off". */
export function inboxPollScheduleSpec(schedule: string): ScheduleSpec | undefined {
  const parsed = parseRetentionSchedule(schedule);
  if (!parsed) throw new Error(`SMS_MASKING_INBOX_POLL: not an interval or cron expression: "${schedule}"`);
  if (parsed.kind === 'off') return undefined;
  if (parsed.kind === 'cron') return { cronExpressions: [parsed.expression] };
  return { intervals: [{ every: parsed.everyMs }] };
}

function inboxPollScheduleOptions(opts: InboxPollScheduleOptions, spec: ScheduleSpec): ScheduleOptions {
  const scheduleId = opts.scheduleId ?? INBOX_POLL_SCHEDULE_ID;
  return {
    scheduleId,
    spec,
    action: {
      type: 'startWorkflow',
      workflowType: 'inboxPoll',
      workflowId: scheduleId,
      taskQueue: opts.taskQueue,
      args: ['sms-masking'],
      // A poll is one HTTP call and a few inserts; a stuck run must not block the next (SKIP).
      workflowExecutionTimeout: '10 minutes',
    },
    // Missed polls are not worth replaying: the next one reads the same inbox.
    policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
  };
}

export async function ensureInboxPollSchedule(client: Client, opts: InboxPollScheduleOptions): Promise<ScheduleResult> {
  const spec = inboxPollScheduleSpec(opts.schedule);
  return applySchedule(client, opts.scheduleId ?? INBOX_POLL_SCHEDULE_ID, spec && inboxPollScheduleOptions(opts, spec));
}
