// `npm start` end to end: the whole stack on embedded defaults comes up healthy, Ctrl-C (SIGINT)
// leaves no child process behind, and a second start resumes with the same data.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from './temporal.js';

const stateDir = mkdtempSync(join(tmpdir(), 'kurir-start-'));
chmodSync(stateDir, 0o755); // the embedded Postgres runs as the postgres user when tests run as root
after(() => rmSync(stateDir, { recursive: true, force: true }));

function descendants(pid: number): number[] {
  const children: Record<number, number[]> = {};
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      (children[ppid] ??= []).push(Number(entry));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children[p] ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Running, that is: exists and is not a zombie (an exited child its parent has not reaped yet). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

async function startOnce(env: NodeJS.ProcessEnv): Promise<{ output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 180_000;
  while (!output.includes('kurir is running') && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 250));
  assert.match(output, /kurir is running/, output.slice(-3000));
  const health = await fetch(`http://127.0.0.1:${env.PORT}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok', temporal: { status: 'ok' }, database: { status: 'ok' } });
  const tree = descendants(child.pid!);
  assert.ok(tree.length >= 4, `expected temporal, postgres, worker and api under npm start, saw ${tree.length}`);
  child.kill('SIGINT');
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
  assert.equal(code, 0, output.slice(-2000));
  await new Promise((r) => setTimeout(r, 500));
  const left = tree.filter(alive);
  assert.deepEqual(
    left,
    [],
    `processes left behind: ${left.map((p) => spawnSync('ps', ['-o', 'pid,cmd', '-p', String(p)], { encoding: 'utf8' }).stdout).join('')}`,
  );
  return { output };
}

test(
  'npm start brings up a healthy stack, Ctrl-C stops every child, and a restart keeps the data',
  { timeout: 420_000 },
  async () => {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
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
      SANDBOX_BASE_PORT: String(base),
      LOG_LEVEL: 'warn',
    };
    const first = await startOnce(env);
    assert.match(first.output, /Applied migrations: 001_init/);
    assert.match(first.output, /API docs\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
    const second = await startOnce(env);
    assert.match(second.output, /Database schema is up to date/);
  },
);

test('an unreachable TEMPORAL_ADDRESS is one clear error, not a stack trace', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', PRETTY_LOGS: 'false' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 1);
  assert.match(run.stdout + run.stderr, /cannot reach Temporal at 127\.0\.0\.1:1/);
  assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /);
});
