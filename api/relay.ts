// The relay: stored callbacks → signals to the workflows that own the provider messages.
// Rows whose owner is not known yet are retried with backoff, never dropped. It resumes from the
// inbox after a restart, wakes at once after a callback is stored or a provider message is
// recorded (LISTEN kurir_relay: only the rows waiting for that message become due), and sweeps
// every second for retries.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type pg from 'pg';
import type { Logger } from 'pino';
import { lockDueCallbacks, makeAllWaitingDue, makeWaitingDue, markRelayed, markRetry, type InboxRow } from '../db/callback-inbox.js';
import { storeInbound } from '../db/inbound-messages.js';
import type { Pool } from '../db/pool.js';
import { KeptListener } from '../db/listen.js';
import { inTransaction } from '../db/transaction.js';
import { findOwner, providerMessageKey } from '../db/provider-messages.js';
import { toStatusUpdate } from '../activities/message-activities.js';
import type { CallbackEndpoint, CallbackRequest, InboundMessage } from '../providers/types.js';
import { statusUpdateSignal } from '../workflows/messages.js';
import { observeRelayed } from './metrics.js';

export function callbackRequestFromRow(row: Pick<InboxRow, 'method' | 'query' | 'body'>): CallbackRequest {
  let body: unknown;
  try { body = row.body ? JSON.parse(row.body) : undefined; } catch { body = undefined; }
  return { method: row.method, query: row.query, headers: {}, body, rawBody: row.body };
}

export class Relay {
  private timer?: NodeJS.Timeout;
  private readonly listener: KeptListener;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  /** Provider messages recorded since the last wake-up of their waiting callbacks. */
  private recorded: string[] = [];
  private waking?: Promise<void>;
  /** Notifications may have been lost (listener reconnected, a wake-up failed). */
  private missed = false;
  /** While paused the relay leaves the inbox alone (benchmarks measure ingest by itself). */
  paused = false;

  constructor(private readonly deps: { pool: Pool; temporal: Client; endpoints: CallbackEndpoint[]; logger: Logger; sweepMs?: number; batch?: number }) {
    this.listener = new KeptListener(deps.pool, 'kurir_relay', {
      notify: (payload) => {
        // A provider message was recorded: the callbacks waiting for it are deliverable now.
        if (payload) this.recorded.push(payload);
        this.waking ??= this.wakeWaiting().finally(() => { this.waking = undefined; });
      },
      lost: (err) => this.deps.logger.warn({ err }, 'relay listener connection lost; listening again'),
      // Notifications sent while the connection was down are lost: the sweep catches up once.
      relistened: () => { this.missed = true; },
    });
  }

  async start(): Promise<void> {
    await this.listener.start();
    this.timer = setInterval(() => {
      if (this.missed) void this.catchUp();
      this.wake();
    }, this.deps.sweepMs ?? 1_000);
    this.wake();
  }

  /** Makes the rows waiting for the recorded messages due (one UPDATE for a burst of sends), then drains. */
  private async wakeWaiting(): Promise<void> {
    while (this.recorded.length > 0 && !this.stopped) {
      const keys = this.recorded.splice(0, 1_000);
      try {
        if (await makeWaitingDue(this.deps.pool, keys) > 0) this.wake();
      } catch {
        this.missed = true; // the sweep catches up once the database answers
      }
    }
  }

  /** After missed notifications: every waiting row becomes due once (their backoff can be long). */
  private async catchUp(): Promise<void> {
    this.missed = false;
    await makeAllWaitingDue(this.deps.pool).catch(() => { this.missed = true; });
  }

  /** Runs a drain now, or once more after the current one. */
  wake(): void {
    if (this.stopped || this.paused) return;
    if (this.running) { this.again = true; return; }
    this.running = this.drain().catch((err: unknown) => { this.deps.logger.warn({ err }, 'relay drain failed; will retry'); })
      .finally(() => {
        this.running = undefined;
        if (this.again) { this.again = false; this.wake(); }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.waking;
    await this.running;
    await this.listener.stop();
  }

  /** Relays due rows until none is left. Exposed for tests. */
  async drain(): Promise<void> {
    for (;;) {
      const rows = await inTransaction(this.deps.pool, async (client) => {
        const due = await lockDueCallbacks(client, this.deps.batch ?? 100);
        // Signals about different provider messages go out concurrently, those about one message in
        // inbox order; the row updates share this transaction's connection, one at a time, and
        // the relayed rows are marked in one statement.
        const outcomes = await chainBy(due, (row) => this.messageKey(row), (row) => this.relayRow(row));
        const relayed: string[] = [];
        for (const [i, outcome] of outcomes.entries()) if (await this.record(client, due[i]!, outcome)) relayed.push(due[i]!.id);
        await markRelayed(client, relayed);
        return due;
      });
      observeRelayed(this.deps.pool, rows.map((r) => r.id));
      if (rows.length < (this.deps.batch ?? 100)) return;
    }
  }

  private messageKey(row: InboxRow): string {
    try {
      const parsed = this.endpointFor(row)?.parse(callbackRequestFromRow(row));
      if (parsed?.kind === 'status' && parsed.events[0]) return `${row.provider}:${parsed.events[0].providerMessageId}`;
    } catch { /* unparseable rows are keyed alone */ }
    return `row:${row.id}`;
  }

  private endpointFor(row: InboxRow): CallbackEndpoint | undefined {
    return this.deps.endpoints.find((e) => e.provider === row.provider && e.path === row.route);
  }

  /** Delivers one stored callback; says what to record for it. */
  private async relayRow(row: InboxRow): Promise<Outcome> {
    const endpoint = this.endpointFor(row);
    if (!endpoint) return { kind: 'retry', error: `no endpoint for ${row.provider} ${row.route}` };
    let parsed;
    try {
      parsed = endpoint.parse(callbackRequestFromRow(row));
    } catch (err) {
      // It parsed when it was received; a parser change must not lose it: keep it for a later release.
      return { kind: 'retry', error: `unparseable: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (parsed.kind === 'inbound') return { kind: 'inbound', messages: parsed.messages };
    const unowned: string[] = [];
    for (const event of parsed.events) {
      const workflowId = await findOwner(this.deps.pool, event.provider, event.providerMessageId);
      if (!workflowId) { unowned.push(providerMessageKey(event.provider, event.providerMessageId)); continue; }
      try {
        await this.deps.temporal.workflow.getHandle(workflowId).signal(statusUpdateSignal, toStatusUpdate(event, 'callback'));
      } catch (err) {
        // A finished workflow no longer needs the status; anything else is retried.
        if (!(err instanceof WorkflowNotFoundError)) return { kind: 'retry', error: err instanceof Error ? err.message : String(err) };
      }
    }
    // Filed under the first unowned message; once it is owned, a retry files the row under the next.
    return unowned.length > 0 ? { kind: 'retry', error: `no workflow owns ${unowned.length} provider message(s) yet`, waitingFor: unowned[0] } : { kind: 'relayed' };
  }

  /** Records what a retry or an inbound message needs; true when the row is done (to mark relayed). */
  private async record(client: pg.PoolClient, row: InboxRow, outcome: Outcome): Promise<boolean> {
    if (outcome.kind === 'retry') {
      await markRetry(client, row, outcome.error, outcome.waitingFor);
      return false;
    }
    if (outcome.kind === 'inbound') for (const m of outcome.messages) await storeInbound(client, m);
    return true;
  }
}

/** Runs `fn` over items concurrently across keys and one after another within a key. */
function chainBy<T, R>(items: T[], key: (item: T) => string, fn: (item: T) => Promise<R>): Promise<R[]> {
  const tails = new Map<string, Promise<unknown>>();
  return Promise.all(items.map((item) => {
    const k = key(item);
    const next = (tails.get(k) ?? Promise.resolve()).then(() => fn(item));
    tails.set(k, next.catch(() => undefined));
    return next;
  }));
}

type Outcome = { kind: 'relayed' } | { kind: 'retry'; error: string; waitingFor?: string } | { kind: 'inbound'; messages: InboundMessage[] };
