// Finds, builds (once, cached) and runs the Temporal dev server (the `temporal` CLI).
// Lookup order: TEMPORAL_CLI_PATH, PATH, .kurir/bin/temporal, the user cache; else
// `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` into the user cache.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { STATE_DIR, USER_CACHE_DIR } from './paths.js';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const PROJECT_BIN = join(STATE_DIR, 'bin', 'temporal');
const CACHED_BIN = join(USER_CACHE_DIR, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');

type Log = (line: string) => void;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function findTemporalBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH))
      throw new Error(`TEMPORAL_CLI_PATH: ${env.TEMPORAL_CLI_PATH} is not an executable file`);
    return env.TEMPORAL_CLI_PATH;
  }
  return onPath('temporal') ?? [PROJECT_BIN, CACHED_BIN].find(isExecutable);
}

/** Returns a temporal binary, building it with Go when none is found. */
export async function ensureTemporalBinary(log: Log = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const found = findTemporalBinary();
  if (found) return found;
  const go = onPath('go') ?? ['/usr/local/go/bin/go'].find(isExecutable);
  if (!go) {
    throw new Error(
      'No Temporal dev server found and Go is not installed to build one.\n' +
        `  Either install Go (https://go.dev/dl/) so kurir can run: go install github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}\n` +
        '  or download the temporal CLI (https://temporal.io/setup) and set TEMPORAL_CLI_PATH to it,\n' +
        '  or point TEMPORAL_ADDRESS at a running Temporal server.',
    );
  }
  const gobin = join(USER_CACHE_DIR, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
  mkdirSync(gobin, { recursive: true });
  // Several scripts may start at once on a fresh machine: one builds, the others wait for it.
  const lock = join(gobin, '.building');
  if (!takeBuildLock(lock)) {
    log('Another process is building the Temporal dev server; waiting for it...');
    while (!isExecutable(CACHED_BIN) && !takeBuildLock(lock)) await new Promise((r) => setTimeout(r, 2_000));
    if (isExecutable(CACHED_BIN)) {
      rmLockIfOurs(lock);
      return CACHED_BIN;
    }
  }
  try {
    await goInstall(go, gobin, log);
  } finally {
    rmLockIfOurs(lock);
  }
  mkdirSync(join(STATE_DIR, 'bin'), { recursive: true });
  copyFileSync(CACHED_BIN, PROJECT_BIN);
  return PROJECT_BIN;
}

/** An exclusive lock directory holding the builder's pid; a dead builder's lock is taken over. */
function takeBuildLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch {
    let pid = 0;
    try {
      pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      /* being written, or gone */
    }
    const young = (() => {
      try {
        return Date.now() - statSync(lock).mtimeMs < 5_000;
      } catch {
        return false;
      }
    })();
    if (young || (pid > 0 && isAlive(pid))) return false;
    rmSync(lock, { recursive: true, force: true });
    try {
      mkdirSync(lock);
    } catch {
      return false;
    }
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function rmLockIfOurs(lock: string): void {
  try {
    if (Number(readFileSync(join(lock, 'pid'), 'utf8')) === process.pid) rmSync(lock, { recursive: true, force: true });
  } catch {
    /* not ours */
  }
}

async function goInstall(go: string, gobin: string, log: Log): Promise<void> {
  log(
    `Building the Temporal dev server (temporal CLI ${TEMPORAL_CLI_VERSION}) with Go; this takes a few minutes the first time...`,
  );
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    // -v prints each package as it compiles: that is the progress shown.
    const child = spawn(go, ['install', '-v', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: gobin, GOFLAGS: process.env.GOFLAGS ?? '-mod=mod' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let count = 0;
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        count++;
        if (count % 25 === 0 || line.startsWith('go: '))
          log(`  [temporal build] ${count} packages… ${line.slice(0, 100)}`);
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`go install of the temporal CLI failed with exit code ${code}`)),
    );
  });
  log(`Built the temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${CACHED_BIN}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface DevServerOptions {
  binary: string;
  port: number;
  uiPort: number;
  /** SQLite file for persistence; omitted → in-memory. */
  dbFile?: string;
  namespace?: string;
  searchAttributes?: Record<string, 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList'>;
  headless?: boolean;
  log?: Log;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not become healthy within ${timeoutMs / 1000} s: ${String(lastError)}`);
}

/**
 * One partition per task queue. The server splits a queue's maxTaskQueueActivitiesPerSecond evenly
 * over its read partitions (4 by default), and a partition whose backlog runs dry leaves its share
 * unused: a campaign paced at 10/s reached 0.86–0.98 of the cap with four, 0.97–0.98 with one. A
 * single-process dev server gains nothing from more. Deployments set it for the provider send
 * queues in config/temporal-dynamic-config.yaml.
 */
const ONE_WRITE_PARTITION = ['matching.numTaskqueueWritePartitions=1'];
const ONE_PARTITION = [...ONE_WRITE_PARTITION, 'matching.numTaskqueueReadPartitions=1'];

/**
 * The partition settings for a dev server. A state file from before them may hold tasks in
 * partitions 1–3, which one read partition would never dispatch: such a file keeps reading all four
 * (writing one, so they drain) until it is deleted. A marker file next to the state file says it was
 * created with one partition.
 */
export function partitionArgs(dbFile?: string): string[] {
  const args = (values: string[]) => values.flatMap((kv) => ['--dynamic-config-value', kv]);
  if (dbFile) {
    const marker = `${dbFile}.one-partition`;
    if (existsSync(marker)) return args(ONE_PARTITION);
    if (existsSync(dbFile)) return args(ONE_WRITE_PARTITION);
    writeFileSync(
      marker,
      'Created by scripts/temporal.ts: this Temporal state was created with one partition per task queue.\n',
    );
  }
  return args(ONE_PARTITION);
}

export async function startTemporalDevServer(opts: DevServerOptions): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--namespace',
    opts.namespace ?? 'default',
    '--log-level',
    'warn',
    '--log-format',
    'json',
  ];
  if (opts.dbFile) {
    mkdirSync(join(opts.dbFile, '..'), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  args.push(...partitionArgs(opts.dbFile));
  if (opts.headless) args.push('--headless');
  for (const [name, type] of Object.entries(opts.searchAttributes ?? {}))
    args.push('--search-attribute', `${name}=${type}`);
  const child = spawn(opts.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${opts.port}`;
  const healthy = waitForTemporal(address, 60_000);
  const first = await Promise.race([healthy.then(() => 'up' as const), exited.then(() => 'exited' as const)]);
  if (first === 'exited') {
    healthy.catch(() => undefined);
    throw new Error(
      `The Temporal dev server exited at start (is port ${opts.port} or ${opts.uiPort} taken?):\n${stderr}`,
    );
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { address, uiUrl: `http://127.0.0.1:${opts.uiPort}`, process: child, stop };
}

export function temporalDbFile(): string {
  return join(STATE_DIR, 'temporal.sqlite');
}

/** The version the binary reports, for diagnostics. */
export function temporalVersion(binary: string): string {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return (out.stdout || out.stderr).trim();
}
