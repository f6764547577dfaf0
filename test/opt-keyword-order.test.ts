// STOP and START from one number: the newest word wins, whatever order the messages are stored in
// (a provider's retries, two relay drains or two API replicas storing at once). Against PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storeInbound } from '../db/inbound-messages.js';
import { suppressionOf } from '../db/suppressions.js';
import { inTransaction } from '../db/transaction.js';
import type { InboundMessage } from '../providers/types.js';
import { useHarnessPool } from './helpers/stack.js';

const pool = useHarnessPool();

let seq = 0;
const phone = () => `+62855${String(process.pid % 10_000).padStart(4, '0')}${String(++seq).padStart(4, '0')}`;
const word = (from: string, text: string, at: string): InboundMessage => ({
  provider: 'wappin',
  providerMessageId: `order-${from}-${text}-${at}`,
  from: from.slice(1),
  type: 'text',
  text,
  receivedAt: new Date(at),
  raw: {},
});
const store = (m: InboundMessage) => inTransaction(pool(), (client) => storeInbound(client, m));
const suppressed = async (p: string) => (await suppressionOf(pool(), p, 'whatsapp')) !== undefined;

test('an older STOP stored after a newer START does not suppress', async () => {
  const p = phone();
  await store(word(p, 'STOP', '2026-12-01T10:00:00Z'));
  await store(word(p, 'START', '2026-12-01T10:05:00Z'));
  assert.equal(await suppressed(p), false, 'in order');

  const q = phone();
  await store(word(q, 'START', '2026-12-01T10:05:00Z'));
  await store(word(q, 'STOP', '2026-12-01T10:00:00Z'));
  assert.equal(await suppressed(q), false, 'the STOP came late');

  const r = phone();
  await store(word(r, 'START', '2026-12-01T10:00:00Z'));
  await store(word(r, 'STOP', '2026-12-01T10:05:00Z'));
  assert.equal(await suppressed(r), true, 'the newest word is STOP');
});

test('two transactions storing words of one number at once: the newest still wins', async () => {
  for (const [first, second] of [
    [word('', 'START', '2026-12-01T11:05:00Z'), word('', 'STOP', '2026-12-01T11:00:00Z')],
    [word('', 'STOP', '2026-12-01T11:00:00Z'), word('', 'START', '2026-12-01T11:05:00Z')],
  ] as const) {
    const p = phone();
    const a = { ...first, from: p.slice(1), providerMessageId: `${first.providerMessageId}${p}` };
    const b = { ...second, from: p.slice(1), providerMessageId: `${second.providerMessageId}${p}` };
    // The first transaction holds its word uncommitted while the second one stores its own.
    let releaseFirst: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      releaseFirst = r;
    });
    let firstStored: () => void = () => undefined;
    const stored = new Promise<void>((r) => {
      firstStored = r;
    });
    const one = inTransaction(pool(), async (client) => {
      await storeInbound(client, a);
      firstStored();
      await held;
    });
    await stored;
    const two = store(b);
    await new Promise((r) => setTimeout(r, 200)); // the second waits for the first's lock
    releaseFirst();
    await Promise.all([one, two]);
    assert.equal(await suppressed(p), false, `${a.text} then ${b.text}: START is the newest word`);
  }
});
