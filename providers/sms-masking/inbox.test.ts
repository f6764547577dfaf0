// inbox.php answers the document does not show (no sample answer): ids must be stable from read to
// read, also when the gateway gives none, and an empty inbox is no error. Against the real sandbox.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startSmsMaskingSandbox, type InboxItem } from '../../sandboxes/sms-masking.js';
import type { RunningSandbox } from '../../sandboxes/kit.js';
import { SMS_MASKING_SANDBOX_CREDENTIALS, SmsMaskingProvider } from './client.js';

const items: InboxItem[] = [
  { hp: '6281200000001', message: 'YA', date: '2026-12-04 10:00:00' },
  // The same text from the same number in the same second: two messages, two ids.
  { hp: '6281200000001', message: 'YA', date: '2026-12-04 10:00:00' },
  { hp: '6281200000002', message: 'no time' },
  { id: '991', hp: '6281200000003', message: 'with id', date: '2026-12-04 10:02:00' },
];

describe('inbox.php', () => {
  const sandboxes: RunningSandbox[] = [];
  const clientFor = async (opts: Parameters<typeof startSmsMaskingSandbox>[0]) => {
    const s = await startSmsMaskingSandbox(opts);
    sandboxes.push(s);
    return new SmsMaskingProvider({ baseUrl: s.url, ...SMS_MASKING_SANDBOX_CREDENTIALS });
  };
  after(async () => {
    await Promise.all(sandboxes.map((s) => s.close()));
  });

  for (const inboxFormat of ['json', 'lines'] as const) {
    test(`${inboxFormat}: the same ids on every read; the gateway's id when given`, async () => {
      const client = await clientFor({ inbox: items, inboxFormat });
      const first = await client.getInbox();
      const second = await client.getInbox();
      const ids = first.map((m) => m.providerMessageId);
      assert.deepEqual(
        second.map((m) => m.providerMessageId),
        ids,
      );
      assert.equal(new Set(ids).size, 4, 'four messages, four ids');
      assert.match(ids[0]!, /^h:[0-9a-f]{32}$/);
      assert.equal(ids[1], `${ids[0]}:1`);
      assert.equal(ids[3], '991');
      assert.deepEqual(
        first.map((m) => [m.from, m.text]),
        items.map((m) => [`+${m.hp}`, m.message]),
      );
      assert.equal(first[0]!.receivedAt.toISOString(), '2026-12-04T03:00:00.000Z');
    });
  }

  test('an empty inbox answers nothing, not an outage', async () => {
    const client = await clientFor({ inbox: [], inboxFormat: 'lines' });
    assert.deepEqual(await client.getInbox(), []);
  });

  test('a gateway whose reads empty the inbox: each message is listed once', async () => {
    const client = await clientFor({ inbox: items.slice(3), inboxDrain: true });
    assert.deepEqual(
      (await client.getInbox()).map((m) => m.providerMessageId),
      ['991'],
    );
    assert.deepEqual(await client.getInbox(), []);
  });
});
