// One activity for many campaign recipients' calls (workflows/recipient-runner.ts): sends, number
// checks, provider picks and status lookups run side by side, and each item answers with its value
// or its error, which the workflow retries under the item's own policy. The batch as a whole fails
// only when the worker or the database does; Temporal then retries it, and the sends in it stay
// idempotent (sendStep finds the provider message a step already has).
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ProviderName } from '../providers/types.js';
import type { StatusUpdate } from '../workflows/types.js';
import {
  createMessageActivities,
  type SendStepInput,
  type SendStepResult,
  type SendStepSkipped,
} from './message-activities.js';
import { createSendPacer } from './send-pacer.js';
import { NoSendSlotError } from '../providers/errors.js';

export type BatchCall =
  | { op: 'send'; input: SendStepInput }
  | { op: 'check'; input: { provider: ProviderName; to: string } }
  | { op: 'pick'; input: { providers: ProviderName[] } }
  | { op: 'status'; input: { provider: ProviderName; providerMessageId: string } };

export type BatchValue =
  | SendStepResult
  | SendStepSkipped
  | { supported: boolean; valid: boolean; providerCode?: string }
  | ProviderName
  | { supported: boolean; updates: StatusUpdate[] };

export type BatchAnswer =
  | { ok: true; value: BatchValue }
  | { ok: false; type: string; message: string; nonRetryable: boolean; retryAfterMs?: number };

const HEARTBEAT_MS = 5_000;
/** How long a batch's sends may wait for a free slot before the workflow is told (well inside its 2-minute timeout). */
const SLOT_WAIT_BUDGET_MS = 60_000;

export function createBatchActivities(
  deps: Parameters<typeof createMessageActivities>[0] & { rateLimits?: Partial<Record<ProviderName, number>> },
) {
  // Sends wait for their provider's slot in PostgreSQL (activities/send-pacer.ts), shared with the
  // single messages' send queues: one cap per provider whatever sends.
  const acts = createMessageActivities({
    ...deps,
    ...(deps.rateLimits ? { pace: createSendPacer(deps.pool, deps.rateLimits) } : {}),
  });
  /**
   * A send that found no slot asks again when one should be free, inside this activity while it has
   * time: its batch waits for its slowest send anyway, and an answer handed back now would only
   * come back to the workflow when the whole batch has.
   */
  async function sendWhenSlotFree(input: SendStepInput): Promise<BatchValue> {
    const until = Date.now() + SLOT_WAIT_BUDGET_MS;
    for (;;) {
      try {
        return await acts.sendStep(input);
      } catch (err) {
        if (!(err instanceof NoSendSlotError) || Date.now() + err.retryAfterMs > until) throw err;
        await Context.current().sleep(Math.max(err.retryAfterMs, 100));
      }
    }
  }
  const call = (c: BatchCall): Promise<BatchValue> => {
    switch (c.op) {
      case 'send':
        return sendWhenSlotFree(c.input);
      case 'check':
        return acts.checkNumber(c.input);
      case 'pick':
        return acts.pickProvider(c.input);
      case 'status':
        return acts.fetchStatus(c.input);
    }
  };
  return {
    async runBatch(calls: BatchCall[]): Promise<BatchAnswer[]> {
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_MS);
      try {
        return await Promise.all(
          calls.map(async (c): Promise<BatchAnswer> => {
            try {
              return { ok: true, value: await call(c) };
            } catch (err) {
              const failure = err instanceof ApplicationFailure;
              const e = err instanceof Error ? err : new Error(String(err));
              return {
                ok: false,
                type: failure ? (err.type ?? 'Error') : e.name,
                message: e.message,
                nonRetryable: failure && err.nonRetryable === true,
                ...(err instanceof NoSendSlotError ? { retryAfterMs: Math.round(err.retryAfterMs) } : {}),
              };
            }
          }),
        );
      } finally {
        clearInterval(beat);
      }
    },
  };
}

export type BatchActivities = ReturnType<typeof createBatchActivities>;
