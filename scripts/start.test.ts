// `npm start` end to end, in a fresh clone (no ui/dist): the whole stack on embedded defaults comes
// up healthy, Ctrl-C (SIGINT) leaves no child process behind, and a second start resumes with the
// same data. The first start builds the dashboard, the second does not, and both give the API and
// worker the same NODE_ENV (issue #21: vite.build() used to leak NODE_ENV=production into them).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { PROJECT_ROOT } from './paths.js';
import { freePort } from './temporal.js';

const stateDir = mkdtempSync(join(tmpdir(), 'kurir-start-'));
chmodSync(stateDir, 0o755); // the embedded Postgres runs as the postgres user when tests run as root
after(() => rmSync(stateDir, { recursive: true, force: true }));

/** A fresh clone of this working tree (tracked and new files, nothing ignored: no ui/dist) sharing node_modules. */
function freshClone(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kurir-clone-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  }).stdout.split('\0');
  for (const file of files.filter((f) => f && existsSync(join(PROJECT_ROOT, f)))) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(PROJECT_ROOT, file), join(dir, file));
  }
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** NODE_ENV of the worker and API processes under `npm start`, read from their /proc environ. */
function childModes(pids: number[]): Record<string, string | undefined> {
  const modes: Record<string, string | undefined> = {};
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const name = cmdline.includes('workers/main.ts') ? 'worker' : cmdline.includes('api/server.ts') ? 'api' : '';
      if (!name) continue;
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      modes[name] = environ.find((kv) => kv.startsWith('NODE_ENV='))?.slice('NODE_ENV='.length);
    } catch {
      /* gone */
    }
  }
  return modes;
}

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

async function startOnce(cwd: string, env: NodeJS.ProcessEnv): Promise<{ output: string; modes: object }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd,
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
  // The banner's sample commands carry a key the API takes.
  const key = /Bearer ([^']+)'/.exec(output)?.[1];
  const sample = await fetch(`http://127.0.0.1:${env.PORT}/v1/messages/no-such-message`, {
    headers: { authorization: `Bearer ${key}` },
  });
  assert.ok(![401, 403].includes(sample.status), `the banner's key was refused (${sample.status})`);
  const tree = descendants(child.pid!);
  assert.ok(tree.length >= 4, `expected temporal, postgres, worker and api under npm start, saw ${tree.length}`);
  const modes = childModes(tree);
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
  return { output, modes };
}

test(
  'npm start brings up a healthy stack, Ctrl-C stops every child, and a restart keeps the data',
  { timeout: 420_000 },
  async () => {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const clone = freshClone();
    // A developer's shell: NODE_ENV unset (the test runner sets it to test).
    const { NODE_ENV: _unset, ...shell } = process.env;
    const env: NodeJS.ProcessEnv = {
      ...shell,
      KURIR_STATE_DIR: stateDir,
      TEMPORAL_ADDRESS: '',
      DATABASE_URL: '',
      KURIR_API_KEYS: 'crm[messages]:start-test-key-1,ops:start-test-key-2',
      PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      SANDBOX_BASE_PORT: String(base),
      LOG_LEVEL: 'info',
    };
    const first = await startOnce(clone, env);
    assert.match(first.output, /Applied migrations: 001_init/);
    assert.match(first.output, /built the dashboard into ui\/dist/);
    assert.match(first.output, /API docs\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
    assert.match(first.output, /Authorization: Bearer start-test-key-1'/);
    const second = await startOnce(clone, env);
    assert.match(second.output, /Database schema is up to date/);
    assert.doesNotMatch(second.output, /built the dashboard/);
    assert.deepEqual(first.modes, { worker: 'development', api: 'development' });
    assert.deepEqual(second.modes, first.modes);
    // Not a terminal: the children log JSON; kurir's info lines are there, the SDK's own are not.
    const logs = first.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { name?: string; level: number; sdkComponent?: string });
    assert.ok(logs.some((l) => l.name === 'kurir-worker' && l.level === 30));
    assert.ok(logs.some((l) => l.name === 'kurir-api' && l.level === 30));
    assert.deepEqual(
      logs.filter((l) => (l.sdkComponent === 'worker' || l.sdkComponent === 'core') && l.level < 40),
      [],
    );
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
