// The relay: stored callbacks → signals to the workflows that own the provider messages.
// Rows whose owner is not known yet are retried with backoff, never dropped. It resumes from the
// inbox after a restart, wakes at once after a callback is stored or a provider message is
// recorded (LISTEN kurir_relay: only the rows waiting for that message become due), and sweeps
// every second for retries. A row that can never be relayed (the parser or the database refuses
// it) is set aside as dead with its error, and the rest of its batch goes on (relay-poison.ts).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type pg from 'pg';
import type { Logger } from 'pino';
import {
  lockDueCallbacks,
  makeAllWaitingDue,
  makeWaitingDue,
  markDead,
  markRelayed,
  markRetries,
  type Dead,
  type InboxRow,
  type Retry,
} from '../db/callback-inbox.js';
import { storeInbound } from '../db/inbound-messages.js';
import type { OptKeywords } from '../domain/opt-keywords.js';
import type { Pool } from '../db/pool.js';
import { inTransaction } from '../db/transaction.js';
import { heldCampaigns, holdKey } from '../db/campaign-signal-holds.js';
import { findOwners, providerMessageKey, type Owner } from '../db/provider-messages.js';
import { toStatusUpdate } from '../providers/status-update.js';
import type { CallbackEndpoint, CallbackRequest, InboundMessage, StatusEvent } from '../providers/types.js';
import { statusUpdateSignal, statusUpdatesSignal } from '../workflows/messages.js';
import type { StatusUpdate } from '../workflows/types.js';
import { CoalescingTrigger } from './coalescing-trigger.js';
import { KeptListener } from './kept-listener.js';
import { observeRelayed } from './metrics.js';
import { errorText, isolateRows } from './relay-poison.js';

export function callbackRequestFromRow(
  row: Pick<InboxRow, 'method' | 'query' | 'body'> & Partial<Pick<InboxRow, 'received_at'>>,
): CallbackRequest {
  let body: unknown;
  try {
    body = row.body ? JSON.parse(row.body) : undefined;
  } catch {
    body = undefined;
  }
  return { method: row.method, query: row.query, headers: {}, body, rawBody: row.body, receivedAt: row.received_at };
}

export class Relay {
  private timer?: NodeJS.Timeout;
  private readonly listener: KeptListener;
  private readonly drains: CoalescingTrigger;
  private stopped = false;
  /** Provider messages recorded since the last wake-up of their waiting callbacks. */
  private recorded: string[] = [];
  private waking?: Promise<void>;
  /** Notifications may have been lost (listener reconnected, a wake-up failed). */
  private missed = false;
  /** While paused the relay leaves the inbox alone (benchmarks measure ingest by itself). */
  paused = false;

  constructor(
    private readonly deps: {
      pool: Pool;
      temporal: Client;
      endpoints: CallbackEndpoint[];
      /** Inbound opt-out / opt-in words (default DEFAULT_OPT_KEYWORDS). */
      optKeywords?: OptKeywords;
      logger: Logger;
      sweepMs?: number;
      batch?: number;
    },
  ) {
    this.drains = new CoalescingTrigger(
      async () => {
        if (!this.paused) await this.drain();
      },
      (err) => {
        this.deps.logger.warn({ err }, 'relay drain failed; will retry');
      },
    );
    this.listener = new KeptListener(deps.pool, 'kurir_relay', {
      notify: (payload) => {
        // A provider message was recorded: the callbacks waiting for it are deliverable now.
        if (payload) this.recorded.push(payload);
        this.waking ??= this.wakeWaiting().finally(() => {
          this.waking = undefined;
        });
      },
      lost: (err) => this.deps.logger.warn({ err }, 'relay listener connection lost; listening again'),
      // Notifications sent while the connection was down are lost: the sweep catches up once.
      relistened: () => {
        this.missed = true;
      },
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
        if ((await makeWaitingDue(this.deps.pool, keys)) > 0) this.wake();
      } catch {
        this.missed = true; // the sweep catches up once the database answers
      }
    }
  }

  /** After missed notifications: every waiting row becomes due once (their backoff can be long). */
  private async catchUp(): Promise<void> {
    this.missed = false;
    await makeAllWaitingDue(this.deps.pool).catch(() => {
      this.missed = true;
    });
  }

  /** Runs a drain now, or once more after the current one. */
  wake(): void {
    if (!this.paused) this.drains.fire();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.waking;
    await this.drains.stop();
    await this.listener.stop();
  }

  /** Relays due rows until none is left. Exposed for tests. */
  async drain(): Promise<void> {
    for (;;) {
      const batch = await inTransaction(this.deps.pool, async (client) => {
        const due = await lockDueCallbacks(client, this.deps.batch ?? 100);
        const outcomes = await this.relayBatch(client, due);
        // Inbound rows are stored in one go; a row the database refuses is found and set aside.
        const inbound = [...outcomes.keys()].filter((i) => outcomes[i]!.kind === 'inbound');
        const refused = await isolateRows(client, inbound, async (rows) => {
          for (const i of rows) {
            const outcome = outcomes[i]!;
            if (outcome.kind === 'inbound')
              for (const m of outcome.messages) await storeInbound(client, m, this.deps.optKeywords);
          }
        });
        for (const [i, error] of refused) outcomes[i] = { kind: 'dead', error: `store inbound: ${error}` };
        // The row updates share this transaction's connection: one statement for the retries, one
        // for the dead rows, one for the relayed rows (round trips are what a busy database host pays for).
        const retries: Retry[] = [];
        const dead: Array<Dead & { provider: string }> = [];
        const relayed: string[] = [];
        for (const [i, outcome] of outcomes.entries()) {
          const row = due[i]!;
          if (outcome.kind === 'retry') retries.push({ row, error: outcome.error, waitingFor: outcome.waitingFor });
          else if (outcome.kind === 'dead') dead.push({ id: row.id, provider: row.provider, error: outcome.error });
          else relayed.push(row.id);
        }
        // Even the retry bookkeeping can meet poison: an id too long for the waiting_for index (54000).
        const unfiled = await isolateRows(client, retries, (rows) => markRetries(client, rows));
        for (const [retry, error] of unfiled)
          dead.push({ id: retry.row.id, provider: retry.row.provider, error: `retry bookkeeping: ${error}` });
        await markDead(client, dead);
        return { due: due.length, dead, lags: await markRelayed(client, relayed) };
      });
      for (const d of batch.dead)
        this.deps.logger.warn(
          { callbackId: d.id, provider: d.provider, error: d.error },
          'callback set aside as dead: no retry can relay it',
        );
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
   * (a message's sent, delivered and read callbacks often land in one batch under load). A row that
   * cannot be parsed, looked up or mapped is dead; it never holds back the others.
   */
  private async relayBatch(client: pg.PoolClient, due: InboxRow[]): Promise<Outcome[]> {
    const parsed = due.map((row) => this.parseRow(row));
    const statusRows = [...parsed.keys()].filter((i) => parsed[i]!.kind === 'status');
    const eventsOf = (i: number): StatusEvent[] => {
      const p = parsed[i]!;
      return p.kind === 'status' ? p.events : [];
    };
    const owners = new Map<string, Owner>();
    // A read: on the pool, outside the batch's transaction, so it needs no savepoint (two round trips
    // fewer on every drain) and a poison id fails only this lookup.
    const lookupFailed = await isolateRows(undefined, statusRows, async (rows) => {
      for (const [key, owner] of await findOwners(this.deps.pool, rows.flatMap(eventsOf))) owners.set(key, owner);
    });
    for (const [i, error] of lookupFailed) parsed[i] = { kind: 'dead', error: `owner lookup: ${error}` };
    const perWorkflow = new Map<string, { updates: StatusUpdate[]; rows: Set<number> }>();
    // Owners that are campaigns (they hand each status to a recipient's message by its id).
    const campaigns = new Set<string>();
    const unowned = new Map<number, string[]>();
    for (const i of statusRows) {
      if (parsed[i]!.kind !== 'status') continue;
      // Map every event of the row before any joins a signal: a row is delivered whole or not at all.
      const owned: Array<{ workflowId: string; update: StatusUpdate }> = [];
      try {
        for (const event of eventsOf(i)) {
          const key = providerMessageKey(event.provider, event.providerMessageId);
          const owner = owners.get(key);
          if (!owner) {
            unowned.set(i, [...(unowned.get(i) ?? []), key]);
            continue;
          }
          const update = toStatusUpdate(event, 'callback', due[i]!.received_at);
          if (owner.messageId) campaigns.add(owner.workflowId);
          // A campaign recipient's status goes to its campaign, which hands it to the recipient's message.
          owned.push({
            workflowId: owner.workflowId,
            update: owner.messageId ? { ...update, messageId: owner.messageId } : update,
          });
        }
      } catch (err) {
        // An Invalid Date (RangeError) or another value no signal can carry.
        parsed[i] = { kind: 'dead', error: `status mapping: ${errorText(err)}` };
        unowned.delete(i);
        continue;
      }
      for (const { workflowId, update } of owned) {
        const group = perWorkflow.get(workflowId) ?? { updates: [], rows: new Set<number>() };
        group.updates.push(update);
        group.rows.add(i);
        perWorkflow.set(workflowId, group);
      }
    }
    // A campaign continuing as new holds its signals: its rows wait, and its next run wakes them.
    const held = await heldCampaigns(
      client,
      [...perWorkflow.keys()].filter((id) => campaigns.has(id)),
    );
    const failed = new Map<number, string>();
    const waitingForRun = new Map<number, string>();
    await Promise.all(
      [...perWorkflow].map(async ([workflowId, group]) => {
        if (held.has(workflowId)) {
          for (const i of group.rows) waitingForRun.set(i, holdKey(workflowId));
          return;
        }
        const error = await this.signal(workflowId, group.updates);
        if (error) for (const i of group.rows) failed.set(i, error);
      }),
    );
    return parsed.map((p, i): Outcome => {
      if (p.kind !== 'status') return p;
      const error = failed.get(i);
      if (error) return { kind: 'retry', error };
      const hold = waitingForRun.get(i);
      if (hold) return { kind: 'retry', error: 'its campaign is continuing as new', waitingFor: hold };
      const waiting = unowned.get(i);
      // Filed under the first unowned message; once it is owned, a retry files the row under the next.
      return waiting
        ? { kind: 'retry', error: `no workflow owns ${waiting.length} provider message(s) yet`, waitingFor: waiting[0] }
        : { kind: 'relayed' };
    });
  }

  private parseRow(row: InboxRow): Outcome | { kind: 'status'; events: StatusEvent[] } {
    const endpoint = this.endpointFor(row);
    if (!endpoint) return { kind: 'retry', error: `no endpoint for ${row.provider} ${row.route}` };
    try {
      const parsed = endpoint.parse(callbackRequestFromRow(row));
      return parsed.kind === 'inbound'
        ? { kind: 'inbound', messages: parsed.messages }
        : { kind: 'status', events: parsed.events };
    } catch (err) {
      // Parsers are pure: what fails now fails on every retry. The row is kept (dead, not deleted)
      // and listed, so an operator can requeue it after a parser fix.
      return { kind: 'dead', error: `unparseable: ${errorText(err)}` };
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

type Outcome =
  | { kind: 'relayed' }
  | { kind: 'retry'; error: string; waitingFor?: string }
  | { kind: 'dead'; error: string }
  | { kind: 'inbound'; messages: InboundMessage[] };
