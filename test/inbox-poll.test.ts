// SMS masking inbox polling (issue #23 item 8): off by default; when on, a Temporal Schedule runs
// the inboxPoll workflow, which reads the sandbox's inbox.php over HTTP and stores each message in
// inbound_messages once, however often it is listed. Read back through GET /v1/inbound.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { ScheduleNotFoundError, type ScheduleHandle } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config/index.js';
import {
  ensureInboxPollSchedule,
  inboxPollScheduleSpec,
  INBOX_POLL_SCHEDULE_ID,
} from '../temporal/inbox-poll-schedule.js';
import type { InboxPollCounts } from '../workflows/inbox-poll.js';
import { sandboxEnvironment } from '../sandboxes/index.js';
import { recordHistory } from './helpers/histories.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

describe('inbox poll settings', () => {
  test('SMS_MASKING_INBOX_POLL is off by default; an interval or cron turns it on; a bad value is named', () => {
    assert.equal(loadConfig({}).SMS_MASKING_INBOX_POLL, 'off');
    assert.equal(inboxPollScheduleSpec('off'), undefined);
    assert.deepEqual(inboxPollScheduleSpec('1 minute'), { intervals: [{ every: 60_000 }] });
    assert.deepEqual(inboxPollScheduleSpec('*/5 * * * *'), { cronExpressions: ['*/5 * * * *'] });
    for (const bad of ['often', '10 seconds']) {
      assert.throws(
        () => loadConfig({ SMS_MASKING_INBOX_POLL: bad }),
        (err: unknown) => err instanceof ConfigError && /SMS_MASKING_INBOX_POLL: must be "off"/.test(err.message),
      );
    }
  });
});

describe('inbox polling', () => {
  let stack: Stack;
  const tag = randomUUID().slice(0, 8);
  before(async () => {
    stack = await startStack({ logLevel: 'warn' });
  });
  after(async () => {
    await stack?.stop();
  });

  /** A message arrives at the customer's modem (the sandbox's inbox.php lists it from now on). */
  async function arrive(item: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${stack.sandboxes.urls['sms-masking']}/__sandbox/inbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(item),
    });
    assert.equal(res.status, 200, await res.text());
  }

  /** Triggers the schedule and waits for that run's result. */
  async function poll(handle: ScheduleHandle, runsBefore: number): Promise<{ counts: InboxPollCounts; id: string }> {
    await handle.trigger();
    const id = await eventually(
      async () => {
        const actions = (await handle.describe()).info.recentActions;
        return actions.length > runsBefore ? actions.at(-1)!.action.workflow.workflowId : undefined;
      },
      20_000,
      'the triggered poll',
    );
    return { counts: (await stack.client.workflow.getHandle(id).result()) as InboxPollCounts, id };
  }

  async function inbound(): Promise<
    Array<{ providerMessageId: string; from: string; text: string; receivedAt: string }>
  > {
    const res = await fetch(`${stack.apiUrl}/v1/inbound?provider=sms-masking&limit=500`, {
      headers: { authorization: `Bearer ${stack.config.KURIR_API_KEYS[0]!.key}` },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      items: Array<{ providerMessageId: string; from: string; text: string; receivedAt: string }>;
    };
    return body.items.filter((m) => m.text.includes(tag));
  }

  test('off by default: the default setting creates no schedule', async () => {
    assert.equal(stack.config.SMS_MASKING_INBOX_POLL, 'off');
    const opts = { schedule: loadConfig({}).SMS_MASKING_INBOX_POLL, taskQueue: stack.taskQueue };
    assert.equal(await ensureInboxPollSchedule(stack.client, opts), 'off');
    await assert.rejects(stack.client.schedule.getHandle(INBOX_POLL_SCHEDULE_ID).describe(), ScheduleNotFoundError);
  });

  /** Starts the real worker (workers/main.ts) and returns what its start did to the schedule, then stops it. */
  async function workerStart(setting: string): Promise<string> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      env: {
        ...process.env,
        ...sandboxEnvironment(stack.sandboxes),
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        // Empty is unset: the default.
        SMS_MASKING_INBOX_POLL: setting,
        LOG_LEVEL: 'info',
        PRETTY_LOGS: 'false',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; result?: string; schedule?: string };
        if (entry.msg === 'sms-masking inbox poll schedule') return `${entry.schedule} ${entry.result}`;
      }
      throw new Error('the worker exited before it logged the inbox poll schedule');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  test('a worker start: unset creates nothing; "1 minute" creates the schedule; "off" deletes it', async () => {
    const handle = stack.client.schedule.getHandle(INBOX_POLL_SCHEDULE_ID);
    try {
      assert.equal(await workerStart(''), 'off off');
      await assert.rejects(handle.describe(), ScheduleNotFoundError);
      assert.equal(await workerStart('1 minute'), '1 minute created');
      const d = await handle.describe();
      assert.equal(d.spec.intervals?.[0]?.every, 60_000);
      assert.equal(d.action.type === 'startWorkflow' && d.action.taskQueue, stack.taskQueue);
      assert.equal(await workerStart('off'), 'off deleted');
      await assert.rejects(handle.describe(), ScheduleNotFoundError);
    } finally {
      await handle.delete().catch(() => undefined);
    }
  });

  test('on: each message in the inbox reaches GET /v1/inbound once, over two polls', async () => {
    const scheduleId = `kurir-inbox-test-${tag}`;
    const opts = { scheduleId, schedule: '1 minute', taskQueue: stack.taskQueue };
    try {
      assert.equal(await ensureInboxPollSchedule(stack.client, opts), 'created');
      const handle = stack.client.schedule.getHandle(scheduleId);
      const d = await handle.describe();
      assert.equal(d.spec.intervals?.[0]?.every, 60_000);
      assert.equal(d.action.workflowType, 'inboxPoll');
      assert.equal(d.policies.overlap, 'SKIP');

      // With the gateway's id; without one but with its time; with neither (ids derived, inbox-id.ts).
      await arrive({ id: `gw-${tag}`, hp: '6281200000001', message: `hello ${tag}`, date: '2026-12-04 10:00:00' });
      await arrive({ hp: '6281200000002', message: `no id ${tag}`, date: '2026-12-04 10:01:00' });
      await arrive({ hp: '6281200000003', message: `no id, no time ${tag}`, date: null });
      const first = await poll(handle, 0);
      assert.ok(first.counts.listed >= 3 && first.counts.stored === 3, JSON.stringify(first.counts));
      await recordHistory(stack.client.workflow.getHandle(first.id), 'inbox-poll');

      await arrive({ hp: '6281200000002', message: `later ${tag}` });
      const second = await poll(handle, 1);
      // The sandbox lists every message on every read (the document does not say reads remove them).
      assert.deepEqual(second.counts, { listed: first.counts.listed + 1, stored: 1 });

      const rows = await inbound();
      assert.deepEqual(rows.map((m) => m.text).sort(), [
        `hello ${tag}`,
        `later ${tag}`,
        `no id ${tag}`,
        `no id, no time ${tag}`,
      ]);
      const byText = new Map(rows.map((m) => [m.text, m]));
      assert.equal(byText.get(`hello ${tag}`)?.providerMessageId, `gw-${tag}`);
      assert.equal(byText.get(`hello ${tag}`)?.from, '+6281200000001');
      // The gateway's Jakarta time (UTC+7).
      assert.equal(byText.get(`hello ${tag}`)?.receivedAt, '2026-12-04T03:00:00.000Z');
      assert.match(byText.get(`no id ${tag}`)!.providerMessageId, /^h:[0-9a-f]{32}$/);

      assert.equal(await ensureInboxPollSchedule(stack.client, { ...opts, schedule: 'off' }), 'deleted');
      await assert.rejects(handle.describe(), ScheduleNotFoundError);
    } finally {
      await stack.client.schedule
        .getHandle(scheduleId)
        .delete()
        .catch(() => undefined);
    }
  });
});
