// The new user: `npm start`, then `kurir campaign start file.csv` with no variable set.
// The CLI finds the API and its development key in .kurir/local-api.json, which npm start writes
// (mode 0600) once the API is healthy and removes at stop. KURIR_STATE_DIR only keeps this run's
// .kurir/ apart from the checkout's; ports are random, so only the file can lead the CLI there.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../scripts/temporal.js';
import { campaignNumber } from '../test/helpers/campaign.js';
import { runKurir } from '../test/helpers/kurir-cli.js';
import { localApiFile, readLocalApi } from './local-api.js';

const stateDir = mkdtempSync(join(tmpdir(), 'kurir-local-api-'));
chmodSync(stateDir, 0o755); // the embedded Postgres runs as the postgres user when tests run as root
after(() => rmSync(stateDir, { recursive: true, force: true }));

test(
  'after npm start, kurir campaign start (and send, otp, status, events) find the local API with no variable set',
  { timeout: 400_000 },
  async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KURIR_STATE_DIR: stateDir,
      TEMPORAL_ADDRESS: '',
      DATABASE_URL: '',
      NODE_ENV: 'development',
      PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      SANDBOX_BASE_PORT: String(20_000 + Math.floor(Math.random() * 30_000)),
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    const start = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (c: Buffer) => {
      output += c.toString();
    };
    start.stdout.on('data', collect);
    start.stderr.on('data', collect);
    const exited = new Promise<number | null>((resolve) => start.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 240_000;
      while (!output.includes('kurir is running') && Date.now() < deadline && start.exitCode === null)
        await new Promise((r) => setTimeout(r, 250));
      assert.match(output, /kurir is running/, output.slice(-3000));

      const file = localApiFile(stateDir);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(readLocalApi(file), { url: `http://127.0.0.1:${env.PORT}`, key: 'dev-key' });

      const csv = join(stateDir, 'new-user.csv');
      writeFileSync(csv, ['phone,param1', ...[0, 1, 2].map((i) => `${campaignNumber('851', i)},N${i}`)].join('\n'));
      // Nothing of this process's environment: only PATH, HOME and where this run's .kurir/ is.
      const bare = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', KURIR_STATE_DIR: stateDir };
      const run = await runKurir(
        ['campaign', 'start', csv, '--step', 'sms:sms-masking:text=Hi {{1}}', '--interval', '300'],
        bare,
        180_000,
        false,
      );
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stderr, /^uploaded \S+new-user\.csv \(\d+ B\)\nimported 3, rejected 0\n$/);
      assert.match(run.stdout, /cmp_\S+ {2}3\/3 \(100%\) {2}completed/);
      const id = /(cmp_\S+)/.exec(run.stdout)![1]!;
      const status = await runKurir(['--json', 'campaign', 'status', id], bare, 60_000, false);
      assert.equal(status.code, 0, status.stderr);
      assert.equal((JSON.parse(status.stdout) as { state: string }).state, 'completed');

      // The other commands that need the API find it the same way.
      const kurir = async (...args: string[]) => {
        const r = await runKurir(['--json', ...args], bare, 60_000, false);
        assert.equal(r.code, 0, `kurir ${args.join(' ')}: ${r.stderr}`);
        return JSON.parse(r.stdout.trim().split('\n')[0]!) as Record<string, unknown>;
      };
      const sent = await kurir('send', '--to', '+6281234000000', '--step', 'sms:sms-masking:text=hi', '--wait');
      assert.equal(sent.state, 'completed');
      const otp = await kurir('otp', 'send', '--to', '+6281234000001', '--strategy', 'sms');
      assert.equal((await kurir('status', String(otp.id))).status, 'pending');
      assert.equal((await kurir('events', '--message', String(sent.id))).type, 'message.accepted');
    } finally {
      start.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
    }
    assert.equal(existsSync(localApiFile(stateDir)), false, 'npm start removes local-api.json at stop');
  },
);
