// The SDK (`@kurir/client`) end to end: a message, an OTP and campaigns (created over REST from an
// array and from a CSV file, pause/resume, cancel, typed errors) against a stack's worker.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CampaignEmptyError,
  CampaignExistsError,
  CampaignNotFoundError,
  Kurir,
  KurirConfigError,
  KurirValidationError,
} from '../client/index.js';
import { campaignNumber, finishedCount, sendsPerNumber } from './helpers/campaign.js';
import { lastCodeSent } from './helpers/codes.js';
import { digitsOf, scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
let kurir: Kurir;
before(async () => {
  stack = await startStack({ logLevel: 'warn' });
  kurir = await Kurir.connect({
    address: process.env.TEMPORAL_ADDRESS,
    namespace: stack.config.TEMPORAL_NAMESPACE,
    taskQueue: stack.taskQueue,
    otpHmacKey: stack.config.OTP_HMAC_KEY,
    recipientHashKey: stack.config.RECIPIENT_HASH_KEY,
    apiUrl: stack.apiUrl,
    kurirApiKey: stack.config.KURIR_API_KEYS[0]!.key,
  });
});
after(async () => {
  await kurir?.close();
  await stack?.stop();
});

const steps = [
  { channel: 'whatsapp' as const, provider: 'wappin' as const, template: 'promo', params: ['x'] },
  { channel: 'sms' as const, provider: 'sms-masking' as const, text: 'Hi {{1}}' },
];

describe('typed client', () => {
  test('no development fallbacks: without an OTP HMAC key, a recipient hash key or an API key the calls that need them throw KurirConfigError', async () => {
    const saved = {
      OTP_HMAC_KEY: process.env.OTP_HMAC_KEY,
      KURIR_API_KEY: process.env.KURIR_API_KEY,
      RECIPIENT_HASH_KEY: process.env.RECIPIENT_HASH_KEY,
    };
    delete process.env.OTP_HMAC_KEY;
    delete process.env.KURIR_API_KEY;
    delete process.env.RECIPIENT_HASH_KEY;
    const bare = await Kurir.connect({
      address: process.env.TEMPORAL_ADDRESS,
      namespace: stack.config.TEMPORAL_NAMESPACE,
      taskQueue: stack.taskQueue,
      apiUrl: stack.apiUrl,
    });
    try {
      await assert.rejects(
        bare.verifyOtp('otp_none', '123456'),
        (err) => err instanceof KurirConfigError && err.setting === 'otpHmacKey',
      );
      for (const start of [
        () => bare.sendMessage({ to: scriptedNumber(), steps }),
        () => bare.startOtp({ to: scriptedNumber() }),
      ])
        await assert.rejects(start(), (err) => err instanceof KurirConfigError && err.setting === 'recipientHashKey');
      await assert.rejects(
        bare.startCampaign({ name: 'no key', steps }, [{ phone: scriptedNumber() }]),
        (err) => err instanceof KurirConfigError && err.setting === 'apiKey',
      );
      await assert.rejects(
        bare.events({}, { follow: false }).next(),
        (err) => err instanceof KurirConfigError && err.setting === 'apiKey',
      );
    } finally {
      await bare.close();
      for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    }
  });

  test('sendMessage → status → result with the fallback taken', async () => {
    const msg = await kurir.sendMessage({ to: scriptedNumber('601'), steps });
    assert.match(msg.id, /^msg_/);
    const result = await msg.result();
    assert.equal(result.outcome, 'delivered');
    assert.equal(result.deliveredBy, 'sms-masking');
    assert.equal((await msg.status()).attempts[0]?.fallback?.reason, 'invalid_number');
  });

  test('startOtp → verify with the code the phone received', async () => {
    const to = scriptedNumber();
    const otp = await kurir.startOtp({ to, strategy: ['sms'] });
    assert.equal(otp.sent?.channel, 'sms');
    const code = await eventually(async () => lastCodeSent(stack.sandboxes, 'sms-masking', to), 15_000, 'the code');
    assert.equal((await otp.verify(code)).status, 'approved');
    assert.equal((await kurir.otp(otp.id).status()).status, 'approved');
  });

  test(
    'startCampaign from an array: result counts the fallbacks; bad rows are reported',
    { timeout: 120_000 },
    async () => {
      const recipients = [0, 1, 2, 3, 4].map((i) => ({
        phone: campaignNumber('831', i, i === 0 ? '601' : '000'),
        param1: `R${i}`,
      }));
      const campaign = await kurir.startCampaign({ name: 'typed', steps, concurrency: 5 }, [
        ...recipients,
        { phone: '12' },
      ]);
      assert.match(campaign.id, /^cmp_/);
      assert.equal(campaign.imported?.imported, 5);
      assert.deepEqual(campaign.imported?.rejected, [{ line: 6, reason: 'phone: "12" is not a valid phone number' }]);
      const final = await campaign.result();
      assert.equal(final.state, 'completed');
      assert.equal(final.total, 5);
      assert.equal(final.counts.fell_back, 1);
      assert.equal(final.counts.read + final.counts.delivered, 4);
      assert.deepEqual(final.byProvider, { wappin: 4, 'sms-masking': 1 });
      // A handle by id reads the same campaign.
      assert.deepEqual(await kurir.campaign(campaign.id).progress(), final);
    },
  );

  test('startCampaign from a CSV file; pause holds new sends, resume finishes', { timeout: 180_000 }, async () => {
    const phones = Array.from({ length: 30 }, (_, i) => campaignNumber('832', i));
    const dir = mkdtempSync(join(tmpdir(), 'kurir-client-'));
    const csvPath = join(dir, 'recipients.csv');
    writeFileSync(csvPath, ['phone,param1', ...phones.map((p, i) => `${p},R${i}`)].join('\n'));
    const campaign = await kurir.startCampaign({ name: 'csv', steps, concurrency: 2 }, { csvPath });
    assert.equal(campaign.imported?.imported, 30);
    await eventually(
      async () => (finishedCount(await campaign.progress()) >= 2 ? true : undefined),
      60_000,
      'some sent',
    );
    await campaign.pause();
    const paused = await eventually(
      async () => {
        const p = await campaign.progress();
        return p.state === 'paused' && p.inFlight === 0 ? p : undefined;
      },
      30_000,
      'paused and drained',
    );
    const sentAt = () => phones.filter((p) => sendsPerNumber(stack, 'wappin').has(digitsOf(p))).length;
    const atPause = sentAt();
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(sentAt(), atPause, 'no send while paused');
    assert.ok(atPause < 30 && finishedCount(paused) === atPause);
    await campaign.resume();
    const final = await campaign.result();
    assert.equal(final.counts.read + final.counts.delivered, 30);
  });

  test('cancel ends the campaign with the rest not_sent', { timeout: 120_000 }, async () => {
    const recipients = Array.from({ length: 20 }, (_, i) => ({ phone: campaignNumber('833', i) }));
    const campaign = await kurir.startCampaign({ name: 'cancel', steps: [steps[1]!], concurrency: 1 }, recipients);
    await campaign.cancel('test');
    const final = await campaign.result();
    assert.equal(final.state, 'canceled');
    assert.ok(final.counts.not_sent > 0, JSON.stringify(final.counts));
    assert.equal(final.counts.read + final.counts.delivered + final.counts.not_sent, 20);
  });

  test(
    'more recipients than a JSON body takes stream to the API as CSV; lines still count recipients',
    { timeout: 120_000 },
    async () => {
      async function* recipients() {
        for (let i = 0; i < 10_000; i++)
          yield {
            phone: `+62836${String(i).padStart(5, '0')}000`,
            param1: `R${i}`,
            ...(i === 0 ? { time_zone: 'Asia/Jakarta' } : {}),
          };
        yield { phone: '12' };
      }
      const campaign = await kurir.startCampaign({ name: 'large', steps }, recipients(), { start: false });
      assert.equal(campaign.imported?.imported, 10_000);
      assert.deepEqual(campaign.imported?.rejected, [
        { line: 10_001, reason: 'phone: "12" is not a valid phone number' },
      ]);
      const stored = await stack.pool.query<{ params: string[]; time_zone: string | null }>(
        'SELECT params, time_zone FROM campaign_recipients WHERE campaign_id = $1 ORDER BY recipient_id LIMIT 1',
        [campaign.id],
      );
      assert.deepEqual(stored.rows[0], { params: ['R0'], time_zone: 'Asia/Jakarta' });
    },
  );

  test('typed errors: invalid spec, no valid recipient, unknown campaign, id taken', async () => {
    await assert.rejects(
      kurir.startCampaign({ name: 'bad', steps: [{ channel: 'sms', provider: 'itd', text: 'x' }] }, [
        { phone: scriptedNumber() },
      ]),
      (err: unknown) => err instanceof KurirValidationError && err.field === 'steps.0.provider',
    );
    await assert.rejects(
      kurir.startCampaign({ name: 'empty', steps }, [{ phone: 'nope' }, { phone: '' }]),
      (err: unknown) => err instanceof CampaignEmptyError && err.rejectedCount === 2 && err.rejected[0]?.line === 1,
    );
    await assert.rejects(kurir.campaign('cmp_does_not_exist').progress(), CampaignNotFoundError);
    await assert.rejects(kurir.campaign('cmp_does_not_exist').pause(), CampaignNotFoundError);
    const id = `cmp_${randomUUID()}`;
    await kurir.startCampaign({ name: 'first', steps }, [{ phone: scriptedNumber() }], { id, start: false });
    await assert.rejects(
      kurir.startCampaign({ name: 'second', steps }, [{ phone: scriptedNumber() }], { id, start: false }),
      (err: unknown) => err instanceof CampaignExistsError && err.id === id && /already exists/.test(err.message),
    );
  });
});
