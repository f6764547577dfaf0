// Faults around the message workflow: wrong provider credentials fail fast without retries, and
// a worker killed with SIGKILL during a multi-step wait leaves a workflow that finishes correctly.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { MessageResult } from '../workflows/types.js';
import { scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';
import { killWorker, killWorkers, sendsTo as sends, spawnWorker } from './helpers/worker-process.js';

const wa = { channel: 'whatsapp' as const, provider: 'wappin' as const, template: 'order_shipped', params: ['A-1'] };
const sms = { channel: 'sms' as const, provider: 'sms-masking' as const, text: 'Order A-1 shipped' };
const stacks: Stack[] = [];
after(async () => {
  killWorkers();
  await Promise.all(stacks.map((s) => s.stop()));
});

describe('message workflow under faults', () => {
  test('wrong provider credentials: AuthenticationError, not retried, and the SMS step still goes', async () => {
    const stack = await startStack({
      env: { WAPPIN_CLIENT_ID: '0009', WAPPIN_SECRET_KEY: 'wrong-secret', WAPPIN_PROJECT_ID: '16' },
    });
    stacks.push(stack);
    const to = scriptedNumber('000');
    const id = await stack.send({ to, steps: [wa, sms] });
    const r = (await stack.client.workflow.getHandle(id).result()) as MessageResult;
    assert.equal(r.attempts[0]?.error?.type, 'AuthenticationError');
    assert.equal(r.attempts[0]?.fallback?.reason, 'failed');
    assert.equal(
      stack.sandboxes.requests('wappin').filter((q) => q.path.endsWith('/token/get')).length,
      1,
      'one token request: not retried',
    );
    assert.equal(sends(stack, 'wappin', to), 0);
    assert.equal(r.deliveredBy, 'sms-masking');
  });

  test(
    'a worker killed (SIGKILL) during the not-read wait: after a restart the workflow falls back correctly',
    { timeout: 120_000 },
    async () => {
      const stack = await startStack({ worker: false });
      stacks.push(stack);
      const worker = spawnWorker(stack);
      const to = scriptedNumber('604'); // delivered, never read
      const id = await stack.send({ to, steps: [wa, sms], fallback: { notReadWithin: '4 seconds' } });
      const handle = stack.client.workflow.getHandle(id);
      await eventually(
        async () =>
          (await handle.query<{ attempts: Array<{ status?: string }> }>('status')).attempts[0]?.status ===
            'delivered' || undefined,
        60_000,
        'delivered on WhatsApp',
      );
      await killWorker(worker);
      await new Promise((r) => setTimeout(r, 5_000)); // the not-read timer fires while no worker runs
      assert.equal(sends(stack, 'sms-masking', to), 0, 'nothing is sent while no worker runs');
      spawnWorker(stack); // stopped by killWorkers() after the suite
      const r = (await handle.result()) as MessageResult;
      assert.equal(r.attempts[0]?.fallback?.reason, 'not_read');
      assert.equal(r.deliveredBy, 'sms-masking');
      assert.equal(sends(stack, 'wappin', to), 1, 'WhatsApp sent exactly once');
      assert.equal(sends(stack, 'sms-masking', to), 1, 'SMS sent exactly once');
    },
  );
});
