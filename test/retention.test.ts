// Retention (security review M9): a run deletes exactly the rows older than their ages, never a
// pending webhook delivery (or its event), a callback still waiting less than its age, a running
// campaign's recipients, nor a campaign's counts. The workflow runs once through Temporal with the
// stack's worker; the schedule is created, updated and deleted by the function the worker calls.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ScheduleNotFoundError } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config/index.js';
import { countRecipients } from '../db/campaigns.js';
import { recordHistory } from './helpers/histories.js';
import { pruneDue } from '../db/retention.js';
import { ensureRetentionSchedule, retentionScheduleSpec } from '../temporal/retention-schedule.js';
import { retentionAges } from '../workers/retention-settings.js';
import type { RetentionAges, RetentionCounts } from '../workflows/retention.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms);
/** Just past its age (due) and just inside it (kept): an hour either side of the boundary. */
const due = (age: number) => ago(age + HOUR);
const fresh = (age: number) => ago(age - HOUR);

describe('retention settings', () => {
  test('defaults: hourly; 7 days for callbacks, 30 for events, inbound and recipients, 24 hours for keys', () => {
    const config = loadConfig({});
    assert.equal(config.RETENTION_SCHEDULE, '1 hour');
    assert.deepEqual(retentionAges(config), {
      callbacks: 7 * DAY,
      unownedCallbacks: 7 * DAY,
      events: 30 * DAY,
      inbound: 30 * DAY,
      campaignRecipients: 30 * DAY,
      idempotencyKeys: DAY,
      otpSends: DAY,
    });
  });

  test('OTP sends are kept at least as long as the send window', () => {
    assert.equal(
      retentionAges(loadConfig({ RETENTION_OTP_SENDS: '1 hour', OTP_SEND_WINDOW: '2 days' })).otpSends,
      2 * DAY,
    );
  });

  test('a bad schedule or age is named', () => {
    assert.throws(
      () => loadConfig({ RETENTION_SCHEDULE: 'every day', RETENTION_EVENTS: 'forever' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /RETENTION_SCHEDULE: must be an interval/);
        assert.match(err.message, /RETENTION_EVENTS: must be a duration/);
        return true;
      },
    );
    assert.throws(() => loadConfig({ RETENTION_SCHEDULE: '5 seconds' }), /RETENTION_SCHEDULE/);
  });

  test('the schedule spec: an interval, a cron expression, or off', () => {
    assert.deepEqual(retentionScheduleSpec('1 hour'), { intervals: [{ every: HOUR }] });
    assert.deepEqual(retentionScheduleSpec('0 3 * * *'), { cronExpressions: ['0 3 * * *'] });
    assert.deepEqual(retentionScheduleSpec('@daily'), { cronExpressions: ['@daily'] });
    assert.equal(retentionScheduleSpec('off'), undefined);
    assert.throws(() => retentionScheduleSpec('sometimes'), /RETENTION_SCHEDULE/);
  });
});

describe('retention run', () => {
  let stack: Stack;
  let ages: RetentionAges;
  const tag = randomUUID().slice(0, 8);
  const subscription = `whs_retention_${tag}`;
  before(async () => {
    stack = await startStack({ logLevel: 'warn' });
    ages = retentionAges(stack.config);
  });
  after(async () => {
    await stack?.pool.query('DELETE FROM webhook_subscriptions WHERE id = $1', [subscription]);
    await stack?.stop();
  });

  const exists = async (sql: string, params: unknown[]) => ((await stack.pool.query(sql, params)).rowCount ?? 0) > 0;

  /** callback_inbox rows, by name → whether it must survive. */
  async function seedCallbacks(): Promise<Record<string, { id: string; kept: boolean }>> {
    // Not due for the relay (next attempt tomorrow): only retention may touch these rows.
    const rows = {
      relayedOld: { received: due(ages.callbacks + DAY), relayed: due(ages.callbacks), waiting: null, kept: false },
      // Set aside as poison by the relay: pruned by when it died, like relayed rows.
      deadOld: {
        received: due(ages.callbacks + DAY),
        relayed: null,
        dead: due(ages.callbacks),
        waiting: null,
        kept: false,
      },
      deadRecently: {
        received: due(ages.callbacks + DAY),
        relayed: null,
        dead: fresh(ages.callbacks),
        waiting: null,
        kept: true,
      },
      // Received long ago but relayed recently: the age counts from the relay.
      relayedRecently: {
        received: due(ages.callbacks + DAY),
        relayed: fresh(ages.callbacks),
        waiting: null,
        kept: true,
      },
      unownedOld: {
        received: due(ages.unownedCallbacks),
        relayed: null,
        waiting: `wappin:unowned-${tag}`,
        kept: false,
      },
      unownedYoung: {
        received: fresh(ages.unownedCallbacks),
        relayed: null,
        waiting: `wappin:unowned-${tag}`,
        kept: true,
      },
      // Not relayed for another reason (Temporal unreachable): still owed to a workflow.
      stuckOld: { received: ago(60 * DAY), relayed: null, waiting: null, kept: true },
    };
    const out: Record<string, { id: string; kept: boolean }> = {};
    for (const [name, r] of Object.entries(rows)) {
      const res = await stack.pool.query<{ id: string }>(
        `INSERT INTO callback_inbox (provider, route, dedupe_key, method, body, received_at, relayed_at, waiting_for, next_attempt_at, dead_at)
         VALUES ('wappin', '/callbacks/wappin', $1, 'POST', '{}', $2, $3, $4, now() + interval '1 day', $5) RETURNING id`,
        [`retention-${tag}-${name}`, r.received, r.relayed, r.waiting, 'dead' in r ? r.dead : null],
      );
      out[name] = { id: res.rows[0]!.id, kept: r.kept };
    }
    return out;
  }

  /** Events and deliveries to a subscription of this test only, by name → whether it must survive. */
  async function seedEvents(): Promise<{
    events: Record<string, { seq: string; kept: boolean }>;
    deliveries: Record<string, { id: string; kept: boolean }>;
  }> {
    await stack.pool.query(
      `INSERT INTO webhook_subscriptions (id, url, types, secret_encrypted) VALUES ($1, 'http://127.0.0.1:9/', '{retention.none}', 'x')`,
      [subscription],
    );
    const age = ages.events;
    const rows = {
      deliveredOld: {
        created: due(age + DAY),
        delivery: { state: 'delivered', at: due(age) },
        eventKept: false,
        deliveryKept: false,
      },
      deliveredRecently: {
        created: due(age + DAY),
        delivery: { state: 'delivered', at: fresh(age) },
        eventKept: true,
        deliveryKept: true,
      },
      deadOld: {
        created: due(age + DAY),
        delivery: { state: 'dead', at: due(age) },
        eventKept: false,
        deliveryKept: false,
      },
      // Still owed to a receiver, however old: neither it nor its event goes.
      pendingOld: {
        created: ago(2 * age),
        delivery: { state: 'pending', at: null },
        eventKept: true,
        deliveryKept: true,
      },
      noDeliveryOld: { created: due(age), delivery: null, eventKept: false, deliveryKept: true },
      noDeliveryYoung: { created: fresh(age), delivery: null, eventKept: true, deliveryKept: true },
    };
    const events: Record<string, { seq: string; kept: boolean }> = {};
    const deliveries: Record<string, { id: string; kept: boolean }> = {};
    const client = await stack.pool.connect();
    try {
      // One transaction: the fan-out trigger's deliveries to other test files' subscriptions are
      // removed before anyone sees them, so only this test's deliveries exist for these events.
      await client.query('BEGIN');
      for (const [name, r] of Object.entries(rows)) {
        const messageId = `msg_retention_${tag}_${name}`;
        const ev = await client.query<{ seq: string }>(
          `INSERT INTO events (id, type, message_id, subject, occurred_at, created_at) VALUES ($1, 'message.sent', $2, $2, $3, $3) RETURNING seq`,
          [`retention:${tag}:${name}`, messageId, r.created],
        );
        const seq = ev.rows[0]!.seq;
        await client.query('DELETE FROM webhook_deliveries WHERE event_seq = $1', [seq]);
        events[name] = { seq, kept: r.eventKept };
        if (!r.delivery) continue;
        const d = await client.query<{ id: string }>(
          `INSERT INTO webhook_deliveries (subscription_id, event_seq, subject, state, attempts, next_attempt_at, last_attempt_at, delivered_at)
           VALUES ($1, $2, $3, $4, 1, now() + interval '1 day', $5, $6) RETURNING id`,
          [
            subscription,
            seq,
            messageId,
            r.delivery.state,
            r.delivery.at,
            r.delivery.state === 'delivered' ? r.delivery.at : null,
          ],
        );
        deliveries[name] = { id: d.rows[0]!.id, kept: r.deliveryKept };
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
    return { events, deliveries };
  }

  async function seedSimple(): Promise<{
    inbound: Record<string, boolean>;
    keys: Record<string, boolean>;
    otp: Record<string, boolean>;
  }> {
    const inbound = {
      [`in-old-${tag}`]: { at: due(ages.inbound), receivedAt: due(ages.inbound), kept: false },
      [`in-young-${tag}`]: { at: fresh(ages.inbound), receivedAt: fresh(ages.inbound), kept: true },
      // The provider's time says 1970 (none given): the age counts from when kurir stored it.
      [`in-undated-${tag}`]: { at: ago(60_000), receivedAt: new Date(0), kept: true },
    };
    for (const [id, r] of Object.entries(inbound)) {
      await stack.pool.query(
        `INSERT INTO inbound_messages (provider, provider_message_id, sender, type, text, received_at, stored_at, raw)
         VALUES ('wappin', $1, '+6281234567890', 'text', 'hi', $2, $3, '{}')`,
        [id, r.receivedAt, r.at],
      );
    }
    const keys = {
      [`key-old-${tag}`]: { at: due(ages.idempotencyKeys), kept: false },
      [`key-young-${tag}`]: { at: fresh(ages.idempotencyKeys), kept: true },
    };
    for (const [key, r] of Object.entries(keys)) {
      await stack.pool.query(
        `INSERT INTO idempotency_keys (key, scope, workflow_id, request_hash, created_at) VALUES ($1, 'retention-test', 'wf', 'h', $2)`,
        [key, r.at],
      );
    }
    const otp = {
      [`otp-old-${tag}`]: { at: due(ages.otpSends), pmid: 'pm-1', kept: false },
      [`otp-young-${tag}`]: { at: fresh(ages.otpSends), pmid: 'pm-2', kept: true },
      // A reservation whose send never finished, long after the activity gave up.
      [`otp-stale-reservation-${tag}`]: { at: due(ages.otpSends), pmid: null, kept: false },
      [`otp-pending-${tag}`]: { at: ago(60_000), pmid: null, kept: true },
    };
    for (const [otpId, r] of Object.entries(otp)) {
      await stack.pool.query(
        `INSERT INTO otp_sends (otp_id, step, recipient_hash, provider, channel, provider_message_id, sent_at) VALUES ($1, 0, $2, 'wappin', 'whatsapp', $3, $4)`,
        [otpId, `rh-${tag}`, r.pmid, r.at],
      );
    }
    const kept = (o: Record<string, { kept: boolean }>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.kept]));
    return { inbound: kept(inbound), keys: kept(keys), otp: kept(otp) };
  }

  /** Campaign id → whether its phone numbers must survive. */
  async function seedCampaigns(): Promise<Record<string, boolean>> {
    const age = ages.campaignRecipients;
    const campaigns = {
      [`cmp_done_${tag}`]: { status: 'completed', updated: due(age), kept: false },
      [`cmp_canceled_${tag}`]: { status: 'canceled', updated: due(age + DAY), kept: false },
      [`cmp_recent_${tag}`]: { status: 'completed', updated: fresh(age), kept: true },
      // Running, however old: its workflow still reads pending recipients' numbers.
      [`cmp_running_${tag}`]: { status: 'running', updated: ago(2 * age), kept: true },
    };
    for (const [id, c] of Object.entries(campaigns)) {
      await stack.pool.query(
        `INSERT INTO campaigns (id, name, template, status, updated_at, counters) VALUES ($1, 'retention', '{}', $2, $3, '{"delivered": 2}')`,
        [id, c.status, c.updated],
      );
      await stack.pool.query(
        `INSERT INTO campaign_recipients (campaign_id, recipient_id, phone, params, status, provider, fallback_used) VALUES
           ($1, 1, '+6281111111111', '["a"]', 'delivered', 'wappin', false), ($1, 2, '+6282222222222', '["b"]', 'delivered', 'itd', true),
           ($1, 3, '+6283333333333', NULL, $2, NULL, false)`,
        [id, c.status === 'running' ? 'pending' : 'not_sent'],
      );
    }
    return Object.fromEntries(Object.entries(campaigns).map(([id, c]) => [id, c.kept]));
  }

  test('the workflow deletes exactly what is due and keeps the counts', async () => {
    const callbacks = await seedCallbacks();
    const { events, deliveries } = await seedEvents();
    const simple = await seedSimple();
    const campaigns = await seedCampaigns();
    const countsBefore = new Map<string, Awaited<ReturnType<typeof countRecipients>>>();
    for (const id of Object.keys(campaigns)) countsBefore.set(id, await countRecipients(stack.pool, id));

    const run = await stack.client.workflow.start('retention', {
      taskQueue: stack.taskQueue,
      workflowId: `retention-test-${tag}`,
      args: [ages],
      workflowExecutionTimeout: '2 minutes',
    });
    const counts = (await run.result()) as RetentionCounts;
    await recordHistory(run, 'retention');

    for (const [name, r] of Object.entries(callbacks)) {
      assert.equal(await exists('SELECT 1 FROM callback_inbox WHERE id = $1', [r.id]), r.kept, `callback ${name}`);
    }
    for (const [name, r] of Object.entries(deliveries)) {
      assert.equal(await exists('SELECT 1 FROM webhook_deliveries WHERE id = $1', [r.id]), r.kept, `delivery ${name}`);
    }
    for (const [name, r] of Object.entries(events)) {
      assert.equal(await exists('SELECT 1 FROM events WHERE seq = $1', [r.seq]), r.kept, `event ${name}`);
    }
    for (const [id, kept] of Object.entries(simple.inbound)) {
      assert.equal(
        await exists('SELECT 1 FROM inbound_messages WHERE provider_message_id = $1', [id]),
        kept,
        `inbound ${id}`,
      );
    }
    for (const [key, kept] of Object.entries(simple.keys)) {
      assert.equal(
        await exists("SELECT 1 FROM idempotency_keys WHERE scope = 'retention-test' AND key = $1", [key]),
        kept,
        `idempotency key ${key}`,
      );
    }
    for (const [otpId, kept] of Object.entries(simple.otp)) {
      assert.equal(await exists('SELECT 1 FROM otp_sends WHERE otp_id = $1', [otpId]), kept, `OTP send ${otpId}`);
    }
    for (const [id, kept] of Object.entries(campaigns)) {
      const rows = (
        await stack.pool.query<{ phone: string; params: string[] | null }>(
          'SELECT phone, params FROM campaign_recipients WHERE campaign_id = $1 ORDER BY recipient_id',
          [id],
        )
      ).rows;
      assert.equal(rows.length, 3, `${id}: every recipient row stays`);
      if (kept)
        assert.deepEqual(
          rows.map((r) => r.phone),
          ['+6281111111111', '+6282222222222', '+6283333333333'],
          `${id}: numbers kept`,
        );
      else
        assert.deepEqual(
          rows,
          [
            { phone: '', params: null },
            { phone: '', params: null },
            { phone: '', params: null },
          ],
          `${id}: numbers and params blanked`,
        );
      assert.deepEqual(await countRecipients(stack.pool, id), countsBefore.get(id), `${id}: progress counts unchanged`);
      const row = (await stack.pool.query<{ counters: unknown }>('SELECT counters FROM campaigns WHERE id = $1', [id]))
        .rows[0];
      assert.deepEqual(row?.counters, { delivered: 2 }, `${id}: counters unchanged`);
    }

    // Other test files share the database, but none of their rows is this old: at least ours.
    const removed = (o: Record<string, { kept: boolean }>) => Object.values(o).filter((r) => !r.kept).length;
    assert.ok(
      counts.relayedCallbacks >= 1 && counts.deadCallbacks >= 1 && counts.unownedCallbacks >= 1,
      JSON.stringify(counts),
    );
    assert.ok(
      counts.webhookDeliveries >= removed(deliveries) && counts.events >= removed(events),
      JSON.stringify(counts),
    );
    assert.ok(
      counts.inboundMessages >= 1 && counts.idempotencyKeys >= 1 && counts.otpSends >= 2,
      JSON.stringify(counts),
    );
    assert.ok(counts.campaignRecipients >= 6, JSON.stringify(counts));

    // Blanked campaigns are marked done: a second run does not touch them again.
    const again = (await stack.client.workflow.execute('retention', {
      taskQueue: stack.taskQueue,
      workflowId: `retention-test-${tag}-again`,
      args: [ages],
    })) as RetentionCounts;
    assert.equal(again.campaignRecipients, 0);
  });

  test('a long backlog goes in bounded batches', async () => {
    for (let i = 0; i < 5; i++) {
      await stack.pool.query(
        `INSERT INTO idempotency_keys (key, scope, workflow_id, request_hash, created_at) VALUES ($1, 'retention-batch', 'wf', 'h', $2)`,
        [`batch-${tag}-${i}`, due(ages.idempotencyKeys)],
      );
    }
    // The running count of deleted keys after each batch: it grows by at most the batch size.
    const seen: number[] = [0];
    const counts = await pruneDue(stack.pool, ages, {
      batchSize: 2,
      onBatch: (c) => {
        if (c.idempotencyKeys !== seen.at(-1)) seen.push(c.idempotencyKeys);
      },
    });
    assert.ok(counts.idempotencyKeys >= 5, JSON.stringify(counts));
    const steps = seen.slice(1).map((n, i) => n - seen[i]!);
    assert.ok(steps.length >= 3 && steps.every((n) => n <= 2), `batches of at most 2: ${JSON.stringify(steps)}`);
    assert.equal(
      (
        await stack.pool.query("SELECT 1 FROM idempotency_keys WHERE scope = 'retention-batch' AND key LIKE $1", [
          `batch-${tag}-%`,
        ])
      ).rowCount,
      0,
    );
  });

  test('the worker start creates, updates (keeping a pause), runs and deletes the schedule', async () => {
    const scheduleId = `kurir-retention-test-${tag}`;
    const opts = { scheduleId, schedule: '1 hour', ages, taskQueue: stack.taskQueue };
    try {
      assert.equal(await ensureRetentionSchedule(stack.client, opts), 'created');
      const handle = stack.client.schedule.getHandle(scheduleId);
      let d = await handle.describe();
      assert.equal(d.spec.intervals?.[0]?.every, HOUR);
      assert.equal(d.policies.overlap, 'SKIP');
      assert.equal(d.action.workflowType, 'retention');
      assert.equal(d.action.taskQueue, stack.taskQueue);
      assert.deepEqual(d.action.args, [ages]);

      // The schedule's action runs the workflow on the worker.
      await handle.trigger();
      const started = await eventually(
        async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId,
        20_000,
        'the triggered run',
      );
      const result = (await stack.client.workflow.getHandle(started).result()) as RetentionCounts;
      assert.equal(typeof result.events, 'number');

      await handle.pause('operator');
      const shorter = { ...ages, events: 2 * DAY };
      assert.equal(
        await ensureRetentionSchedule(stack.client, { ...opts, schedule: '0 3 * * *', ages: shorter }),
        'updated',
      );
      d = await handle.describe();
      assert.deepEqual(d.action.args, [shorter]);
      assert.ok(
        !d.spec.intervals?.length && (d.spec.calendars?.length ?? 0) > 0,
        'the cron expression replaced the interval',
      );
      assert.equal(d.state.paused, true, "an operator's pause survives a worker start");

      assert.equal(await ensureRetentionSchedule(stack.client, { ...opts, schedule: 'off' }), 'deleted');
      await assert.rejects(handle.describe(), ScheduleNotFoundError);
      assert.equal(await ensureRetentionSchedule(stack.client, { ...opts, schedule: 'off' }), 'off');
    } finally {
      await stack.client.schedule
        .getHandle(scheduleId)
        .delete()
        .catch(() => undefined);
    }
  });
});
