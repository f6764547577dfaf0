// Callback credentials: each provider's own token with a rotation list (security review M3), a
// small body limit checked after authentication (M1), the raw body stored as sent, and EngageLab
// signatures admitted once per body with the account's username pinned (M2).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signEngageLabCallback } from '../providers/engagelab/callbacks.js';
import type { MessageResult } from '../workflows/types.js';
import { scriptedNumber } from './helpers/numbers.js';
import { startStack, type Stack } from './helpers/stack.js';

const NUSASMS_NEW = 'nusasms-token-new-0123456789';
const NUSASMS_OLD = 'nusasms-token-old-0123456789';
const USERNAME = 'kurir-sandbox';
const SECRET = 'dev-engagelab-callback-secret';

let stack: Stack;
before(async () => {
  stack = await startStack({
    env: {
      NUSASMS_CALLBACK_TOKEN: `${NUSASMS_NEW}, ${NUSASMS_OLD}`,
      ENGAGELAB_CALLBACK_USERNAME: USERNAME,
      CALLBACK_BODY_LIMIT_BYTES: '4096',
    },
  });
});
after(async () => {
  await stack?.stop();
});

const nusasmsReport = (token: string, ref: string) =>
  stack.api.inject({ method: 'GET', url: `/callbacks/nusasms/${token}?ref_no=${ref}&status=D` });
const engagelab = (header: string, payload: string) =>
  stack.api.inject({
    method: 'POST',
    url: '/callbacks/engagelab',
    headers: { 'content-type': 'application/json', 'x-callback-id': header },
    payload,
  });
const engagelabBody = (messageId: string, pad = '') =>
  `{ "message_id" : "${messageId}", "to": "+6281200000000", "server": "otp", "channel": "whatsapp",` +
  ` "itime": ${Math.floor(Date.now() / 1000)}, "status": { "message_status": "delivered", "error_code": 0 }${pad} }`;
const stored = async (route: string, needle: string) =>
  (
    await stack.pool.query<{ body: string }>(
      `SELECT body FROM callback_inbox WHERE route = $1 AND (body LIKE $2 OR query::text LIKE $2) ORDER BY id`,
      [route, `%${needle}%`],
    )
  ).rows.map((r) => r.body);

describe('callback credentials', () => {
  test("a provider's own token: current and previous accepted, the shared one not; the sandbox uses the current", async () => {
    const ref = `ref-${Date.now()}`;
    assert.equal((await nusasmsReport(NUSASMS_NEW, `${ref}-a`)).statusCode, 200);
    assert.equal((await nusasmsReport(NUSASMS_OLD, `${ref}-b`)).statusCode, 200, 'the token being retired');
    assert.equal(
      (await nusasmsReport('dev-callback-token', `${ref}-c`)).statusCode,
      401,
      'CALLBACK_TOKEN is not NusaSMS’s',
    );
    const smsMasking = await stack.api.inject({
      method: 'GET',
      url: `/callbacks/sms-masking/dev-callback-token?session_id=s-${ref}&status=2`,
    });
    assert.equal(smsMasking.statusCode, 200, 'a provider without its own token keeps CALLBACK_TOKEN');
    const id = await stack.send({
      to: scriptedNumber(),
      steps: [{ channel: 'whatsapp', provider: 'nusasms', text: 'Your parcel is on its way' }],
    });
    const r = (await stack.client.workflow.getHandle(id).result()) as MessageResult;
    assert.equal(r.outcome, 'delivered', 'the sandbox calls back with the current token');
    assert.ok(r.attempts[0]!.timeline.some((e) => e.source === 'callback' && e.status === 'delivered'));
  });

  test('over the callback body limit: 413 when authenticated, 401 (before reading it) when not', async () => {
    const big = engagelabBody(`big-${Date.now()}`, `, "pad": "${'x'.repeat(5_000)}"`);
    assert.equal((await engagelab(signEngageLabCallback(SECRET, USERNAME, Date.now()), big)).statusCode, 413);
    assert.equal((await engagelab('timestamp=1;nonce=n;username=u;signature=00', big)).statusCode, 401);
  });

  test('the inbox keeps the body as the provider sent it, spaces and all', async () => {
    const body = engagelabBody(`raw-${Date.now()}`);
    assert.equal((await engagelab(signEngageLabCallback(SECRET, USERNAME, Date.now()), body)).statusCode, 200);
    assert.deepEqual(await stored('/callbacks/engagelab', body.slice(0, 40)), [body]);
  });

  test('an EngageLab signature is admitted once per body: a retry passes, another body is a replay', async () => {
    const header = signEngageLabCallback(SECRET, USERNAME, Date.now());
    const messageId = `replay-${Date.now()}`;
    const body = engagelabBody(messageId);
    assert.equal((await engagelab(header, body)).statusCode, 200);
    assert.equal((await engagelab(header, body)).statusCode, 200, "the provider's retry of the same callback");
    const forged = await engagelab(header, body.replace('delivered', 'read'));
    assert.equal(forged.statusCode, 401);
    assert.match(forged.json<{ message: string }>().message, /already used with another body/);
    assert.equal((await stored('/callbacks/engagelab', messageId)).length, 1, 'stored once, the forged body never');
  });

  test('a signature naming another EngageLab account is refused when the username is pinned', async () => {
    const other = signEngageLabCallback(SECRET, 'someone-else', Date.now());
    assert.equal((await engagelab(other, engagelabBody(`other-${Date.now()}`))).statusCode, 401);
  });
});
