// `kurir campaign …` as a child process (no TTY, so progress comes as plain lines), over a
// stack's API (KURIR_API_URL, KURIR_API_KEY), worker and sandboxes.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { campaignNumber } from '../test/helpers/campaign.js';
import { runKurir, type CliRun } from '../test/helpers/kurir-cli.js';
import { eventually, startStack, type Stack } from '../test/helpers/stack.js';
import type { CampaignProgress } from '../workflows/campaign-types.js';

let stack: Stack;
let dir: string;
before(async () => {
  stack = await startStack({ logLevel: 'warn' });
  dir = mkdtempSync(join(tmpdir(), 'kurir-cli-campaign-'));
});
after(async () => {
  await stack?.stop();
});

function kurir(...args: string[]): Promise<CliRun> {
  return kurirWith({}, ...args);
}

function kurirWith(extraEnv: Record<string, string>, ...args: string[]): Promise<CliRun> {
  const env = {
    KURIR_API_URL: stack.apiUrl,
    KURIR_API_KEY: stack.config.KURIR_API_KEYS[0]!.key,
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  return runKurir(args, env, 120_000);
}

const json = <T>(run: CliRun): T => {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as T;
};

function csv(name: string, phones: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, ['phone,param1', ...phones.map((p, i) => `${p},R${i}`)].join('\n'));
  return path;
}

const STEPS = ['--step', 'whatsapp:wappin:template=promo:params=x', '--step', 'sms:sms-masking:text=Hi {{1}}'];

describe('kurir campaign', () => {
  test(
    'start FILE.csv follows progress with plain lines (no TTY) until the campaign completes',
    { timeout: 150_000 },
    async () => {
      const phones = [0, 1, 2, 3, 4, 5].map((i) => campaignNumber('841', i, i < 2 ? '601' : '000'));
      const file = csv('six.csv', [...phones, 'not-a-phone']);
      const run = await kurir(
        'campaign',
        'start',
        file,
        ...STEPS,
        '--name',
        'cli',
        '--concurrency',
        '3',
        '--interval',
        '200',
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /^uploaded \S+six\.csv \(\d+ B\)\nimported 6, rejected 1\n {2}line 8: phone: "not-a-phone" is not a valid phone number\n$/,
      );
      const lines = run.stdout.trim().split('\n');
      // Progress lines, then the final one and the provider summary.
      assert.ok(lines.length >= 3, run.stdout);
      assert.match(
        lines.at(-2)!,
        /^cmp_\S+ {2}6\/6 \(100%\) {2}completed {2}in flight 0 {2}read \d+ delivered \d+ sent 0 fell_back 2 failed 0/,
      );
      assert.match(lines.at(-1)!, /^ {2}by provider: (wappin 4, sms-masking 2|sms-masking 2, wappin 4) {2}fallbacks 2/);
      assert.ok(
        lines.slice(0, -2).every((l) => /^cmp_\S+ {2}\d\/6 \(\d+%\) {2}\w+/.test(l)),
        run.stdout,
      );
      const id = /^(cmp_\S+)/.exec(lines[0]!)![1]!;
      const status = json<CampaignProgress>(await kurir('--json', 'campaign', 'status', id));
      assert.equal(status.state, 'completed');
      assert.equal(status.counts.fell_back, 2);
      // A finished campaign can no longer be paused: not found (4), one line.
      const late = await kurir('campaign', 'pause', id);
      assert.equal(late.code, 4);
      assert.match(late.stderr, /^kurir: running campaign cmp_\S+ not found\n$/);
    },
  );

  test(
    '--json start waits and prints one document; --detach returns the id at once',
    { timeout: 150_000 },
    async () => {
      const done = json<CampaignProgress & { id: string; imported: number }>(
        await kurir(
          '--json',
          'campaign',
          'start',
          csv('two.csv', [campaignNumber('842', 0), campaignNumber('842', 1)]),
          ...STEPS,
        ),
      );
      assert.equal(done.imported, 2);
      assert.equal(done.state, 'completed');
      assert.equal(done.counts.read + done.counts.delivered, 2);

      // Pausing right after --detach holds the rest of 25 one-at-a-time recipients, so neither the
      // cancel nor the resume below races the campaign's own end.
      const detachPaused = async (prefix: string) => {
        const phones = Array.from({ length: 25 }, (_, i) => campaignNumber(prefix, i));
        const { id } = json<{ id: string; imported: number }>(
          await kurir(
            '--json',
            'campaign',
            'start',
            csv(`${prefix}.csv`, phones),
            ...STEPS,
            '--concurrency',
            '1',
            '--detach',
          ),
        );
        assert.equal(json<{ accepted: string }>(await kurir('--json', 'campaign', 'pause', id)).accepted, 'pause');
        await untilState(id, 'paused');
        return id;
      };
      const untilState = (id: string, state: CampaignProgress['state']) =>
        eventually(
          async () => {
            const p = json<CampaignProgress>(await kurir('--json', 'campaign', 'status', id));
            return p.state === state ? p : undefined;
          },
          60_000,
          state,
        );

      const canceled = await detachPaused('843');
      const human = await kurir('campaign', 'cancel', canceled);
      assert.equal(human.code, 0, human.stderr);
      const final = await untilState(canceled, 'canceled');
      assert.ok(final.counts.not_sent > 0, JSON.stringify(final.counts));
      assert.equal(final.counts.read + final.counts.delivered + final.counts.not_sent, 25);

      const resumed = await detachPaused('845');
      assert.equal((await kurir('campaign', 'resume', resumed)).stdout, `${resumed}  resume requested\n`);
      const completed = await untilState(resumed, 'completed');
      assert.equal(completed.counts.read + completed.counts.delivered, 25, JSON.stringify(completed.counts));
    },
  );

  test('errors are one line with the documented exit codes', async () => {
    const missing = await kurir('campaign', 'start', join(dir, 'nope.csv'), ...STEPS);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^kurir: \S+nope\.csv: cannot read the file\n$/);
    const empty = await kurir('campaign', 'start', csv('bad.csv', ['12', 'x']), ...STEPS);
    assert.equal(empty.code, 2);
    assert.match(
      empty.stderr,
      // The upload's line (no TTY), then the error's.
      /^uploaded \S+bad\.csv \(\d+ B\)\nkurir: no row was a valid recipient \(2 rejected; line 2: phone: "12" is not a valid phone number\)\n$/,
    );
    const invalid = await kurir(
      'campaign',
      'start',
      csv('one.csv', [campaignNumber('844', 0)]),
      '--step',
      'sms:itd:text=x',
    );
    assert.equal(invalid.code, 2);
    assert.equal(invalid.stderr, 'kurir: steps.0.provider: provider itd does not carry sms\n');
    // --import-only: ?start=false, and the input any Temporal client starts it with.
    const ready = json<{ id: string; imported: number; workflowInput: { campaignId: string } }>(
      await kurir(
        '--json',
        'campaign',
        'start',
        csv('ready.csv', [campaignNumber('844', 2)]),
        ...STEPS,
        '--import-only',
      ),
    );
    assert.equal(ready.imported, 1);
    assert.equal(ready.workflowInput.campaignId, ready.id);
    const unknown = await kurir('campaign', 'status', 'cmp_does_not_exist');
    assert.equal(unknown.code, 4);
    assert.equal(unknown.stderr, 'kurir: campaign cmp_does_not_exist not found\n');
    // No database or Temporal needed, only the API: one that does not answer is one line.
    const away = await kurirWith(
      { KURIR_API_URL: 'http://127.0.0.1:1', DATABASE_URL: '', TEMPORAL_ADDRESS: '127.0.0.1:1' },
      'campaign',
      'start',
      csv('one.csv', [campaignNumber('844', 1)]),
      ...STEPS,
      '--detach',
    );
    assert.equal(away.code, 1);
    assert.match(
      away.stderr,
      /^kurir: cannot reach the kurir API at http:\/\/127\.0\.0\.1:1 \(from KURIR_API_URL\): [^\n]+\n$/,
    );
    const key = await kurirWith({ KURIR_API_KEY: 'wrong-key' }, 'campaign', 'status', 'cmp_x');
    assert.equal(key.code, 3, key.stderr);
  });
});
