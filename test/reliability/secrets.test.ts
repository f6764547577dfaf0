// After a workload through every provider (messages, OTPs by WhatsApp and SMS, a campaign,
// callbacks), no OTP code, provider secret, callback secret or API key is found in any Temporal
// history of the namespace (listed through visibility: other test files' workflows too), in the
// captured logs (debug level, request logs included) or in any table.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ENGAGELAB_SANDBOX_CREDENTIALS } from '../../sandboxes/engagelab.js';
import { ITD_SANDBOX_CREDENTIALS } from '../../sandboxes/itd.js';
import { NUSASMS_SANDBOX_CREDENTIALS } from '../../sandboxes/nusasms.js';
import { SMS_MASKING_SANDBOX_CREDENTIALS } from '../../sandboxes/sms-masking.js';
import { WAPPIN_SANDBOX_CREDENTIALS } from '../../sandboxes/wappin.js';
import { envSchema } from '../../config/schema.js';
import type { TestDatabase } from '../../scripts/test-database.js';
import { lastCodeSent } from '../helpers/codes.js';
import { campaignNumber } from '../helpers/campaign.js';
import { databaseText, findSecrets, historiesText, listWorkflowIds } from '../helpers/secret-scan.js';
import { capturedLogs, eventually, startStack, type Stack } from '../helpers/stack.js';
import { ownDatabase } from './helpers/own-database.js';
import { caseMessage, caseNumber, cases } from './helpers/scenarios.js';
import { size } from './helpers/size.js';
import { PROVIDER_NAMES } from '../../providers/registry.js';

const secret = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;
const own = {
  KURIR_API_KEYS: secret('apikey'),
  CALLBACK_TOKEN: secret('cbtoken'),
  WAPPIN_CALLBACK_TOKEN: secret('wappintoken'),
  ENGAGELAB_CALLBACK_SECRET: secret('elsecret'),
  OTP_HMAC_KEY: secret('hmackey'),
};
const defaults = envSchema.parse({});
const auth = { authorization: `Bearer ${own.KURIR_API_KEYS}` };
let db: TestDatabase;
let stack: Stack;

before(async () => {
  db = await ownDatabase();
  stack = await startStack({ logLevel: 'debug', env: { DATABASE_URL: db.url, ...own } });
});
after(async () => {
  await stack?.stop();
  await db?.drop();
});

async function post(url: string, payload: object) {
  const res = await stack.api.inject({ method: 'POST', url, headers: auth, payload });
  assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>();
}

test('no OTP code, provider secret or API key in histories, logs or tables', { timeout: 600_000 }, async () => {
  const ids: string[] = [];
  for (const [i, c] of cases(PROVIDER_NAMES).entries())
    ids.push((await post('/v1/messages', caseMessage(caseNumber('891', i, c), c))).id);
  const codes = new Set<string>();
  const otps = size(4, 20);
  for (let i = 0; i < otps; i++) {
    const to = campaignNumber('892', i, i % 2 ? '601' : '000'); // odd: invalid on WhatsApp, the SMS carries the code
    const { id } = await post('/v1/otp', { to });
    ids.push(id);
    const code = await eventually(
      async () => lastCodeSent(stack.sandboxes, i % 2 ? 'sms-masking' : 'wappin', to),
      90_000,
      `the code of OTP ${i} (${id})`,
    );
    codes.add(code);
    if (i % 2 === 0) await post(`/v1/otp/${id}/verify`, { code });
  }
  const recipients = Array.from({ length: size(10, 50) }, (_, i) => ({
    phone: campaignNumber('893', i, i % 3 ? '000' : '601'),
    params: [`R${i}`],
  }));
  ids.push(
    (
      await post('/v1/campaigns', {
        name: 'secrets',
        recipients,
        steps: [
          { channel: 'whatsapp', provider: 'wappin', template: 'promo', params: ['{{1}}'] },
          { channel: 'sms', provider: 'sms-masking', text: 'Hi {{1}}' },
        ],
      })
    ).id,
  );
  // Let the campaign finish and the callbacks land (messages poll only after an hour: callbacks only).
  await stack.client.workflow.getHandle(ids.at(-1)!).result();
  await new Promise((r) => setTimeout(r, 3_000));

  const workflowIds = await listWorkflowIds(stack.client);
  assert.ok(
    ids.every((id) => workflowIds.includes(id)) || workflowIds.length >= 5_000,
    "visibility lists this run's workflows",
  );
  const haystacks = {
    histories: await historiesText(stack.client, workflowIds),
    logs: capturedLogs.join(''),
    database: await databaseText(stack.pool),
  };
  assert.ok(
    haystacks.logs.includes('/callbacks/') && haystacks.database.length > 1_000 && haystacks.histories.length > 1_000,
    'the haystacks hold the run',
  );
  // The default API key 'dev-key' is left out: it is part of the public EngageLab sandbox key name;
  // this stack's own random API key stands for it.
  const secrets = [
    ...codes,
    ...Object.values(own),
    WAPPIN_SANDBOX_CREDENTIALS.secretKey,
    ITD_SANDBOX_CREDENTIALS.token,
    ENGAGELAB_SANDBOX_CREDENTIALS.devSecret,
    NUSASMS_SANDBOX_CREDENTIALS.password,
    SMS_MASKING_SANDBOX_CREDENTIALS.password,
    defaults.CALLBACK_TOKEN,
    defaults.WAPPIN_CALLBACK_TOKEN,
    defaults.ENGAGELAB_CALLBACK_SECRET,
    defaults.OTP_HMAC_KEY,
  ];
  assert.ok(codes.size >= 2, 'codes were collected');
  assert.deepEqual(
    findSecrets(haystacks, secrets),
    [],
    `scanned ${workflowIds.length} histories, ${capturedLogs.length} log lines`,
  );
});
