// Paces sends to a provider's cap across every worker: each send waits for a slot reserved in
// PostgreSQL (db/send-pacing.ts), evenly spaced, so no second carries more sends than the cap.
// The provider's task queue keeps its server-side cap too (the backlog waits on the server, not
// in worker slots), but that one is a token bucket, whose bursts can double the cap for a second.
import { Context } from '@temporalio/activity';
import { ensurePacingRow, reserveSendSlot } from '../db/send-pacing.js';
import type { Pool } from '../db/pool.js';
import { RateLimitedError } from '../providers/errors.js';
import type { ProviderName } from '../providers/types.js';

/** A slot further away is not taken: the send is retried later instead of waiting near its timeout. */
const MAX_WAIT_MS = 10_000;
/**
 * Slots m = 3 % further apart than the cap's (interval T = m × 1000 ms / cap), and a send up to
 * τ < 1000 ms × (m − 1) late still takes its scheduled slot. Any one second then holds at most
 * floor((1000 + τ) / T) + 1 = cap sends, and sends that the server's dispatch hands over a little
 * late cost no rate.
 */
const MARGIN = 1.03;
const TOLERANCE_MS = 1_000 * (MARGIN - 1) - 1;

/** Resolves when the provider may be sent to; throws RateLimitedError (retryable) when its slots are taken. */
export type SendPacer = (provider: ProviderName) => Promise<void>;

export function createSendPacer(pool: Pool, ratesPerSecond: Partial<Record<ProviderName, number>>): SendPacer {
  const rows = new Map<ProviderName, Promise<void>>();
  return async (provider) => {
    const rate = ratesPerSecond[provider];
    if (!rate) return;
    let row = rows.get(provider);
    if (!row) {
      row = ensurePacingRow(pool, provider);
      rows.set(provider, row);
      row.catch(() => rows.delete(provider));
    }
    await row;
    const waitMs = await reserveSendSlot(pool, provider, {
      intervalMs: (1_000 / rate) * MARGIN,
      toleranceMs: TOLERANCE_MS,
      maxWaitMs: MAX_WAIT_MS,
    });
    if (waitMs === undefined)
      throw new RateLimitedError(`${provider}: no send slot within ${MAX_WAIT_MS / 1000} s at its cap of ${rate}/s`, {
        provider,
      });
    // Cancellation-aware: a cancelled activity stops waiting.
    if (waitMs > 0) await Context.current().sleep(waitMs);
  };
}
