// The OTP guard (issue #20): disallowed countries, refused number types and full windows get no
// send, a 403 or 429 naming the reason and an `otp.blocked` event; normal traffic passes. Keys,
// addresses and prefixes are fresh per run, as the database outlives it.
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sendRequests, sameNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';
import { lastCodeSent } from './helpers/codes.js';
import { runKurir } from './helpers/kurir-cli.js';
import { pruneOtpStarts } from '../db/otp-conversion.js';

const run = randomUUID().slice(0, 8);
const keys = Array.from({ length: 15 }, (_, i) => String.fromCharCode(97 + i)).map((n) => ({
  name: `guard-${n}-${run}`,
  key: `key-${n}-${run}-0123456789abcdef`,
}));
const scopedKey = { name: `guard-app-${run}`, key: `key-app-${run}-0123456789abcdef` };
let stack: Stack;
before(async () => {
  stack = await startStack({
    env: {
      KURIR_API_KEYS: [
        'dev-key',
        `${scopedKey.name}[otp]:${scopedKey.key}`,
        ...keys.map((k) => `${k.name}:${k.key}`),
      ].join(','),
      OTP_ALLOWED_COUNTRIES: 'ID,GB,US',
      OTP_REFUSED_NUMBER_TYPES: 'VOIP',
      OTP_LIMIT_PER_API_KEY: '3/1 hour',
      OTP_LIMIT_PER_IP: '3/1 hour',
      OTP_LIMIT_PER_PREFIX: '4/1 hour',
      // Conversion: 3 codes older than a second, fewer than half verified, block the prefix.
      OTP_BLOCK_MIN_SENDS: '3',
      OTP_BLOCK_MIN_CONVERSION: '0.5',
      OTP_CONVERSION_SETTLE: '1 second',
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

/** The `kurir` CLI against this stack's API (KURIR_API_URL, and dev-key: a key without scopes). */
const kurir = (...args: string[]) =>
  runKurir(args, { KURIR_API_URL: stack.apiUrl, KURIR_API_KEY: 'dev-key', LOG_LEVEL: 'silent' });

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
    assert.equal(sendRequests(stack.sandboxes, 'sms-masking').filter((r) => sameNumber(r.recipient, japan)).length, 0);
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
    for (const [i, last4] of ['1000', '2000', '3000', '4000'].entries())
      assert.equal((await start(number(prefix, last4), { key: 7 + (i % 2) })).status, 202);
    const fifth = await start(number(prefix, '5000'), { key: 0 });
    assert.equal(fifth.status, 429);
    assert.match(fifth.body.message!, /per prefix is reached/);
    const stored = await stack.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM otp_guard_hits WHERE scope = 'prefix' AND key LIKE $1",
      [`%${prefix.slice(1)}%`],
    );
    assert.equal(stored.rows[0]!.n, '0', 'prefixes are stored as keyed hashes');
  });

  test('a prefix whose codes nobody verifies is blocked, listed, and unblocked', async () => {
    const prefix = prefixOf();
    for (const last4 of ['1000', '2000', '3000'])
      assert.equal((await start(number(prefix, last4), { key: 9 })).status, 202);
    await new Promise((r) => setTimeout(r, 1_100)); // OTP_CONVERSION_SETTLE: the codes had their chance
    const blocked = await start(number(prefix, '4000'), { key: 10 });
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body.error, 'prefix_blocked');
    const event = await stack.pool.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM events WHERE type = 'otp.prefix_blocked' AND data->>'prefix' = $1",
      [prefix],
    );
    assert.deepEqual(
      { sends: event.rows[0]?.data.sends, verified: event.rows[0]?.data.verified },
      { sends: 3, verified: 0 },
    );
    // Listed for an operator (a key without scopes), and through the CLI; not for an application key.
    const list = await stack.api.inject({
      method: 'GET',
      url: '/v1/otp-guard/blocks',
      headers: { authorization: 'Bearer dev-key' },
    });
    assert.ok(list.json<{ items: Array<{ prefix: string }> }>().items.some((b) => b.prefix === prefix));
    const scoped = await stack.api.inject({
      method: 'GET',
      url: '/v1/otp-guard/blocks',
      headers: { authorization: `Bearer ${scopedKey.key}` },
    });
    assert.equal(scoped.statusCode, 403, 'an application key with scopes cannot see or lift blocks');
    const cli = await kurir('otp', 'blocks', '--json');
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok((JSON.parse(cli.stdout) as { items: Array<{ prefix: string }> }).items.some((b) => b.prefix === prefix));
    const lifted = await kurir('otp', 'unblock', prefix);
    assert.equal(lifted.code, 0, lifted.stderr);
    assert.equal((await kurir('otp', 'unblock', prefix)).code, 4, 'no longer blocked: not found');
    // Earlier sends no longer count: the prefix gets codes again.
    assert.equal((await start(number(prefix, '5000'), { key: 11 })).status, 202);
  });

  test('a prefix whose codes are verified stays open', async () => {
    const prefix = prefixOf();
    const ids: string[] = [];
    for (const last4 of ['1000', '2000', '3000']) {
      const to = number(prefix, last4);
      const started = await start(to, { key: 12 });
      assert.equal(started.status, 202);
      ids.push(started.body.id!);
      const code = await eventually(async () => lastCodeSent(stack.sandboxes, 'sms-masking', to), 15_000, 'the code');
      const verified = await stack.api.inject({
        method: 'POST',
        url: `/v1/otp/${started.body.id}/verify`,
        headers: { authorization: 'Bearer dev-key' },
        payload: { code },
      });
      assert.equal(verified.json<{ status: string }>().status, 'approved');
    }
    // otp.approved events are written by the workflow: wait until all three are stored.
    await eventually(
      async () => {
        const res = await stack.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM events WHERE type = 'otp.approved' AND otp_id = ANY($1::text[])",
          [ids],
        );
        return Number(res.rows[0]!.n) === 3 ? true : undefined;
      },
      15_000,
      'three otp.approved events',
    );
    await new Promise((r) => setTimeout(r, 1_100));
    assert.equal((await start(number(prefix, '4000'), { key: 13 })).status, 202);
  });

  test('the figures: codes sent, verified and refused by country and channel, in REST, metrics and the CLI', async () => {
    type Row = { country: string; channel: string; sent: number; otps: number; verified: number };
    const stats = async (window = '1h') => {
      const res = await stack.api.inject({
        method: 'GET',
        url: `/v1/otp-guard/stats?window=${window}`,
        headers: { authorization: 'Bearer dev-key' },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{
        byCountry: Row[];
        byChannel: Row[];
        refused: Array<{ country: string; reason: string; count: number }>;
      }>();
    };
    // Deltas of British numbers over sms: the database outlives the run, and no other test sends to GB.
    const figures = (s: Awaited<ReturnType<typeof stats>>) => {
      const row = s.byCountry.find((r) => r.country === 'GB' && r.channel === 'sms');
      const refused = s.refused.find((r) => r.country === 'GB' && r.reason === 'number_type_refused');
      return { sent: row?.sent ?? 0, otps: row?.otps ?? 0, verified: row?.verified ?? 0, refused: refused?.count ?? 0 };
    };
    const before = figures(await stats());
    const british = () => `+447${randomInt(400, 599)}${randomInt(100_000, 999_999)}`;
    const ids: string[] = [];
    for (const verify of [true, false]) {
      const to = british();
      const started = await start(to, { key: 14 });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      ids.push(started.body.id!);
      const code = await eventually(async () => lastCodeSent(stack.sandboxes, 'sms-masking', to), 15_000, 'the code');
      if (verify)
        await stack.api.inject({
          method: 'POST',
          url: `/v1/otp/${started.body.id}/verify`,
          headers: { authorization: 'Bearer dev-key' },
          payload: { code },
        });
    }
    assert.equal((await start('+445612345678', { key: 14 })).body.error, 'number_type_refused');
    const after = await eventually(
      async () => {
        const f = figures(await stats());
        return f.verified > before.verified && f.sent >= before.sent + 2 ? f : undefined;
      },
      15_000,
      'the sends and the verification in the figures',
    );
    assert.deepEqual(
      {
        sent: after.sent - before.sent,
        otps: after.otps - before.otps,
        verified: after.verified - before.verified,
        refused: after.refused - before.refused,
      },
      { sent: 2, otps: 2, verified: 1, refused: 1 },
    );
    const metrics = await stack.api.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /kurir_otp_sent_last_hour\{country="GB",channel="sms"\} \d+/);
    assert.match(metrics.body, /kurir_otp_conversion_last_hour\{channel="sms"\} 0\.\d+/);
    const cli = await kurir('otp', 'stats', '--window', '1h', '--json');
    assert.equal(cli.code, 0, cli.stderr);
    const fromCli = figures(JSON.parse(cli.stdout) as Awaited<ReturnType<typeof stats>>);
    assert.ok(fromCli.sent >= after.sent && fromCli.verified >= after.verified, 'the CLI reads the same figures');
    const tooLong = await kurir('otp', 'stats', '--window', '30d');
    assert.equal(tooLong.code, 2);
    assert.match(tooLong.stderr, /window: must be a duration up to 7 days/);
  });

  test('starts older than the conversion window are forgotten', async () => {
    const old = `otp_old_${run}`;
    const young = `otp_young_${run}`;
    await stack.pool.query(
      `INSERT INTO otp_starts (otp_id, prefix_hash, country, started_at)
       VALUES ($1, 'h', 'ID', now() - interval '2 hours'), ($2, 'h', 'ID', now())`,
      [old, young],
    );
    assert.ok((await pruneOtpStarts(stack.pool, 3_600_000)) >= 1);
    const left = await stack.pool.query<{ otp_id: string }>(
      'SELECT otp_id FROM otp_starts WHERE otp_id = ANY($1::text[])',
      [[old, young]],
    );
    assert.deepEqual(
      left.rows.map((r) => r.otp_id),
      [young],
    );
  });
});
