// Input limits (security review M5, M6): phone numbers read in DEFAULT_REGION or refused, the
// CSV upload's byte and row caps, repeats dropped by the database, and a failed import that
// leaves the campaign `failed` with its reason. No worker: nothing here needs a send.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createCampaign } from '../app/campaigns.js';
import { arrayRows } from '../campaigns/import.js';
import { campaignSpecSchema } from '../schemas/campaign.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

const auth = { authorization: 'Bearer dev-key' };
const steps = encodeURIComponent(JSON.stringify([{ channel: 'sms', provider: 'sms-masking', text: 'hi' }]));
const message = (to: string) => ({ to, steps: [{ channel: 'sms', provider: 'sms-masking', text: 'hi' }] });

let plain: Stack; // no DEFAULT_REGION, CSV_MAX_BYTES 1 MB
let regional: Stack; // DEFAULT_REGION=ID, CSV_MAX_ROWS 50
before(async () => {
  plain = await startStack({ worker: false, logLevel: 'warn', env: { CSV_MAX_BYTES: String(1024 * 1024) } });
  regional = await startStack({ worker: false, logLevel: 'warn', env: { DEFAULT_REGION: 'ID', CSV_MAX_ROWS: '50' } });
});
after(async () => {
  await plain?.stop();
  await regional?.stop();
});

async function campaignStatus(stack: Stack, id: string): Promise<{ status: string; failure_reason: string | null }> {
  const res = await stack.pool.query<{ status: string; failure_reason: string | null }>(
    'SELECT status, failure_reason FROM campaigns WHERE id = $1',
    [id],
  );
  return res.rows[0]!;
}

describe('phone numbers at the API edge', () => {
  test('without DEFAULT_REGION a national `to` is a 400 naming `to`, never the number', async () => {
    for (const url of ['/v1/messages', '/v1/otp']) {
      const res = await plain.api.inject({
        method: 'POST',
        url,
        headers: auth,
        payload: url === '/v1/otp' ? { to: '81299887766', strategy: ['sms'] } : message('81299887766'),
      });
      assert.equal(res.statusCode, 400, url);
      const body = res.json<{ field: string; message: string }>();
      assert.equal(body.field, 'to', url);
      assert.doesNotMatch(body.message, /81299887766/);
    }
  });

  test('with DEFAULT_REGION=ID, 81234567890 is accepted as +6281234567890; an invalid one is a 400', async () => {
    const res = await regional.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: auth,
      payload: message('81234567890'),
    });
    assert.equal(res.statusCode, 202, res.body);
    const { id } = res.json<{ id: string }>();
    const history = await regional.client.workflow.getHandle(id).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.equal((JSON.parse(Buffer.from(payload!.data!).toString('utf8')) as { to: string }).to, '+6281234567890');
    const bad = await regional.api.inject({
      method: 'POST',
      url: '/v1/otp',
      headers: auth,
      payload: { to: '12345', strategy: ['sms'] },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ field: string }>().field, 'to');
    assert.equal(bad.json<{ message: string }>().message, 'to: is not a valid phone number');
  });

  test('campaign rows: national numbers are read in DEFAULT_REGION, and refused without it', async () => {
    const csv = 'phone\n81234567890\n0812-3456-7000\n';
    const url = `/v1/campaigns?name=x&steps=${steps}&dryRun=true`;
    const ok = await regional.api.inject({
      method: 'POST',
      url,
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.deepEqual([ok.statusCode, ok.json<{ imported: number }>().imported], [200, 2]);
    const refused = await plain.api.inject({
      method: 'POST',
      url,
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.deepEqual(refused.json<{ rejected: unknown[] }>().rejected, [
      { line: 2, reason: 'phone: must be in international form (+ and country code) when DEFAULT_REGION is not set' },
      { line: 3, reason: 'phone: must be in international form (+ and country code) when DEFAULT_REGION is not set' },
    ]);
  });
});

describe('CSV upload limits', () => {
  test(
    'a 10 MB CSV over CSV_MAX_BYTES (1 MB) is refused with 413 and the campaign is failed with its reason',
    { timeout: 60_000 },
    async () => {
      const id = `cmp_bytes_${Date.now()}`;
      const rows = Array.from({ length: 500_000 }, (_, i) => `+62811${String(i).padStart(7, '0')},${'x'.repeat(8)}`);
      const csv = `phone,param1\n${rows.join('\n')}\n`;
      assert.ok(csv.length > 10 * 1024 * 1024);
      // Over real HTTP: the client must get the answer although its upload was cut short.
      const res = await fetch(`${plain.apiUrl}/v1/campaigns?name=big&steps=${steps}&id=${id}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/csv' },
        body: csv,
      });
      assert.equal(res.status, 413);
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, 'payload_too_large');
      assert.match(body.message, /CSV_MAX_BYTES/);
      assert.deepEqual(await campaignStatus(plain, id), {
        status: 'failed',
        failure_reason: `body: larger than ${1024 * 1024} bytes (CSV_MAX_BYTES)`,
      });
      const progress = await plain.api.inject({ method: 'GET', url: `/v1/campaigns/${id}`, headers: auth });
      assert.equal(progress.statusCode, 200);
      assert.deepEqual(
        [progress.json<{ state: string }>().state, progress.json<{ failureReason: string }>().failureReason],
        ['failed', `body: larger than ${1024 * 1024} bytes (CSV_MAX_BYTES)`],
      );
      const stuck = await plain.pool.query(
        "SELECT id FROM campaigns WHERE status = 'importing' AND id LIKE 'cmp_bytes_%'",
      );
      assert.equal(stuck.rowCount, 0);
    },
  );

  test('more rows than CSV_MAX_ROWS: 413 naming the limit, for the import and the dry run', async () => {
    const id = `cmp_rows_${Date.now()}`;
    const csv = `phone\n${Array.from({ length: 60 }, (_, i) => `+62811${String(i).padStart(7, '0')}`).join('\n')}\n`;
    const headers = { ...auth, 'content-type': 'text/csv' };
    const res = await regional.api.inject({
      method: 'POST',
      url: `/v1/campaigns?name=rows&steps=${steps}&id=${id}`,
      headers,
      payload: csv,
    });
    assert.equal(res.statusCode, 413);
    assert.match(res.json<{ message: string }>().message, /more than 50 rows \(CSV_MAX_ROWS\)/);
    assert.equal((await campaignStatus(regional, id)).status, 'failed');
    const dry = await regional.api.inject({
      method: 'POST',
      url: `/v1/campaigns?name=rows&steps=${steps}&dryRun=true`,
      headers,
      payload: csv,
    });
    assert.equal(dry.statusCode, 413);
  });

  test('a client that disconnects mid-upload leaves the campaign failed, not importing', async () => {
    const id = `cmp_gone_${Date.now()}`;
    const req = request(`${plain.apiUrl}/v1/campaigns?name=gone&steps=${steps}&id=${id}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
    });
    req.on('error', () => undefined);
    req.write(`phone\n${Array.from({ length: 2_000 }, (_, i) => `+62811${String(i).padStart(7, '0')}`).join('\n')}\n`);
    const stored = async (status?: string) => {
      const c = (await campaignStatus(plain, id)) as Awaited<ReturnType<typeof campaignStatus>> | undefined;
      return c && (status === undefined || c.status === status) ? c : undefined;
    };
    await eventually(() => stored(), 10_000, 'the campaign row');
    req.destroy();
    const failed = await eventually(() => stored('failed'), 10_000, 'the campaign to fail');
    assert.equal(failed.failure_reason, 'import failed: the upload ended early (client disconnected)');
  });

  test('repeated numbers are dropped by the database across batches, each naming the first line', async () => {
    const spec = campaignSpecSchema.parse({
      name: 'dupes',
      steps: [{ channel: 'sms', provider: 'sms-masking', text: 'hi' }],
    });
    const phones = [
      '+6281100000001',
      '+6281100000002',
      '+6281100000001',
      '+6281100000003',
      '+6281100000002',
      '+6281100000001',
    ];
    const deps = { pool: plain.pool, temporal: plain.client, taskQueue: plain.taskQueue };
    const created = await createCampaign(deps, spec, arrayRows(phones.map((phone) => ({ phone }))), undefined, {
      start: false,
      batchSize: 2,
    });
    assert.equal(created.imported, 3);
    assert.deepEqual(created.rejected, [
      { line: 3, reason: 'phone: +6281100000001 repeats line 1' },
      { line: 5, reason: 'phone: +6281100000002 repeats line 2' },
      { line: 6, reason: 'phone: +6281100000001 repeats line 1' },
    ]);
    const stored = await plain.pool.query<{ phone: string }>(
      'SELECT phone FROM campaign_recipients WHERE campaign_id = $1 ORDER BY recipient_id',
      [created.id],
    );
    assert.deepEqual(
      stored.rows.map((r) => r.phone),
      ['+6281100000001', '+6281100000002', '+6281100000003'],
    );
    // The export keeps E.164 numbers exact (no formula quote).
    const csv = await plain.api.inject({ method: 'GET', url: `/v1/campaigns/${created.id}/export.csv`, headers: auth });
    assert.match(csv.body, /\n\d+,\+6281100000001,pending,/);
  });
});
