// Provider failover within a channel (issue #19): a provider whose sends fail opens its circuit;
// the failing message and the next ones go to the step's alternative; after the cool-down one
// probe goes to the first provider and, answered, closes the circuit. A campaign keeps going.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CampaignProgress } from '../workflows/campaign-types.js';
import type { MessageResult } from '../workflows/types.js';
import { recordHistory } from './helpers/histories.js';
import { scriptedNumber } from './helpers/numbers.js';
import { startStack, type Stack } from './helpers/stack.js';

const auth = { authorization: 'Bearer dev-key' };
// `"provider": [first, alternative]`; a session text (the service window is held to ITD only here).
const step = { channel: 'whatsapp', provider: ['wappin', 'nusasms'], text: 'Your order A-1 shipped' };

let stack: Stack;
before(async () => {
  stack = await startStack({
    env: { PROVIDER_BREAKER_FAILURES: '2', PROVIDER_BREAKER_COOLDOWN: '12 seconds', SERVICE_WINDOW_PROVIDERS: 'itd' },
  });
});
after(async () => {
  await stack?.stop();
});

const outage = async (on: boolean) => {
  const res = await fetch(`${stack.sandboxes.urls.wappin}/__sandbox/outage?on=${on}`, { method: 'POST' });
  assert.equal(res.status, 200);
};
const circuit = async (name: string) =>
  (await stack.api.inject({ method: 'GET', url: '/v1/providers', headers: auth }))
    .json<{ items: Array<{ name: string; circuit: { state: string; failures: number } }> }>()
    .items.find((p) => p.name === name)!.circuit;
const events = async (type: string) =>
  Number(
    (
      await stack.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM events WHERE type = $1 AND provider = 'wappin'",
        [type],
      )
    ).rows[0]!.n,
  );

async function send(history?: string): Promise<MessageResult> {
  const res = await stack.api.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: auth,
    payload: { to: scriptedNumber(), steps: [step] },
  });
  assert.equal(res.statusCode, 202, res.body);
  const handle = stack.client.workflow.getHandle(res.json<{ id: string }>().id);
  const result = (await handle.result()) as MessageResult;
  if (history) await recordHistory(handle, history);
  return result;
}

describe('provider failover', () => {
  test(
    'an outage opens the circuit, sends go to the alternative, a probe closes it',
    { timeout: 120_000 },
    async () => {
      await outage(true);
      const first = await send('message-provider-failover');
      assert.equal(first.attempts[0]?.provider, 'nusasms', 'the failing message itself went to the alternative');
      assert.equal(first.attempts[0]?.failovers?.[0]?.from, 'wappin');
      assert.ok(['sent', 'delivered', 'read'].includes(first.outcome), first.outcome);
      assert.equal((await circuit('wappin')).state, 'open');
      assert.equal(await events('provider.unhealthy'), 1);

      const second = await send();
      assert.equal(second.attempts[0]?.provider, 'nusasms');
      assert.equal(second.attempts[0]?.failovers, undefined, 'straight to the alternative: the circuit is open');

      await outage(false);
      await new Promise((r) => setTimeout(r, 12_200)); // the cool-down
      const probe = await send();
      assert.equal(probe.attempts[0]?.provider, 'wappin', 'the probe goes to the first provider');
      assert.deepEqual(await circuit('wappin'), { state: 'closed', failures: 0, openedAt: null });
      assert.equal(await events('provider.healthy'), 1);
      const metrics = await stack.api.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /kurir_provider_circuit_state\{provider="wappin"\} 0/);
    },
  );

  test('a campaign keeps going on the alternative while its first provider is down', { timeout: 120_000 }, async () => {
    await outage(true);
    try {
      const res = await stack.api.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: auth,
        payload: {
          name: 'failover',
          steps: [step],
          recipients: [scriptedNumber(), scriptedNumber(), scriptedNumber()].map((phone) => ({ phone })),
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const final = (await stack.client.workflow.getHandle(res.json<{ id: string }>().id).result()) as CampaignProgress;
      assert.equal(final.pending, 0);
      assert.deepEqual(final.byProvider, { nusasms: 3 });
    } finally {
      await outage(false);
    }
  });
});
