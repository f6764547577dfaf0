// Makes a Temporal Schedule match the configuration at worker start: created when missing, updated
// when present (keeping an operator's pause), deleted when the configuration turns it off.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';

export type ScheduleResult = 'created' | 'updated' | 'deleted' | 'off';

/** `options` undefined: the schedule is off, so an existing one is deleted. */
export async function applySchedule(
  client: Client,
  scheduleId: string,
  options: ScheduleOptions | undefined,
): Promise<ScheduleResult> {
  if (!options) {
    try {
      await client.schedule.getHandle(scheduleId).delete();
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'off';
      throw err;
    }
  }
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
