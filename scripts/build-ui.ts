// Builds the dashboard (ui/ → ui/dist) when ui/dist is missing or older than its sources. Used by
// `npm run build:ui` (always builds), `npm start` and the dashboard test (only when stale, in a
// child process: vite.build() changes process.env, which `npm start` hands to the API and worker).
// Vite is a devDependency: without it (a production install) the build is skipped with a note,
// since production images build the dashboard in their build stage.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './paths.js';

const UI = join(PROJECT_ROOT, 'ui');
const DIST_INDEX = join(UI, 'dist', 'index.html');

function newestSource(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(
    0,
    ...readdirSync(path)
      .filter((n) => n !== 'dist' && n !== 'node_modules')
      .map((n) => newestSource(join(path, n))),
  );
}

/** True when ui/dist is missing or a source (ui/src, index.html, the Vite config, shared types) is newer. */
export function uiIsStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const sources = [
    UI,
    join(PROJECT_ROOT, 'workflows', 'types.ts'),
    join(PROJECT_ROOT, 'workflows', 'campaign-types.ts'),
  ];
  return Math.max(...sources.filter((s) => existsSync(s)).map(newestSource)) > statSync(DIST_INDEX).mtimeMs;
}

export async function buildUi(log: (line: string) => void = () => undefined): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    log('vite is not installed (production install?): the dashboard at /ui is not built');
    return;
  }
  const started = Date.now();
  // vite.build() sets process.env.NODE_ENV = 'production' in this process. `npm start` builds in a
  // child process (ensureUiBuilt); a caller building in its own process gets the variable back as it was.
  const nodeEnv = process.env.NODE_ENV;
  try {
    await vite.build({ configFile: join(UI, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  log(`built the dashboard into ui/dist in ${Date.now() - started} ms`);
}

/** Runs this file (`buildUi`) in a child process: whatever Vite does to its environment stays there. */
function buildUiInChild(log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'build-ui.ts')], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const onOutput = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-2000);
      for (const line of chunk.toString().split('\n').filter(Boolean)) log(line);
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`the dashboard build exited with ${signal ?? code}: ${tail.trim()}`)),
    );
  });
}

export async function ensureUiBuilt(log: (line: string) => void = () => undefined): Promise<void> {
  if (uiIsStale()) await buildUiInChild(log);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildUi((l) => process.stdout.write(`${l}\n`));
}
