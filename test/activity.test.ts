// The operator's view over REST (issue #21): the activity feed (GET /v1/messages) and the delivery
// KPIs (GET /v1/stats), both kept from the events the workflows write. Stats are compared as
// deltas: the test database outlives the run and other files send through the same providers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { histogramQuantile, type FeedItem, type ProviderKpis } from '../db/activity.js';
import { lastCodeSent } from './helpers/codes.js';
import { scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

const auth = { authorization: 'Bearer dev-key' };
const appKey = `app-key-${randomUUID()}`;
const wa = { channel: 'whatsapp', provider: 'wappin', template: 'order_shipped', params: ['A-1'] };
const sms = { channel: 'sms', provider: 'sms-masking', text: 'Order A-1 shipped' };

let stack: Stack;
before(async () => {
  stack = await startStack({ env: { KURIR_API_KEYS: `dev-key,app[messages]:${appKey}` } });
});
after(async () => {
  await stack?.stop();
});

async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await stack.api.inject({ method: 'GET', url, headers: auth });
  return { status: res.statusCode, body: res.json<T>() };
}
const feed = (query: string) => get<{ items: FeedItem[]; next?: string }>(`/v1/messages?${query}`);
type Stats = { byProvider: ProviderKpis[]; fallbackReasons: Array<{ reason: string; count: number }> };
const kpis = async () => (await get<Stats>('/v1/stats?window=1h')).body;
const row = (s: Stats, provider: string) =>
  s.byProvider.find((r) => r.provider === provider) ?? { sends: 0, delivered: 0, read: 0, failed: 0, fellBack: 0 };

async function send(to: string, reference: string, fallback: object = {}): Promise<string> {
  const res = await stack.api.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: auth,
    payload: { to, reference, steps: [wa, sms], fallback },
  });
  assert.equal(res.statusCode, 202, res.body);
  return res.json<{ id: string }>().id;
}

describe('activity feed and delivery KPIs', () => {
  test('the feed lists messages and OTPs newest first, filtered and paged; the KPIs count what they did', async () => {
    const reference = `feed-${randomUUID().slice(0, 8)}`;
    const before = await kpis();
    const read = await send(scriptedNumber('000'), reference, { notReadWithin: '30 seconds' });
    const fellBack = await send(scriptedNumber('601'), reference); // WhatsApp: invalid number; SMS delivers
    const to = scriptedNumber();
    const otp = await stack.api.inject({ method: 'POST', url: '/v1/otp', headers: auth, payload: { to, reference } });
    assert.equal(otp.statusCode, 202, otp.body);
    const otpId = otp.json<{ id: string }>().id;
    const code = await eventually(async () => lastCodeSent(stack.sandboxes, 'wappin', to), 15_000, 'the code');
    await stack.api.inject({ method: 'POST', url: `/v1/otp/${otpId}/verify`, headers: auth, payload: { code } });

    const items = await eventually(
      async () => {
        const { body } = await feed(`reference=${reference}`);
        return body.items.length === 3 && body.items.every((i) => i.outcome) ? body.items : undefined;
      },
      30_000,
      'three ended items in the feed',
    );
    // Each where it ended; newest first by when each started (its first send: a message waits for its
    // provider's send slot, an OTP's code does not, so the order need not be the order of the calls).
    assert.deepEqual(
      items.map((i) => [i.id, i.kind, i.outcome, i.channel, i.fallbacks]).sort(),
      [
        [otpId, 'otp', 'approved', 'whatsapp', 0],
        [fellBack, 'message', 'delivered', 'sms', 1],
        [read, 'message', 'read', 'whatsapp', 0],
      ].sort(),
    );
    for (const [i, item] of items.slice(1).entries())
      assert.ok(items[i]!.startedAt >= item.startedAt, `newest first: ${items[i]!.startedAt} before ${item.startedAt}`);
    // Filters combine; a cursor pages.
    const smsOnly = await feed(`reference=${reference}&channel=sms`);
    assert.deepEqual(
      smsOnly.body.items.map((i) => i.id),
      [fellBack],
    );
    const readOnly = await feed(`reference=${reference}&outcome=read&kind=message`);
    assert.deepEqual(
      readOnly.body.items.map((i) => i.id),
      [read],
    );
    const first = await feed(`reference=${reference}&limit=2`);
    assert.equal(first.body.items.length, 2);
    assert.ok(first.body.next, 'a next cursor');
    assert.deepEqual(
      first.body.items.map((i) => i.id),
      items.slice(0, 2).map((i) => i.id),
    );
    const second = await feed(`reference=${reference}&limit=2&cursor=${first.body.next}`);
    assert.deepEqual(
      second.body.items.map((i) => i.id),
      [items[2]!.id],
    );
    assert.equal(second.body.next, undefined, 'the last page');
    const future = await feed(
      `reference=${reference}&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    assert.deepEqual(future.body.items, []);
    // A key scoped to messages (not otp) sees the messages only.
    const scoped = (query: string) =>
      stack.api.inject({ method: 'GET', url: `/v1/messages?${query}`, headers: { authorization: `Bearer ${appKey}` } });
    assert.deepEqual(
      (await scoped(`reference=${reference}`)).json<{ items: FeedItem[] }>().items.map((i) => i.id),
      [fellBack, read],
    );
    assert.equal((await scoped('kind=otp')).statusCode, 403);
    // Bad input names the field.
    const badCursor = await feed('cursor=abc');
    assert.equal(badCursor.status, 400);
    assert.match(JSON.stringify(badCursor.body), /cursor/);
    const badWindow = await get<{ message: string }>('/v1/stats?window=90d');
    assert.equal(badWindow.status, 400);
    assert.match(badWindow.body.message, /window/);

    // The KPIs: two WhatsApp sends (one read, one invalid that fell back), one SMS delivered.
    const after = await eventually(
      async () => {
        const s = await kpis();
        return row(s, 'sms-masking').delivered > row(before, 'sms-masking').delivered ? s : undefined;
      },
      15_000,
      'the SMS delivery in the KPIs',
    );
    const delta = (p: string) => {
      const [a, b] = [row(after, p), row(before, p)];
      return {
        sends: a.sends - b.sends,
        delivered: a.delivered - b.delivered,
        read: a.read - b.read,
        failed: a.failed - b.failed,
        fellBack: a.fellBack - b.fellBack,
      };
    };
    assert.deepEqual(delta('wappin'), { sends: 2, delivered: 1, read: 1, failed: 1, fellBack: 1 });
    assert.deepEqual(delta('sms-masking'), { sends: 1, delivered: 1, read: 0, failed: 0, fellBack: 0 });
    const wappin = after.byProvider.find((r) => r.provider === 'wappin')!;
    assert.ok(wappin.toDelivered.p50 !== null && wappin.toDelivered.p50 >= 0, 'a time to delivered');
    assert.ok(wappin.deliveryRate !== null && wappin.deliveryRate > 0 && wappin.deliveryRate <= 1);
    const reasons = (s: Stats) => s.fallbackReasons.find((r) => r.reason === 'invalid_number')?.count ?? 0;
    assert.equal(reasons(after) - reasons(before), 1);
  });

  test('a window adds whole hours from the hourly rollup to its first, partial hour read row by row', async () => {
    const provider = `kpi-${randomUUID().slice(0, 8)}`;
    // Sent 30 min, 2 h 50 min and 3 h 10 min ago; delivered 3 s, 40 s and 3 s after.
    for (const [i, [agoMin, deliveredAfterS]] of [
      [30, 3],
      [170, 40],
      [190, 3],
    ].entries())
      await stack.pool.query(
        `INSERT INTO delivery_attempts (message_id, step, provider, channel, accepted_at, delivered_at)
         VALUES ($1, 0, $2, 'sms', now() - make_interval(mins => $3), now() - make_interval(mins => $3) + make_interval(secs => $4))`,
        [`${provider}-${i}`, provider, agoMin, deliveredAfterS],
      );
    const within = async (window: string) =>
      (await get<Stats>(`/v1/stats?window=${window}`)).body.byProvider.find((r) => r.provider === provider);
    assert.equal((await within('1h'))?.sends, 1);
    const three = await within('3h');
    assert.deepEqual([three?.sends, three?.delivered], [2, 2], 'the one sent 3 h 10 min ago is outside 3 h');
    assert.equal((await within('4h'))?.sends, 3);
    // Histogram buckets (seconds) …, 2, 5, 10, 30, 60: one in (2, 5], one in (30, 60].
    assert.deepEqual(three?.toDelivered, { p50: 5, p90: 54 });
    // A change to an attempt moves its contribution: delivered now, read a minute after sending.
    await stack.pool.query(
      `UPDATE delivery_attempts SET read_at = accepted_at + interval '61 seconds' WHERE message_id = $1`,
      [`${provider}-0`],
    );
    const read = await within('1h');
    assert.equal(read?.read, 1);
    assert.deepEqual(read?.toRead, { p50: 90, p90: 114 }, 'the (60, 120] bucket');
  });

  test('quantiles of a histogram interpolate inside the bucket and stop at an open-ended one', () => {
    const bounds = [1, 2, 5, Infinity];
    assert.equal(histogramQuantile(bounds, [0, 0, 0, 0], 0.5), null);
    assert.equal(histogramQuantile(bounds, [2, 0, 0, 0], 0.5), 0.5);
    assert.equal(histogramQuantile(bounds, [0, 0, 4, 0], 0.25), 2.75);
    assert.equal(histogramQuantile(bounds, [1, 0, 0, 9], 0.9), 5, 'the open bucket reports its lower bound');
  });
});
