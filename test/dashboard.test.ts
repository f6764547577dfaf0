// The operator dashboard end to end: a running stack serving /ui, driven in Debian's headless
// Chromium through playwright-core (no browser download). Signs in, previews and uploads a CSV,
// watches the campaign reach 100% with a pause and a resume on the way, opens a message that fell
// back to SMS, and visits the OTP and provider pages; then watches the activity feed fill live,
// filters it, and reads the overview's KPIs against the API's. Screenshots go to test/artifacts/.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureUiBuilt } from '../scripts/build-ui.js';
import { PROJECT_ROOT } from '../scripts/paths.js';
import { campaignNumber } from './helpers/campaign.js';
import { lastCodeSent } from './helpers/codes.js';
import { scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';
import { PROVIDER_NAMES } from '../providers/registry.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const ARTIFACTS = join(PROJECT_ROOT, 'test', 'artifacts');
const TEMPORAL_UI = 'http://127.0.0.1:8233';
const SIZE = 20;
/** Every fifth recipient's WhatsApp number is invalid (sandbox digits 601): SMS fallback. */
const fallsBack = (i: number) => i % 5 === 0;
const auth = { authorization: 'Bearer dev-key' };

let stack: Stack;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
const text = (selector: string) => page.locator(selector).first().innerText();
async function finished(): Promise<number> {
  const m = /(\d+) of (\d+)/.exec(await text('#progress-text'));
  return m ? Number(m[1]) : -1;
}

before(async () => {
  if (!haveChromium) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  await ensureUiBuilt((l) => process.stderr.write(`[dashboard] ${l}\n`));
  // Slow callbacks and concurrency 1 keep the campaign running long enough to pause it mid-way.
  stack = await startStack({ logLevel: 'warn', callbackDelayMs: 250, env: { TEMPORAL_UI_URL: TEMPORAL_UI } });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('operator dashboard in headless Chromium', () => {
  test(
    'sign in, upload a CSV, pause and resume to 100%, open a fallback message, OTP and provider pages',
    { timeout: 420_000 },
    async (t) => {
      // CI installs chromium (.ci/run), so there a missing browser is a failure, never a skip.
      if (!haveChromium) {
        const why = `chromium not found at ${CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)`;
        if (process.env.CI) assert.fail(why);
        t.skip(why);
        return;
      }

      // Sign in with the keyboard: a wrong key is refused, the right one opens the campaigns page.
      await page.goto(`${stack.apiUrl}/ui/`);
      await page.locator('#api-key').fill('not-a-key');
      await page.keyboard.press('Enter');
      await eventually(
        async () => ((await text('#sign-in-error')).includes('not accepted') ? true : undefined),
        10_000,
        'the refusal',
      );
      await page.locator('#api-key').fill('dev-key');
      await page.keyboard.press('Enter');
      await page.locator('h1', { hasText: 'Campaigns' }).waitFor({ timeout: 10_000 });
      assert.equal(await page.evaluate(() => sessionStorage.getItem('kurir.apiKey')), 'dev-key');
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'focus moves to the page heading');
      consoleErrors.length = 0; // the refused key's 401 was expected
      // The skip link moves focus to the content without leaving the page.
      await page.locator('.skip').focus();
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
      assert.match(page.url(), /#\/campaigns$/);

      // A CSV with 20 good rows, a bad number and a repeated number: the preview names both lines.
      const phones = Array.from({ length: SIZE }, (_, i) => campaignNumber('851', i, fallsBack(i) ? '601' : '000'));
      const csv = ['phone,param1', ...phones.map((p, i) => `${p},R${i}`), 'not-a-phone,X', `${phones[1]},again`].join(
        '\n',
      );
      const csvPath = join(ARTIFACTS, 'dashboard-recipients.csv');
      writeFileSync(csvPath, `${csv}\n`);
      await page.locator('#csv').setInputFiles(csvPath);
      await page.locator('#campaign-name').fill('dashboard e2e');
      await page.locator('#concurrency').fill('1');
      await page.getByRole('button', { name: 'Check file' }).click();
      await page.locator('#preview-summary').waitFor({ timeout: 10_000 });
      assert.match(await text('#preview-summary'), /20 valid recipients, 2 rows refused/);
      const preview = await text('#preview');
      assert.match(preview, /22\s+phone: "not-a-phone" is not a valid phone number/);
      assert.match(preview, /23\s+phone: \+62851001000000 repeats line 3/);
      assert.equal(
        (await stack.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM campaigns WHERE name = 'dashboard e2e'"))
          .rows[0]!.n,
        0,
        'the preview stored nothing',
      );
      await shot('dashboard-1-upload-preview.png');

      // Start: the page moves to the campaign; pause mid-way, check it holds, resume to 100%.
      await page.locator('#start-campaign').click();
      await page.waitForURL(/#\/campaigns\/cmp_/, { timeout: 15_000 });
      const campaignId = decodeURIComponent(/#\/campaigns\/(.+)$/.exec(page.url())![1]!);
      await eventually(async () => ((await finished()) >= 3 ? true : undefined), 120_000, 'three recipients finished');
      await page.locator('#pause').click();
      await eventually(
        async () => ((await text('#campaign-state')) === 'paused' ? true : undefined),
        30_000,
        'the paused state',
      );
      // With concurrency 1 at most the one message in flight finishes after the pause.
      const atPause = await eventually(
        async () => {
          const before = await finished();
          await new Promise((r) => setTimeout(r, 4_000));
          return (await finished()) === before ? before : undefined;
        },
        60_000,
        'progress to hold while paused',
      );
      assert.ok(atPause < SIZE, `paused mid-way (${atPause} of ${SIZE})`);
      assert.equal(await page.locator('#resume').isEnabled(), true);
      assert.equal(await page.locator('#pause').isEnabled(), false);
      await shot('dashboard-2-paused.png');
      await page.locator('#resume').focus();
      await page.keyboard.press('Enter');
      await eventually(
        async () => ((await text('#campaign-state')) === 'completed' ? true : undefined),
        240_000,
        'the campaign to complete',
      );
      await eventually(
        async () => ((await page.locator('#campaign-progress').getAttribute('value')) === '100' ? true : undefined),
        20_000,
        'progress at 100',
      );
      assert.match(await text('#progress-text'), /100\.0% · 20 of 20/);
      const fellBack = phones.filter((_, i) => fallsBack(i)).length;
      assert.match(
        await text('#fallback-rate'),
        new RegExp(`${((fellBack / SIZE) * 100).toFixed(1)}% \\(${fellBack}\\)`),
      );
      const body = await page.locator('main').innerText();
      assert.match(body, new RegExp(`fell_back\\s+${fellBack}`));
      assert.match(body, new RegExp(`sms-masking\\s+${fellBack}`));
      assert.match(body, new RegExp(`wappin\\s+${SIZE - fellBack}`));
      assert.equal(
        (await page.locator('svg.chart rect.bar').count()) >= 1,
        true,
        'the sends-per-minute chart has bars',
      );
      // The event stream (GET /v1/events, read with fetch + Bearer) delivered this campaign's events.
      if ((await text('#live')) === 'Live')
        assert.ok(
          Number(await page.evaluate(() => document.documentElement.dataset.eventsSeen ?? '0')) > 0,
          'events arrived on the stream',
        );
      await shot('dashboard-3-completed.png');

      // The CSV export downloads with the key in a header, not in the link.
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
      assert.equal(download.suggestedFilename(), `${campaignId}.csv`);

      // A recipient that fell back: both steps, the rule that fired, the raw code, the Temporal link.
      await page.locator('#recipient-status').selectOption('fell_back');
      await eventually(
        async () =>
          (await page.locator('main table').last().innerText()).includes('fell_back') &&
          !(await page.locator('main table').last().innerText()).includes('\tread\t')
            ? true
            : undefined,
        15_000,
        'the fell_back filter',
      );
      await page
        .getByRole('link', { name: /^Timeline of recipient/ })
        .first()
        .click();
      await page.locator('.attempt').nth(1).waitFor({ timeout: 20_000 });
      const steps = await page.locator('.attempt').allInnerTexts();
      assert.equal(steps.length, 2);
      assert.match(steps[0]!, /Step 1: whatsapp via wappin/);
      assert.match(steps[0]!, /Fallback: invalid_number/);
      assert.match(steps[0]!, /→ step 2/);
      assert.match(steps[0]!, /answered 601/, "the provider's raw answer");
      assert.match(steps[1]!, /Step 2: sms via sms-masking/);
      assert.match(
        steps[1]!,
        /delivered\s+\S[^\n]*\s+callback\s+\S+\s+yes/,
        'the delivered callback with its provider time and code',
      );
      const temporalLink = await page
        .getByRole('link', { name: 'Open the workflow in the Temporal UI' })
        .getAttribute('href');
      assert.ok(
        temporalLink?.startsWith(`${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(campaignId)}`),
        temporalLink ?? 'no link',
      );
      await shot('dashboard-4-fallback-message.png');

      // Search by phone number (hashed lookup + campaign recipients) finds the message.
      await page.goto(`${stack.apiUrl}/ui/#/messages`);
      await page.getByLabel('Phone number, reference or message id').fill(phones[0]!);
      await page.keyboard.press('Enter');
      await page.getByRole('link', { name: `${campaignId}:1` }).waitFor({ timeout: 15_000 });

      // OTP: one approved, one left pending; the page shows status and conversion, never a code.
      const otpIds: string[] = [];
      for (const approve of [true, false]) {
        const to = scriptedNumber();
        const res = await stack.api.inject({ method: 'POST', url: '/v1/otp', headers: auth, payload: { to } });
        assert.equal(res.statusCode, 202, res.body);
        const id = res.json<{ id: string }>().id;
        otpIds.push(id);
        if (approve) {
          const code = await eventually(
            async () => lastCodeSent(stack.sandboxes, 'wappin', to),
            15_000,
            'the OTP code',
          );
          const v = await stack.api.inject({
            method: 'POST',
            url: `/v1/otp/${id}/verify`,
            headers: auth,
            payload: { code },
          });
          assert.equal(v.json<{ status: string }>().status, 'approved');
        }
      }
      await page.getByRole('link', { name: 'OTP' }).click();
      await page.locator('table', { hasText: otpIds[1]! }).waitFor({ timeout: 15_000 });
      const otpText = await page.locator('main').innerText();
      assert.match(otpText, new RegExp(`${otpIds[0]}\\s+approved\\s+whatsapp`));
      assert.match(otpText, new RegExp(`${otpIds[1]}\\s+pending\\s+whatsapp`));
      // Conversion over the recent OTPs in the database: other test files' OTPs count too.
      assert.match(otpText, /Conversion per channel \(recent OTPs\)[\s\S]*whatsapp\s+\d+\s+[1-9]\d*\s+\d+\.\d%/);

      // The guard's panel: the API's figures per channel, and a blocked prefix lifted by its button.
      const guard = page.locator('section[aria-labelledby="otp-guard"]');
      await eventually(
        async () => {
          const res = await stack.api.inject({ method: 'GET', url: '/v1/otp-guard/stats?window=24h', headers: auth });
          const w = res
            .json<{ byChannel: Array<{ channel: string; sent: number; otps: number; verified: number }> }>()
            .byChannel.find((r) => r.channel === 'whatsapp');
          if (!w || w.verified < 1) return undefined;
          const shown = await guard.locator('table', { hasText: 'Conversion per channel' }).innerText();
          return new RegExp(`whatsapp\\s+${w.sent}\\s+${w.otps}\\s+${w.verified}\\s+\\d+\\.\\d%`).test(shown)
            ? true
            : undefined;
        },
        20_000,
        "the panel showing the API's figures",
      );
      const prefix = `+62899${randomInt(10_000, 99_999)}`;
      await stack.pool.query(
        `INSERT INTO otp_prefix_blocks (prefix, prefix_hash, country, until, sends, verified)
         VALUES ($1, $2, 'ID', now() + interval '1 hour', 25, 0)`,
        [prefix, `dashboard-test-${prefix}`],
      );
      const unblock = guard.getByRole('button', { name: `Unblock ${prefix}` });
      await unblock.waitFor({ timeout: 15_000 });
      assert.match(await guard.innerText(), new RegExp(`\\${prefix}\\s+ID\\s+0 / 25`));
      await shot('dashboard-5-otp.png');
      await unblock.click();
      await unblock.waitFor({ state: 'detached', timeout: 15_000 });
      const blocks = await stack.api.inject({ method: 'GET', url: '/v1/otp-guard/blocks', headers: auth });
      assert.ok(!blocks.json<{ items: Array<{ prefix: string }> }>().items.some((b) => b.prefix === prefix));

      await page.getByRole('link', { name: 'Providers' }).click();
      await page.locator('table', { hasText: 'sms-masking' }).first().waitFor({ timeout: 20_000 });
      const providersText = await page.locator('main').innerText();
      for (const p of PROVIDER_NAMES) assert.match(providersText, new RegExp(`${p}\\s+sandbox`));
      await shot('dashboard-6-providers.png');

      // First render on the sample data: a fresh load of the campaign page (the key is in this tab).
      await page.goto(`${stack.apiUrl}/ui/#/campaigns/${encodeURIComponent(campaignId)}`);
      await page.reload();
      const firstRender = Number(
        await eventually(
          async () => (await page.evaluate(() => document.documentElement.dataset.firstRenderMs)) ?? undefined,
          15_000,
          'the first-render mark',
        ),
      );
      const fcp = await page.evaluate(
        () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
      );
      const calls = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/v1/'))
          .map((e) => ({ url: new URL(e.name).pathname, ms: Math.round(e.duration) })),
      );
      const timings = {
        firstRenderMs: firstRender,
        firstContentfulPaintMs: fcp === null ? null : Math.round(fcp),
        liveStream: await text('#live'),
        apiCalls: calls,
      };
      writeFileSync(join(ARTIFACTS, 'dashboard-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
      t.diagnostic(
        `first render of the campaign page: ${firstRender} ms (target < 1000 ms); first contentful paint ${timings.firstContentfulPaintMs} ms; ${timings.liveStream}`,
      );
      assert.ok(firstRender > 0);
      assert.deepEqual(
        consoleErrors.filter((e) => !/\/v1\/events|404/.test(e)),
        [],
        'no script errors in the page',
      );
    },
  );

  test('the activity feed shows messages as they are sent, filters, opens a timeline; the KPIs match the API', async (t) => {
    if (!haveChromium) {
      if (process.env.CI) assert.fail(`chromium not found at ${CHROMIUM}`);
      return t.skip('chromium not found');
    }
    // Signed in by the test above (the key is in this tab's sessionStorage).
    await page.goto(`${stack.apiUrl}/ui/#/messages`);
    await page.locator('table', { hasText: 'Recent activity' }).waitFor({ timeout: 15_000 });
    const reference = `feed-${randomInt(1_000_000)}`;
    const ids: Record<'read' | 'fellBack', string> = { read: '', fellBack: '' };
    for (const [kind, to] of [
      ['read', scriptedNumber('000')],
      ['fellBack', scriptedNumber('601')],
    ] as const) {
      const res = await stack.api.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: auth,
        payload: {
          to,
          reference,
          steps: [
            { channel: 'whatsapp', provider: 'wappin', template: 'order_shipped', params: ['F'] },
            { channel: 'sms', provider: 'sms-masking', text: 'F' },
          ],
          fallback: { notReadWithin: '30 seconds' },
        },
      });
      assert.equal(res.statusCode, 202, res.body);
      ids[kind] = res.json<{ id: string }>().id;
    }
    // Both appear without a reload, and end where they should.
    const feed = page.locator('table', { hasText: 'Recent activity' });
    await eventually(
      async () => {
        const shown = await feed.innerText();
        return new RegExp(`${ids.read}\\s+read\\s+read\\s+whatsapp`).test(shown) &&
          new RegExp(`${ids.fellBack}\\s+delivered\\s+delivered\\s+sms\\s+sms-masking\\s+1`).test(shown)
          ? true
          : undefined;
      },
      30_000,
      'both messages, ended, in the live feed',
    );
    await page.locator('#feed-outcome').selectOption('read');
    await eventually(
      async () => {
        const shown = await feed.innerText();
        return shown.includes(ids.read) && !shown.includes(ids.fellBack) ? true : undefined;
      },
      15_000,
      'the outcome filter',
    );
    await shot('dashboard-7-feed.png');
    await page.getByRole('link', { name: ids.read }).click();
    await page.locator('.attempt').first().waitFor({ timeout: 15_000 });
    assert.match(await page.locator('.attempt').first().innerText(), /Step 1: whatsapp via wappin/);

    // The overview reads the same figures as GET /v1/stats.
    await page.getByRole('link', { name: 'Overview' }).click();
    const kpis = page.locator('table', { hasText: 'Delivery per provider and channel' });
    await kpis.waitFor({ timeout: 15_000 });
    await eventually(
      async () => {
        const res = await stack.api.inject({ method: 'GET', url: '/v1/stats?window=24h', headers: auth });
        const w = res
          .json<{ byProvider: Array<Record<string, number | string>> }>()
          .byProvider.find((r) => r.provider === 'wappin' && r.channel === 'whatsapp');
        if (!w) return undefined;
        const row = [w.sends, w.delivered, w.read, w.failed, w.fellBack].join('\\s+');
        return new RegExp(`wappin\\s+whatsapp\\s+${row}\\s`).test(await kpis.innerText()) ? true : undefined;
      },
      25_000,
      "the overview showing the API's figures",
    );
    assert.ok((await page.locator('svg.chart rect.bar').count()) >= 2, 'the rates chart has bars');
    await shot('dashboard-8-overview.png');
  });

  test('a number suppressed from the Suppressions page, then lifted', async (t) => {
    if (!haveChromium) {
      if (process.env.CI) assert.fail(`chromium not found at ${CHROMIUM}`);
      return t.skip('chromium not found');
    }
    const phone = scriptedNumber();
    await page.goto(`${stack.apiUrl}/ui/#/suppressions`);
    await page.locator('#suppress-phone').fill(phone);
    await page.locator('#suppress-channel').selectOption('whatsapp');
    await page.locator('#suppress-reason').fill('asked at the counter');
    await page.getByRole('button', { name: 'Suppress', exact: true }).click();
    const lift = page.getByRole('button', { name: `Lift ${phone} whatsapp` });
    await lift.waitFor({ timeout: 15_000 });
    assert.match(
      await page.locator('main').innerText(),
      new RegExp(`\\${phone}\\s+whatsapp\\s+asked at the counter\\s+api:`),
    );
    const listed = await stack.api.inject({
      method: 'GET',
      url: `/v1/suppressions?phone=${encodeURIComponent(phone)}`,
      headers: auth,
    });
    assert.equal(listed.json<{ items: unknown[] }>().items.length, 1);
    await shot('dashboard-9-suppressions.png');
    await lift.click();
    await lift.waitFor({ state: 'detached', timeout: 15_000 });
  });
});
