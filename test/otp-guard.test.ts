// The OTP guard (issue #20): disallowed countries, refused number types and full windows get no
// send, a 403 or 429 naming the reason and an `otp.blocked` event; normal traffic passes. Keys,
// addresses and prefixes are fresh per run, as the database outlives it.
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sendRequests, tail } from './helpers/numbers.js';
import { startStack, type Stack } from './helpers/stack.js';

const run = randomUUID().slice(0, 8);
const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n) => ({
  name: `guard-${n}-${run}`,
  key: `key-${n}-${run}-0123456789abcdef`,
}));
let stack: Stack;
before(async () => {
  stack = await startStack({
    env: {
      KURIR_API_KEYS: ['dev-key', ...keys.map((k) => `${k.name}:${k.key}`)].join(','),
      OTP_ALLOWED_COUNTRIES: 'ID,GB,US',
      OTP_REFUSED_NUMBER_TYPES: 'VOIP',
      OTP_LIMIT_PER_API_KEY: '3/1 hour',
      OTP_LIMIT_PER_IP: '3/1 hour',
      OTP_LIMIT_PER_PREFIX: '3/1 hour',
    },
  });
});
after(async () => {
  await stack?.stop();
});

/** A fresh Indonesian mobile number: a prefix of its own (the number without its last 4 digits) unless given. */
const prefixOf = () => `+62812${String(randomInt(10_000, 99_999))}`;
const number = (prefix = prefixOf(), last4 = '0000') => `${prefix}${last4}`;
const address = () => `10.${randomInt(0, 255)}.${randomInt(0, 255)}.${randomInt(1, 254)}`;

async function start(to: string, opts: { key?: number; ip?: string; extra?: object } = {}) {
  const res = await stack.api.inject({
    method: 'POST',
    url: '/v1/otp',
    remoteAddress: opts.ip ?? address(),
    headers: { authorization: `Bearer ${keys[opts.key ?? 0]!.key}` },
    payload: { to, strategy: ['sms'], ...opts.extra },
  });
  return { status: res.statusCode, body: res.json<Record<string, string>>(), headers: res.headers };
}

async function blockedEvents(reference: string) {
  const res = await stack.pool.query<{ data: Record<string, string>; row: string }>(
    "SELECT data, row_to_json(events)::text AS row FROM events WHERE type = 'otp.blocked' AND reference = $1",
    [reference],
  );
  return res.rows;
}

describe('OTP guard', () => {
  test('a disallowed country is refused with 403 and no send; a request can only narrow the list', async () => {
    const reference = `geo-${run}`;
    const japan = '+81312345678';
    const refused = await start(japan, { key: 1, extra: { reference } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'country_not_allowed');
    assert.match(refused.body.message!, /JP is not a country/);
    const narrowed = await start(number(), { key: 1, extra: { reference, allowedCountries: ['GB'] } });
    assert.equal(narrowed.status, 403, 'ID is allowed by the server, not by this request');
    const events = await blockedEvents(reference);
    assert.deepEqual(
      events.map((e) => e.data.reason),
      ['country_not_allowed', 'country_not_allowed'],
    );
    assert.ok(
      events.every((e) => !e.row.includes('81312345678')),
      'no phone number in the event',
    );
    assert.equal(
      sendRequests(stack.sandboxes, 'sms-masking').filter((r) => tail(r.recipient) === tail(japan)).length,
      0,
    );
    assert.equal(
      (await start(number(), { key: 1, extra: { allowedCountries: ['ID'] } })).status,
      202,
      'normal traffic passes',
    );
  });

  test('a VoIP number is refused when OTP_REFUSED_NUMBER_TYPES names VOIP', async () => {
    const refused = await start('+445612345678', { key: 2 });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'number_type_refused');
    assert.match(refused.body.message!, /VOIP numbers get no OTP/);
  });

  test('an API key over its window: the fourth start is 429 naming the limit, with Retry-After', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await start(number(), { key: 3 })).status, 202, `start ${i + 1}`);
    const fourth = await start(number(), { key: 3 });
    assert.equal(fourth.status, 429);
    assert.equal(fourth.body.error, 'rate_limited');
    assert.match(fourth.body.message!, /per api key is reached \(3 per 1 hour\)/);
    assert.ok(Number(fourth.headers['retry-after']) > 3_000, 'about an hour');
    assert.equal((await start(number(), { key: 4 })).status, 202, 'another key is not held back');
  });

  test('one client address over its window, across keys', async () => {
    const ip = address();
    for (let i = 0; i < 3; i++) assert.equal((await start(number(), { key: 5, ip })).status, 202);
    const fourth = await start(number(), { key: 6, ip });
    assert.equal(fourth.status, 429);
    assert.match(fourth.body.message!, /per ip is reached/);
  });

  test('one number prefix over its window, across keys and addresses', async () => {
    const prefix = prefixOf();
    for (const last4 of ['1000', '2000', '3000'])
      assert.equal((await start(number(prefix, last4), { key: 7 })).status, 202);
    const fourth = await start(number(prefix, '4000'), { key: 0 });
    assert.equal(fourth.status, 429);
    assert.match(fourth.body.message!, /per prefix is reached/);
    const stored = await stack.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM otp_guard_hits WHERE scope = 'prefix' AND key LIKE $1",
      [`%${prefix.slice(1)}%`],
    );
    assert.equal(stored.rows[0]!.n, '0', 'prefixes are stored as keyed hashes');
  });
});
