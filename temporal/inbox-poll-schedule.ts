// The `kurir-sms-masking-inbox` Temporal Schedule: polls SMS masking's inbox.php into inbound_messages
// (workflows/inbox-poll.ts). Off by default, since only collocation-modem customers have an inbox;
// every worker start creates or updates it to SMS_MASKING_INBOX_POLL (keeping an operator's pause)
// and "off" deletes it, like the retention schedule. Plain options: temporal/ reads no config.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleOptions,
  type ScheduleSpec,
} from '@temporalio/client';
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

export type InboxPollScheduleResult = 'created' | 'updated' | 'deleted' | 'off';

export async function ensureInboxPollSchedule(
  client: Client,
  opts: InboxPollScheduleOptions,
): Promise<InboxPollScheduleResult> {
  const scheduleId = opts.scheduleId ?? INBOX_POLL_SCHEDULE_ID;
  const spec = inboxPollScheduleSpec(opts.schedule);
  if (!spec) {
    try {
      await client.schedule.getHandle(scheduleId).delete();
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'off';
      throw err;
    }
  }
  const options = inboxPollScheduleOptions(opts, spec);
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({
    spec: options.spec,
    action: options.action,
    policies: options.policies,
    state: previous.state,
  }));
  return 'updated';
}
