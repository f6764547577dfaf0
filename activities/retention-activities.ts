// The retention workflow's one activity: prune every table by its age (db/retention.ts).
import { Context } from '@temporalio/activity';
import type { Pool } from '../db/pool.js';
import { pruneDue } from '../db/retention.js';
import { parseDurationMs } from '../domain/durations.js';
import type { RetentionAges, RetentionCounts } from '../workflows/retention.js';

export function createRetentionActivities(deps: { pool: Pool; otpSendWindow: string }) {
  return {
    async pruneRetention(ages: RetentionAges): Promise<RetentionCounts> {
      // The per-number OTP limit counts sends inside this worker's window: never prune inside it.
      const otpSends = Math.max(ages.otpSends, parseDurationMs(deps.otpSendWindow) ?? 0);
      const ctx = Context.current();
      const counts = await pruneDue(deps.pool, { ...ages, otpSends }, { onBatch: (c) => ctx.heartbeat(c) });
      ctx.log.info('retention run done', { ...counts });
      return counts;
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
