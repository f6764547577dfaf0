// Paces sends to a provider's cap across every worker: each send waits for a slot reserved in
// PostgreSQL (db/send-pacing.ts), evenly spaced, so no second carries more sends than the cap.
// The provider's task queue keeps its server-side cap too (the backlog waits on the server, not
// in worker slots), but that one is a token bucket, whose bursts can double the cap for a second.
import { Context } from '@temporalio/activity';
import { ensurePacingRow, reserveSendSlots } from '../db/send-pacing.js';
import type pg from 'pg';
import type { Pool } from '../db/pool.js';
import { NoSendSlotError } from '../providers/errors.js';
import { DbClock } from './db-clock.js';
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
/**
 * This process lets at most `cap` sends to a provider go in any window this long. The schedule
 * spaces the slots; this bounds what a busy event loop does after a slot is taken (a send that
 * leaves late, then others on time) with what the provider counts: a second, plus the spread of the
 * time a request takes to reach it.
 */
const RELEASE_WINDOW_MS = 1_030;

/** Resolves when the provider may be sent to; throws NoSendSlotError (a retryable RateLimitedError) when its slots are taken. */
export type SendPacer = (provider: ProviderName) => Promise<void>;

/** A reserved slot: at `due` (performance.now()) at the latest, and up to `uncertainMs` earlier. */
interface Slot {
  due: number;
  uncertainMs: number;
}

async function withConnection<T>(pool: Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

interface Asker {
  resolve: (slot: Slot | { retryAfterMs: number }) => void;
  reject: (err: unknown) => void;
}

export function createSendPacer(pool: Pool, ratesPerSecond: Partial<Record<ProviderName, number>>): SendPacer {
  const rows = new Map<ProviderName, Promise<void>>();
  // Sends asking in the same turn of the event loop (a campaign's batch) share one reservation.
  const asking = new Map<ProviderName, Asker[]>();
  const dbClock = new DbClock();
  // When this process let its latest sends go, per provider (oldest first, at most `cap`).
  const released = new Map<ProviderName, number[]>();

  /** Waits until this process has let fewer than `cap` sends to the provider go in the last window. */
  async function admit(provider: ProviderName, cap: number): Promise<void> {
    let times = released.get(provider);
    if (!times) released.set(provider, (times = []));
    for (;;) {
      const now = performance.now();
      while (times.length > 0 && times[0]! <= now - RELEASE_WINDOW_MS) times.shift();
      if (times.length < cap) {
        times.push(now);
        return;
      }
      await Context.current().sleep(times[0]! + RELEASE_WINDOW_MS - now);
    }
  }

  function reserve(provider: ProviderName, rate: number): Promise<Slot | { retryAfterMs: number }> {
    return new Promise((resolve, reject) => {
      const queue = asking.get(provider);
      if (queue) return queue.push({ resolve, reject });
      const askers: Asker[] = [{ resolve, reject }];
      asking.set(provider, askers);
      setImmediate(() => {
        asking.delete(provider);
        let sent = 0;
        // On a connection of its own: the round trip then excludes the wait for a pooled connection.
        withConnection(pool, async (client) => {
          sent = performance.now();
          return reserveSendSlots(client, provider, askers.length, {
            intervalMs: (1_000 / rate) * MARGIN,
            toleranceMs: TOLERANCE_MS,
            maxWaitMs: MAX_WAIT_MS,
          });
        }).then(
          (reserved) => {
            const slots = 'slots' in reserved ? reserved.slots : [];
            if ('dbNowMs' in reserved) dbClock.observe(sent, performance.now(), reserved.dbNowMs);
            // Those that found no slot come back when the schedule has room (at least the slots' interval).
            const retryAfterMs = Math.max(
              'retryAfterMs' in reserved ? reserved.retryAfterMs : 0,
              (1_000 / rate) * MARGIN,
            );
            askers.forEach((a, i) => {
              const waitMs = slots[i];
              if (waitMs === undefined || !('dbNowMs' in reserved)) return a.resolve({ retryAfterMs });
              const { at, uncertainMs } = dbClock.toLocal(reserved.dbNowMs + waitMs);
              a.resolve({ due: at, uncertainMs });
            });
          },
          (err: unknown) => askers.forEach((a) => a.reject(err)),
        );
      });
    });
  }

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
    for (;;) {
      const slot = await reserve(provider, rate);
      if ('retryAfterMs' in slot)
        throw new NoSendSlotError(
          `${provider}: no send slot within ${MAX_WAIT_MS / 1000} s at its cap of ${rate}/s`,
          slot.retryAfterMs,
          { provider },
        );
      const { due } = slot;
      // Cancellation-aware: a cancelled activity stops waiting.
      const left = due - performance.now();
      if (left > 0) await Context.current().sleep(left);
      // A slow answer or a busy process makes a send late: later than the tolerance it would crowd
      // the next second beyond the cap, so it gives its slot up and takes a new one.
      if (performance.now() - due + slot.uncertainMs <= TOLERANCE_MS) {
        if (rate >= 1) await admit(provider, Math.floor(rate));
        return;
      }
    }
  };
}
