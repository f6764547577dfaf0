// A production process loads no sandbox (issue #22): the import closure of the API and worker
// entries (every module Node would load, type-only imports left out) holds nothing under
// sandboxes/. esbuild (tsx's own bundler) resolves the graph without running it, so the
// entries' side effects (connecting, listening) never happen.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../scripts/paths.js';

/** The production entry points: the API and the worker (Dockerfile, compose, `npm run api|worker`). */
const ENTRIES = ['api/server.ts', 'workers/main.ts'];

async function closure(entry: string): Promise<string[]> {
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
  return Object.keys(result.metafile.inputs);
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
