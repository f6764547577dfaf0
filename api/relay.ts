// The relay: stored callbacks → signals to the workflows that own the provider messages.
// Rows whose owner is not known yet are retried with backoff, never dropped. It resumes from the
// inbox after a restart, wakes at once after a callback is stored or a provider message is
// recorded (LISTEN kurir_relay), and sweeps every second for retries.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type pg from 'pg';
import type { Logger } from 'pino';
import { lockDueCallbacks, makePendingDue, markRelayed, markRetry, type InboxRow } from '../db/callback-inbox.js';
import { storeInbound } from '../db/inbound-messages.js';
import type { Pool } from '../db/pool.js';
import { inTransaction } from '../db/transaction.js';
import { findOwner } from '../db/provider-messages.js';
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
  private listener?: pg.PoolClient;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  /** While paused the relay leaves the inbox alone (benchmarks measure ingest by itself). */
  paused = false;

  constructor(private readonly deps: { pool: Pool; temporal: Client; endpoints: CallbackEndpoint[]; logger: Logger; sweepMs?: number; batch?: number }) {}

  async start(): Promise<void> {
    this.listener = await this.deps.pool.connect();
    this.listener.on('notification', () => {
      // A provider message was recorded: callbacks waiting for an owner may be deliverable now.
      void makePendingDue(this.deps.pool).then(() => this.wake(), () => undefined);
    });
    this.listener.on('error', () => undefined);
    await this.listener.query('LISTEN kurir_relay');
    this.timer = setInterval(() => this.wake(), this.deps.sweepMs ?? 1_000);
    this.wake();
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
    await this.running;
    if (this.listener) {
      this.listener.release();
      this.listener = undefined;
    }
  }

  /** Relays due rows until none is left. Exposed for tests. */
  async drain(): Promise<void> {
    for (;;) {
      const rows = await inTransaction(this.deps.pool, async (client) => {
        const due = await lockDueCallbacks(client, this.deps.batch ?? 100);
        // Signals about different provider messages go out concurrently, those about one message in
        // inbox order; the row updates share this transaction's connection, one at a time.
        const outcomes = await chainBy(due, (row) => this.messageKey(row), (row) => this.relayRow(row));
        for (const [i, outcome] of outcomes.entries()) await this.record(client, due[i]!, outcome);
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
    let waiting = 0;
    for (const event of parsed.events) {
      const workflowId = await findOwner(this.deps.pool, event.provider, event.providerMessageId);
      if (!workflowId) { waiting++; continue; }
      try {
        await this.deps.temporal.workflow.getHandle(workflowId).signal(statusUpdateSignal, toStatusUpdate(event, 'callback'));
      } catch (err) {
        // A finished workflow no longer needs the status; anything else is retried.
        if (!(err instanceof WorkflowNotFoundError)) return { kind: 'retry', error: err instanceof Error ? err.message : String(err) };
      }
    }
    return waiting > 0 ? { kind: 'retry', error: `no workflow owns ${waiting} provider message(s) yet` } : { kind: 'relayed' };
  }

  private async record(client: pg.PoolClient, row: InboxRow, outcome: Outcome): Promise<void> {
    if (outcome.kind === 'retry') return markRetry(client, row, outcome.error);
    if (outcome.kind === 'inbound') for (const m of outcome.messages) await storeInbound(client, m);
    await markRelayed(client, row.id);
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

type Outcome = { kind: 'relayed' } | { kind: 'retry'; error: string } | { kind: 'inbound'; messages: InboundMessage[] };
