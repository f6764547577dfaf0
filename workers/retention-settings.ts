// The retention schedule's options from configuration (RETENTION_*).
import type { Config } from '../config/index.js';
import { parseDurationMs } from '../schemas/duration.js';
import type { RetentionScheduleOptions } from '../temporal/retention-schedule.js';
import type { RetentionAges } from '../workflows/retention.js';

// The schema validated every value as a duration.
const ms = (v: string) => parseDurationMs(v)!;

export function retentionAges(config: Config): RetentionAges {
  return {
    callbacks: ms(config.RETENTION_CALLBACKS),
    unownedCallbacks: ms(config.RETENTION_UNOWNED_CALLBACKS),
    events: ms(config.RETENTION_EVENTS),
    inbound: ms(config.RETENTION_INBOUND),
    campaignRecipients: ms(config.RETENTION_CAMPAIGN_RECIPIENTS),
    idempotencyKeys: ms(config.RETENTION_IDEMPOTENCY_KEYS),
    // The limit counts sends inside the window: never prune inside it (the activity checks again).
    otpSends: Math.max(ms(config.RETENTION_OTP_SENDS), ms(config.OTP_SEND_WINDOW)),
  };
}

export function retentionSettings(config: Config): RetentionScheduleOptions {
  return { schedule: config.RETENTION_SCHEDULE, ages: retentionAges(config), taskQueue: config.TEMPORAL_TASK_QUEUE };
}
