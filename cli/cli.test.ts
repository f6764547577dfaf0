// The real `kurir` command as a child process, over a stack's API (KURIR_API_URL, KURIR_API_KEY),
// worker and sandboxes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sandboxEnvironment } from '../sandboxes/index.js';
import { lastCodeSent } from '../test/helpers/codes.js';
import { scriptedNumber } from '../test/helpers/numbers.js';
import { runKurir, type CliRun } from '../test/helpers/kurir-cli.js';
import { eventually, startStack, type Stack } from '../test/helpers/stack.js';
import { PROVIDER_NAMES } from '../providers/registry.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

function kurir(...args: string[]): Promise<CliRun> {
  return runKurir(args, {
    KURIR_API_URL: stack.apiUrl,
    KURIR_API_KEY: stack.config.KURIR_API_KEYS[0]!.key,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    ...sandboxEnvironment(stack.sandboxes),
    LOG_LEVEL: 'silent',
  });
}

const json = <T>(run: CliRun): T => {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as T;
};

describe('kurir CLI', () => {
  test('send, then status shows the attempts until delivered', async () => {
    const to = scriptedNumber('601');
    const { id } = json<{ id: string }>(
      await kurir(
        '--json',
        'send',
        '--to',
        to,
        '--step',
        'whatsapp:wappin:template=order_shipped:params=A-1',
        '--step',
        'sms:sms-masking:text=Order A-1: shipped',
      ),
    );
    assert.match(id, /^msg_/);
    // Wait on the workflow itself: each `kurir` process takes seconds to start on a loaded machine,
    // too slow to poll with. The CLI then reads the finished state.
    await stack.client.workflow.getHandle(id).result();
    const status = json<{
      type: string;
      attempts: Array<{ provider: string; status?: string; fallback?: { reason: string } }>;
    }>(await kurir('status', id, '--json'));
    assert.equal(status.attempts[1]?.status, 'delivered');
    assert.equal(status.type, 'message');
    assert.equal(status.attempts[0]?.fallback?.reason, 'invalid_number');
    // The text reached the provider whole, colon included.
    assert.ok(
      stack.sandboxes
        .requests('sms-masking')
        .some(
          (r) =>
            r.content?.includes('A-1') &&
            decodeURIComponent(r.content.replaceAll('+', ' ')).includes('Order A-1: shipped'),
        ),
    );
    const human = await kurir('status', id);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /step 1 {2}sms\/sms-masking {2}delivered/);
  });

  test('otp send, a wrong code exits 3, the right code is approved', async () => {
    const to = scriptedNumber();
    const sent = json<{ id: string; channel: string }>(
      await kurir('--json', 'otp', 'send', '--to', to, '--strategy', 'sms'),
    );
    assert.equal(sent.channel, 'sms');
    const code = await eventually(async () => lastCodeSent(stack.sandboxes, 'sms-masking', to), 10_000, 'the code');
    const wrong = await kurir('otp', 'verify', sent.id, code === '000000' ? '111111' : '000000');
    assert.equal(wrong.code, 3);
    assert.match(wrong.stderr, /^kurir: wrong code for otp_\S+ \(4 attempts left\)\n$/);
    const ok = json<{ status: string }>(await kurir('--json', 'otp', 'verify', sent.id, code));
    assert.equal(ok.status, 'approved');
    const again = await kurir('otp', 'resend', sent.id);
    assert.equal(again.code, 3);
    assert.equal(again.stderr.trim().split('\n').length, 1);
  });

  test('send --wait prints the outcome; cancel works for a message and an OTP', async () => {
    const waited = json<{ id: string; outcome: string; deliveredBy?: string; state: string }>(
      await kurir('--json', 'send', '--to', scriptedNumber(), '--step', 'sms:sms-masking:text=wait', '--wait'),
    );
    assert.equal(waited.state, 'completed');
    assert.ok(['delivered', 'read'].includes(waited.outcome), waited.outcome);
    assert.equal(waited.deliveredBy, 'sms-masking');
    const human = await kurir('send', '--to', scriptedNumber(), '--step', 'sms:sms-masking:text=wait', '--wait');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^msg_\S+ {2}(delivered|read) by sms-masking\n {2}step 0 {2}sms\/sms-masking/);
    // --id is the Idempotency-Key: the same key answers the first message's id.
    const key = `cli-${Date.now()}`;
    const once = ['--json', 'send', '--to', scriptedNumber(), '--step', 'sms:sms-masking:text=once', '--id', key];
    const first = json<{ id: string }>(await kurir(...once));
    const again = json<{ id: string }>(await kurir(...once));
    const other = await kurir(...once.slice(0, -3), 'sms:sms-masking:text=other', '--id', key);
    assert.equal(other.code, 2, other.stderr);
    assert.equal(other.stderr, 'kurir: Idempotency-Key was already used with a different request body\n');
    assert.equal(again.id, first.id);
    // A message that has ended has nothing to cancel: not found (4), as GET /v1/messages/:id/cancel answers.
    const ended = await kurir('cancel', waited.id);
    assert.equal(ended.code, 4);
    assert.equal(ended.stderr, `kurir: message ${waited.id} not found\n`);
    // 605: WhatsApp sent, never delivered; the SMS step waits an hour for it.
    const waiting = json<{ id: string }>(
      await kurir(
        '--json',
        'send',
        '--to',
        scriptedNumber('605'),
        '--step',
        'whatsapp:wappin:template=order_shipped:params=A-1',
        '--step',
        'sms:sms-masking:text=later',
        '--not-delivered-within',
        '1 hour',
      ),
    );
    assert.equal((await kurir('cancel', waiting.id)).stdout, `${waiting.id}  canceled\n`);
    const otp = json<{ id: string }>(
      await kurir('--json', 'otp', 'send', '--to', scriptedNumber(), '--strategy', 'sms'),
    );
    const canceled = await kurir('cancel', otp.id);
    assert.equal(canceled.code, 0, canceled.stderr);
    assert.equal(canceled.stdout, `${otp.id}  canceled\n`);
  });

  test('a validation error exits 2 with one line naming the field', async () => {
    const run = await kurir('send', '--to', '+6281234567890', '--step', 'sms:itd:text=hi');
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'kurir: steps.0.provider: provider itd does not carry sms\n');
    const phone = await kurir('otp', 'send', '--to', '0812');
    assert.equal(phone.code, 2);
    assert.match(phone.stderr, /^kurir: to: must be an E\.164 phone number[^\n]*\n$/);
    const usage = await kurir('send', '--step', 'sms:sms-masking:text=hi');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^kurir: required option '--to <number>' not specified\n$/);
  });

  test('an unknown id exits 4', async () => {
    for (const args of [
      ['status', 'msg_does_not_exist'],
      ['cancel', 'msg_does_not_exist'],
    ]) {
      const run = await kurir(...args);
      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /^kurir: message msg_does_not_exist not found\n$/);
    }
  });

  test('providers check lists every provider with its mode and sandbox balances', async () => {
    const reports = json<Array<{ provider: string; mode: string; baseUrl: string; balance?: { amount: number } }>>(
      await kurir('--json', 'providers', 'check'),
    );
    assert.deepEqual(
      reports.map((r) => r.provider),
      PROVIDER_NAMES,
    );
    for (const r of reports) {
      assert.equal(r.mode, 'sandbox');
      assert.equal(r.baseUrl, stack.sandboxes.urls[r.provider as 'wappin']);
    }
    assert.equal(typeof reports.find((r) => r.provider === 'nusasms')?.balance?.amount, 'number');
  });
});
