// The relay: stored callbacks → signals to the workflows that own the provider messages.
// Rows whose owner is not known yet are retried with backoff, never dropped. It resumes from the
// inbox after a restart, wakes at once after a callback is stored or a provider message is
// recorded (LISTEN kurir_relay: only the rows waiting for that message become due), and sweeps
// every second for retries.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type pg from 'pg';
import type { Logger } from 'pino';
import { lockDueCallbacks, makeAllWaitingDue, makeWaitingDue, markRelayed, markRetries, type InboxRow, type Retry } from '../db/callback-inbox.js';
import { storeInbound } from '../db/inbound-messages.js';
import type { Pool } from '../db/pool.js';
import { KeptListener } from '../db/listen.js';
import { inTransaction } from '../db/transaction.js';
import { findOwners, providerMessageKey } from '../db/provider-messages.js';
import { toStatusUpdate } from '../providers/status-update.js';
import type { CallbackEndpoint, CallbackRequest, InboundMessage, StatusEvent } from '../providers/types.js';
import { statusUpdateSignal, statusUpdatesSignal } from '../workflows/messages.js';
import type { StatusUpdate } from '../workflows/types.js';
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
      const batch = await inTransaction(this.deps.pool, async (client) => {
        const due = await lockDueCallbacks(client, this.deps.batch ?? 100);
        const outcomes = await this.relayBatch(client, due);
        // The row updates share this transaction's connection: one statement for the retries, one
        // for the relayed rows (round trips are what a busy database host pays for).
        const retries: Retry[] = [];
        const relayed: string[] = [];
        for (const [i, outcome] of outcomes.entries()) {
          const row = due[i]!;
          if (outcome.kind === 'retry') { retries.push({ row, error: outcome.error, waitingFor: outcome.waitingFor }); continue; }
          if (outcome.kind === 'inbound') for (const m of outcome.messages) await storeInbound(client, m);
          relayed.push(row.id);
        }
        await markRetries(client, retries);
        return { due: due.length, lags: await markRelayed(client, relayed) };
      });
      observeRelayed(batch.lags);
      if (batch.due < (this.deps.batch ?? 100)) return;
    }
  }

  private endpointFor(row: InboxRow): CallbackEndpoint | undefined {
    return this.deps.endpoints.find((e) => e.provider === row.provider && e.path === row.route);
  }

  /**
   * Delivers a batch of stored callbacks; says what to record for each. Owners are looked up in
   * one query, and each workflow gets the batch's statuses for it in one signal, in inbox order
   * (a message's sent, delivered and read callbacks often land in one batch under load).
   */
  private async relayBatch(client: pg.PoolClient, due: InboxRow[]): Promise<Outcome[]> {
    const parsed = due.map((row) => this.parseRow(row));
    const events = parsed.flatMap((p) => (p.kind === 'status' ? p.events : []));
    const owners = await findOwners(client, events);
    const perWorkflow = new Map<string, { updates: StatusUpdate[]; rows: Set<number> }>();
    const unowned = new Map<number, string[]>();
    for (const [i, p] of parsed.entries()) {
      if (p.kind !== 'status') continue;
      for (const event of p.events) {
        const key = providerMessageKey(event.provider, event.providerMessageId);
        const workflowId = owners.get(key);
        if (!workflowId) { unowned.set(i, [...(unowned.get(i) ?? []), key]); continue; }
        const group = perWorkflow.get(workflowId) ?? { updates: [], rows: new Set<number>() };
        group.updates.push(toStatusUpdate(event, 'callback'));
        group.rows.add(i);
        perWorkflow.set(workflowId, group);
      }
    }
    const failed = new Map<number, string>();
    await Promise.all([...perWorkflow].map(async ([workflowId, group]) => {
      const error = await this.signal(workflowId, group.updates);
      if (error) for (const i of group.rows) failed.set(i, error);
    }));
    return parsed.map((p, i): Outcome => {
      if (p.kind !== 'status') return p;
      const error = failed.get(i);
      if (error) return { kind: 'retry', error };
      const waiting = unowned.get(i);
      // Filed under the first unowned message; once it is owned, a retry files the row under the next.
      return waiting ? { kind: 'retry', error: `no workflow owns ${waiting.length} provider message(s) yet`, waitingFor: waiting[0] } : { kind: 'relayed' };
    });
  }

  private parseRow(row: InboxRow): Outcome | { kind: 'status'; events: StatusEvent[] } {
    const endpoint = this.endpointFor(row);
    if (!endpoint) return { kind: 'retry', error: `no endpoint for ${row.provider} ${row.route}` };
    try {
      const parsed = endpoint.parse(callbackRequestFromRow(row));
      return parsed.kind === 'inbound' ? { kind: 'inbound', messages: parsed.messages } : { kind: 'status', events: parsed.events };
    } catch (err) {
      // It parsed when it was received; a parser change must not lose it: keep it for a later release.
      return { kind: 'retry', error: `unparseable: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /** Signals the statuses; the error to retry with, if any (a finished workflow no longer needs them). */
  private async signal(workflowId: string, updates: StatusUpdate[]): Promise<string | undefined> {
    try {
      const handle = this.deps.temporal.workflow.getHandle(workflowId);
      if (updates.length === 1) await handle.signal(statusUpdateSignal, updates[0]!);
      else await handle.signal(statusUpdatesSignal, updates);
      return undefined;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      return err instanceof Error ? err.message : String(err);
    }
  }
}

type Outcome = { kind: 'relayed' } | { kind: 'retry'; error: string; waitingFor?: string } | { kind: 'inbound'; messages: InboundMessage[] };
