// Any Temporal client can start kurir's workflows: the exact `temporal` CLI commands the README
// shows, run against the harness's dev server with a stack's worker.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashOtpCode } from '../lib/crypto/otp-code.js';
import { getCampaign } from '../db/campaigns.js';
import { sandboxEnvironment } from '../sandboxes/index.js';
import { PROJECT_ROOT } from '../scripts/paths.js';
import type { CampaignInput, CampaignProgress } from '../workflows/campaign-types.js';
import { campaignNumber } from './helpers/campaign.js';
import { findTemporalBinary } from '../scripts/temporal.js';
import { lastCodeSent } from './helpers/codes.js';
import { scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
let binary: string;
before(async () => {
  stack = await startStack();
  const found = findTemporalBinary();
  assert.ok(found, 'the harness found a temporal binary, so this must too');
  binary = found;
});
after(async () => {
  await stack?.stop();
});

/** Runs `temporal <args> --address … -o json` and parses its JSON output. */
function temporal<T>(...args: string[]): Promise<T> {
  const full = [
    ...args,
    '--address',
    process.env.TEMPORAL_ADDRESS!,
    '--namespace',
    stack.config.TEMPORAL_NAMESPACE,
    '-o',
    'json',
  ];
  return new Promise((resolve, reject) => {
    execFile(binary, full, { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`temporal ${args.slice(0, 2).join(' ')} failed: ${stderr}${stdout}`));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`not JSON: ${stdout}`));
      }
    });
  });
}

interface ResultOutput<R> {
  status: string;
  result: R;
}

/** The `kurir` command (here: importing a campaign's recipients without starting it). */
function kurir<T>(...args: string[]): Promise<T> {
  const env = {
    ...process.env,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    ...sandboxEnvironment(stack.sandboxes),
    // The CLI is a client of this stack's API (it would look for npm start's otherwise).
    KURIR_API_URL: stack.apiUrl,
    KURIR_API_KEY: 'dev-key',
    LOG_LEVEL: 'silent',
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'kurir.js'), '--json', ...args],
      { env, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`kurir ${args.slice(0, 2).join(' ')} failed: ${stderr}`));
        resolve(JSON.parse(stdout) as T);
      },
    );
  });
}

describe('the temporal CLI', () => {
  test('temporal workflow start --type message, then temporal workflow result', async () => {
    const id = `msg-cli-${Date.now()}`;
    const input = JSON.stringify({
      to: scriptedNumber('601'),
      steps: [
        { channel: 'whatsapp', provider: 'wappin', template: 'order_shipped', params: ['A-1'] },
        { channel: 'sms', provider: 'sms-masking', text: 'Order A-1 shipped' },
      ],
    });
    const started = await temporal<{ workflowId: string; runId: string }>(
      'workflow',
      'start',
      '--type',
      'message',
      '--task-queue',
      stack.taskQueue,
      '--workflow-id',
      id,
      '--input',
      input,
    );
    assert.equal(started.workflowId, id);
    const out = await temporal<
      ResultOutput<{ outcome: string; deliveredBy: string; attempts: Array<{ fallback?: { reason: string } }> }>
    >('workflow', 'result', '--workflow-id', id);
    assert.equal(out.status, 'COMPLETED');
    assert.equal(out.result.outcome, 'delivered');
    assert.equal(out.result.deliveredBy, 'sms-masking');
    assert.equal(out.result.attempts[0]?.fallback?.reason, 'invalid_number');
  });

  test('invalid input fails the workflow with InvalidInput naming the field', async () => {
    const id = `msg-cli-bad-${Date.now()}`;
    await temporal(
      'workflow',
      'start',
      '--type',
      'message',
      '--task-queue',
      stack.taskQueue,
      '--workflow-id',
      id,
      '--input',
      '{"to":"0812","steps":[]}',
    );
    await assert.rejects(
      temporal('workflow', 'result', '--workflow-id', id),
      /InvalidInput[\s\S]*to: |to: [\s\S]*InvalidInput/,
    );
  });

  test('temporal workflow start --type otp, then update verify with the HMAC of the code', async () => {
    const id = `otp_cli-${Date.now()}`;
    const to = scriptedNumber();
    await temporal(
      'workflow',
      'start',
      '--type',
      'otp',
      '--task-queue',
      stack.taskQueue,
      '--workflow-id',
      id,
      '--input',
      JSON.stringify({ to, strategy: ['sms'] }),
    );
    const code = await eventually(async () => lastCodeSent(stack.sandboxes, 'sms-masking', to), 15_000, 'the code');
    const codeHash = hashOtpCode(stack.config.OTP_HMAC_KEY, id, code);
    const verdict = await temporal<{ result: { status: string } }>(
      'workflow',
      'update',
      'execute',
      '--workflow-id',
      id,
      '--name',
      'verify',
      '--input',
      JSON.stringify({ codeHash }),
    );
    assert.equal(verdict.result.status, 'approved');
    const out = await temporal<ResultOutput<{ status: string; sends: Array<{ channel: string }> }>>(
      'workflow',
      'result',
      '--workflow-id',
      id,
    );
    assert.equal(out.result.status, 'approved');
    assert.equal(out.result.sends[0]?.channel, 'sms');
    // The code itself never reached Temporal.
    assert.doesNotMatch(JSON.stringify(out), new RegExp(code));
  });

  test(
    'a campaign imported with kurir --import-only, started with temporal workflow start --type campaign',
    { timeout: 180_000 },
    async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'kurir-temporal-')), 'recipients.csv');
      writeFileSync(
        file,
        ['phone,param1', campaignNumber('851', 0, '601'), campaignNumber('851', 1), campaignNumber('851', 2)]
          .map((l, i) => (i ? `${l},R${i}` : l))
          .join('\n'),
      );
      const imported = await kurir<{ id: string; imported: number; workflowInput: CampaignInput }>(
        'campaign',
        'start',
        file,
        '--step',
        'whatsapp:wappin:template=promo:params=x',
        '--step',
        'sms:sms-masking:text=Hi {{1}}',
        '--import-only',
      );
      const id = imported.id;
      assert.equal(imported.imported, 3);
      assert.equal((await getCampaign(stack.pool, id))?.status, 'ready');
      assert.deepEqual(imported.workflowInput, { campaignId: id, concurrency: 50, pageSize: 200, historyLimit: 5000 });
      // The README's command: workflow id = campaign id, input {"campaignId": …} (settings optional).
      await temporal(
        'workflow',
        'start',
        '--type',
        'campaign',
        '--task-queue',
        stack.taskQueue,
        '--workflow-id',
        id,
        '--input',
        JSON.stringify({ campaignId: id }),
      );
      const out = await temporal<ResultOutput<CampaignProgress>>('workflow', 'result', '--workflow-id', id);
      assert.equal(out.status, 'COMPLETED');
      assert.equal(out.result.state, 'completed');
      assert.equal(out.result.total, 3);
      assert.equal(out.result.counts.fell_back, 1);
      assert.deepEqual(out.result.byProvider, { wappin: 2, 'sms-masking': 1 });
      assert.equal((await getCampaign(stack.pool, id))?.status, 'completed');
    },
  );
});
