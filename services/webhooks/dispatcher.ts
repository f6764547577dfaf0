// Delivers webhook events: claims due deliveries (SKIP LOCKED, with a lease, so several API
// processes share the work), POSTs each signed per Standard Webhooks, and records the answer:
// 2xx is delivered; anything else is retried with exponential backoff and jitter until the retry
// budget is spent, then dead-lettered (GET /v1/webhooks/:id/failures, POST …/replay).
// It wakes when an event commits (LISTEN kurir_events) or a delivery finishes, and sweeps for retries.
import type { Logger } from 'pino';
import { createHash } from 'node:crypto';
import { signWebhook } from '../../lib/crypto/webhook-signature.js';
import type { Config } from '../../config/index.js';
import type { Pool } from '../../db/pool.js';
import {
  claimDueDeliveries,
  listSubscriptions,
  markAttemptFailed,
  markDelivered,
  resealSubscription,
  type ClaimedDelivery,
} from '../../db/webhooks.js';
import { parseDurationMs } from '../../schemas/duration.js';
import { CoalescingTrigger } from '../coalescing-trigger.js';
import type { EventNotifier } from '../event-notifier.js';
import { classifyError, DeliveryError, postPinned, statusClass } from './pinned-request.js';
import { SecretBox } from './secret-box.js';
import { parseWebhookUrl, type ResolveAll } from './url-policy.js';

type WebhookConfig = Pick<
  Config,
  | 'WEBHOOK_SECRET_KEY'
  | 'WEBHOOK_RETRY_BUDGET'
  | 'WEBHOOK_INITIAL_BACKOFF'
  | 'WEBHOOK_MAX_BACKOFF'
  | 'WEBHOOK_TIMEOUT'
  | 'WEBHOOK_CONCURRENCY'
  | 'WEBHOOK_ALLOW_PRIVATE'
  | 'NODE_ENV'
> &
  Partial<Pick<Config, 'WEBHOOK_CONCURRENCY_PER_ENDPOINT'>>;

/**
 * The `webhook-id` header (and the signed id): the event id when it is header-safe, else a hash of
 * it. Inbound event ids embed a provider's message id, which may hold any character.
 */
export function webhookId(eventId: string): string {
  if (/^[A-Za-z0-9:_.-]{1,200}$/.test(eventId)) return eventId;
  return `evh_${createHash('sha256').update(eventId).digest('base64url')}`;
}

const ms = (d: string) => parseDurationMs(d) ?? 0;

/** Exponential backoff with equal jitter: half the step fixed, half random, so retries spread out. */
export function backoffMs(attempts: number, initialMs: number, maxMs: number, random = Math.random()): number {
  const step = Math.min(initialMs * 2 ** Math.max(0, attempts - 1), maxMs);
  return step / 2 + random * (step / 2);
}

export class WebhookDispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  /** In-flight deliveries per subscription: a black-holed endpoint holds at most its own cap of slots. */
  private readonly perSubscription = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private readonly claims: CoalescingTrigger;
  private readonly budgetMs: number;
  private readonly timeoutMs: number;
  private readonly box: SecretBox;

  constructor(
    private readonly deps: {
      pool: Pool;
      logger: Logger;
      config: WebhookConfig;
      notifier?: EventNotifier;
      sweepMs?: number;
      resolve?: ResolveAll;
    },
  ) {
    this.budgetMs = ms(deps.config.WEBHOOK_RETRY_BUDGET);
    this.timeoutMs = ms(deps.config.WEBHOOK_TIMEOUT);
    this.box = new SecretBox(deps.config.WEBHOOK_SECRET_KEY);
    this.claims = new CoalescingTrigger(
      () => this.claim(),
      (err) => {
        this.deps.logger.warn({ err }, 'webhook claim failed; will retry');
      },
    );
  }

  start(): void {
    void this.resealAll().catch((err: unknown) => {
      this.deps.logger.warn({ err }, 'webhook secrets: resealing with the current WEBHOOK_SECRET_KEY failed');
    });
    this.claims.resume();
    this.unsubscribe = this.deps.notifier?.subscribe(() => this.wake());
    this.timer = setInterval(() => this.wake(), this.deps.sweepMs ?? 1_000);
    this.wake();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.timer);
    await this.claims.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * After a key rotation ("new,old" in WEBHOOK_SECRET_KEY), seals every secret with the new key, so
   * the old one can be dropped once a process has started. Subscriptions are few; this is one pass.
   */
  async resealAll(): Promise<number> {
    let resealed = 0;
    for (const row of await listSubscriptions(this.deps.pool)) {
      const prev = row.previous_secret_encrypted;
      if (this.box.isCurrent(row.secret_encrypted) && (prev === null || this.box.isCurrent(prev))) continue;
      const reseal = (stored: string) => this.box.seal(this.box.open(stored, row.id), row.id);
      let sealed: { secret: string; previous: string | null };
      try {
        sealed = { secret: reseal(row.secret_encrypted), previous: prev === null ? null : reseal(prev) };
      } catch (err) {
        // Its key is gone from the keyring: its deliveries fail (and dead-letter) until it is re-created.
        this.deps.logger.warn(
          { err, subscriptionId: row.id },
          'webhook secret cannot be opened with WEBHOOK_SECRET_KEY',
        );
        continue;
      }
      await resealSubscription(this.deps.pool, row, sealed);
      resealed++;
    }
    if (resealed > 0) this.deps.logger.info({ resealed }, 'webhook secrets resealed with the current key');
    return resealed;
  }

  /** Claims more work now, or once more after the current claim. */
  wake(): void {
    this.claims.fire();
  }

  private async claim(): Promise<void> {
    const free = this.deps.config.WEBHOOK_CONCURRENCY - this.inFlight.size;
    if (free <= 0) return;
    // The lease outlives the request timeout: a claim comes back only if this process died.
    const claimed = await claimDueDeliveries(this.deps.pool, {
      limit: free,
      leaseMs: this.timeoutMs + 30_000,
      budgetMs: this.budgetMs,
      perSubscription: this.deps.config.WEBHOOK_CONCURRENCY_PER_ENDPOINT ?? 4,
      inFlight: this.perSubscription,
    });
    for (const c of claimed) {
      this.perSubscription.set(c.subscriptionId, (this.perSubscription.get(c.subscriptionId) ?? 0) + 1);
      const p = this.deliver(c)
        .catch((err: unknown) => {
          this.deps.logger.warn({ err, eventId: c.event.id }, 'webhook delivery bookkeeping failed');
        })
        .finally(() => {
          this.inFlight.delete(p);
          const left = (this.perSubscription.get(c.subscriptionId) ?? 1) - 1;
          if (left > 0) this.perSubscription.set(c.subscriptionId, left);
          else this.perSubscription.delete(c.subscriptionId);
          this.wake();
        });
      this.inFlight.add(p);
    }
  }

  private async deliver(c: ClaimedDelivery): Promise<void> {
    let status: number | undefined;
    let error: string | undefined;
    try {
      // Checked again at send time, and the connection goes to the address checked (DNS rebinding).
      const url = parseWebhookUrl(c.url, { production: this.deps.config.NODE_ENV === 'production' });
      const body = JSON.stringify(c.event);
      const timestamp = Math.floor(Date.now() / 1000);
      const id = webhookId(c.event.id);
      const res = await postPinned({
        url,
        body,
        timeoutMs: this.timeoutMs,
        allowPrivate: this.deps.config.WEBHOOK_ALLOW_PRIVATE,
        resolve: this.deps.resolve,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'kurir-webhooks/1',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          // During a secret rotation both secrets sign (space-separated, as Standard Webhooks allows).
          'webhook-signature': [c.secretEncrypted, c.previousSecretEncrypted]
            .filter((s) => s !== undefined)
            .map((s) => signWebhook(this.box.open(s, c.subscriptionId), id, timestamp, body))
            .join(' '),
        },
      });
      status = res.status;
      if (status >= 200 && status < 300) return await markDelivered(this.deps.pool, c.deliveryId, status);
      throw new DeliveryError(statusClass(status), status);
    } catch (err) {
      error = classifyError(err);
      if (error === 'connection_error')
        this.deps.logger.debug({ err, eventId: c.event.id }, 'webhook connection error');
    }
    const now = Date.now();
    const giveUpAt = c.giveUpAt.getTime();
    const retryAt =
      now >= giveUpAt
        ? undefined
        : new Date(
            Math.min(
              now +
                backoffMs(
                  c.attempts,
                  ms(this.deps.config.WEBHOOK_INITIAL_BACKOFF),
                  ms(this.deps.config.WEBHOOK_MAX_BACKOFF),
                ),
              giveUpAt,
            ),
          );
    this.deps.logger.debug(
      { eventId: c.event.id, attempts: c.attempts, status, error, dead: retryAt === undefined },
      'webhook attempt failed',
    );
    await markAttemptFailed(this.deps.pool, c.deliveryId, { status, error: error ?? 'failed', retryAt });
  }
}
