// The relay's wake-ups: a callback whose provider message has no owner yet waits under that
// message's key, and recording the message wakes it at once; recording other messages does not
// touch it. (Every send used to make every waiting row due: callbacks about messages kurir never
// sent were re-read on each send.)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { holdKey, holdSignals, releaseSignals } from '../db/campaign-signal-holds.js';
import { recordProviderMessage } from '../db/provider-messages.js';
import { MESSAGE_WORKFLOW_TYPE } from '../workflows/messages.js';
import type { StatusUpdate } from '../workflows/types.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack({ worker: false, logLevel: 'warn' });
});
after(async () => {
  await stack?.stop();
});

interface InboxState {
  relay_attempts: number;
  waiting_for: string | null;
  relayed: boolean;
}

async function postStatus(messageId: string, status = 'delivered', timestamp = '1700000000'): Promise<void> {
  const payload = {
    message_id: messageId,
    client_id: '1',
    client_name: 'c',
    status_messages: status,
    timestamp,
    callback_type: 'status',
  };
  const res = await stack.api.inject({
    method: 'POST',
    url: '/callbacks/wappin',
    payload,
    headers: { authorization: `Bearer ${stack.config.WAPPIN_CALLBACK_TOKEN}` },
  });
  assert.equal(res.statusCode, 200, res.body);
}

async function inboxState(messageId: string): Promise<InboxState | undefined> {
  const res = await stack.pool.query<InboxState>(
    "SELECT relay_attempts, waiting_for, relayed_at IS NOT NULL AS relayed FROM callback_inbox WHERE provider = 'wappin' AND body LIKE $1",
    [`%"${messageId}"%`],
  );
  return res.rows[0];
}

/** Waits until the relay has tried the row at least once and filed it as waiting. */
const waitingRow = (messageId: string) =>
  eventually(
    async () => {
      const s = await inboxState(messageId);
      return s && s.relay_attempts > 0 && s.waiting_for ? s : undefined;
    },
    15_000,
    `the callback about ${messageId} to wait for its owner`,
  );

describe('relay', () => {
  test('a callback about a message nobody owns waits under its key; other sends do not wake it', async () => {
    const foreign = `foreign-${randomUUID()}`;
    await postStatus(foreign);
    const waiting = await waitingRow(foreign);
    assert.equal(waiting.waiting_for, `wappin:${foreign}`);
    // Push its next attempt far out, then record 20 other provider messages.
    await stack.pool.query("UPDATE callback_inbox SET next_attempt_at = now() + interval '1 hour' WHERE body LIKE $1", [
      `%"${foreign}"%`,
    ]);
    const attempts = (await inboxState(foreign))!.relay_attempts;
    for (let i = 0; i < 20; i++) {
      await recordProviderMessage(stack.pool, {
        provider: 'wappin',
        providerMessageId: `other-${randomUUID()}`,
        workflowId: `msg_relay_${randomUUID()}`,
        stepIndex: 0,
      });
    }
    await new Promise((r) => setTimeout(r, 1_500)); // several sweeps and every notification
    const after = (await inboxState(foreign))!;
    assert.equal(after.relay_attempts, attempts, 'the waiting row was not read again');
    assert.equal(after.relayed, false, 'and it is kept, never dropped');
  });

  test('recording the owner wakes its waiting callback at once, whatever its backoff', async () => {
    const early = `early-${randomUUID()}`;
    await postStatus(early);
    await waitingRow(early);
    await stack.pool.query("UPDATE callback_inbox SET next_attempt_at = now() + interval '1 hour' WHERE body LIKE $1", [
      `%"${early}"%`,
    ]);
    // The owner is a workflow that does not exist: the signal finds no workflow, and the relay
    // counts that as delivered (a finished workflow no longer needs the status).
    await recordProviderMessage(stack.pool, {
      provider: 'wappin',
      providerMessageId: early,
      workflowId: `msg_relay_${randomUUID()}`,
      stepIndex: 0,
    });
    const relayed = await eventually(
      async () => ((await inboxState(early))?.relayed ? true : undefined),
      10_000,
      'the woken callback to be relayed',
    );
    assert.equal(relayed, true);
  });

  test('the statuses of one workflow in a batch reach it as one signal, in the order they arrived', async () => {
    // No worker polls this queue: the workflow never runs, and its history shows what the relay sent.
    const workflowId = `msg_relay_${randomUUID()}`;
    const handle = await stack.client.workflow.start(MESSAGE_WORKFLOW_TYPE, {
      taskQueue: `relay-test-${randomUUID()}`,
      workflowId,
      args: [{ to: '+6281100000000', steps: [{ channel: 'whatsapp', provider: 'wappin', template: 't' }] }],
    });
    const messageId = `batch-${randomUUID()}`;
    await recordProviderMessage(stack.pool, {
      provider: 'wappin',
      providerMessageId: messageId,
      workflowId,
      stepIndex: 0,
    });
    stack.relay.paused = true;
    try {
      for (const [i, status] of ['sent', 'delivered', 'read'].entries())
        await postStatus(messageId, status, String(1_700_000_000 + i));
    } finally {
      stack.relay.paused = false;
    }
    stack.relay.wake();
    await eventually(
      async () => ((await inboxState(messageId))?.relayed ? true : undefined),
      10_000,
      'the callbacks to be relayed',
    );
    const history = await handle.fetchHistory();
    const signals = (history.events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes] : [],
    );
    await handle.terminate('test over');
    assert.deepEqual(
      signals.map((s) => s.signalName),
      ['statusUpdates'],
      'one signal for the three callbacks',
    );
    const updates = stack.client.options.loadedDataConverter.payloadConverter.fromPayload<StatusUpdate[]>(
      signals[0]!.input!.payloads![0]!,
    );
    assert.deepEqual(
      updates.map((u) => u.status),
      ['sent', 'delivered', 'read'],
    );
  });
  test('a campaign continuing as new holds its statuses; its next run releases them at once', async () => {
    // No worker polls this queue: the history shows what the relay signalled, and when.
    const campaignId = `cmp_relay_${randomUUID()}`;
    const handle = await stack.client.workflow.start(MESSAGE_WORKFLOW_TYPE, {
      taskQueue: `relay-test-${randomUUID()}`,
      workflowId: campaignId,
      args: [{ to: '+6281100000000', steps: [{ channel: 'whatsapp', provider: 'wappin', template: 't' }] }],
    });
    const messageId = `held-${randomUUID()}`;
    await recordProviderMessage(stack.pool, {
      provider: 'wappin',
      providerMessageId: messageId,
      workflowId: `${campaignId}:1`,
      stepIndex: 0,
      signalTo: campaignId,
    });
    const signalled = async () =>
      ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    try {
      await holdSignals(stack.pool, campaignId, 60_000);
      await postStatus(messageId);
      const held = await waitingRow(messageId);
      assert.equal(held.waiting_for, holdKey(campaignId), 'it waits for the next run');
      assert.equal(held.relayed, false);
      assert.equal(await signalled(), 0, 'nothing reached the campaign during the hold');
      // Pushed an hour out: only the release can bring it back in time.
      await stack.pool.query(
        "UPDATE callback_inbox SET next_attempt_at = now() + interval '1 hour' WHERE body LIKE $1",
        [`%"${messageId}"%`],
      );
      await releaseSignals(stack.pool, campaignId);
      await eventually(
        async () => ((await inboxState(messageId))?.relayed ? true : undefined),
        10_000,
        'the released callback to be relayed',
      );
      assert.equal(await signalled(), 1);
    } finally {
      await handle.terminate('test over');
    }
  });
});
