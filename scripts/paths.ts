// Where kurir keeps local state: the project's .kurir/ (dev data, embedded Postgres, the
// Temporal SQLite file) and a per-user cache that survives fresh clones (the built CLI).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json: one up from scripts/, or more from a build (dist/scripts/). */
function projectRoot(): string {
  const start = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

export const PROJECT_ROOT = projectRoot();
export const STATE_DIR = process.env.KURIR_STATE_DIR ?? join(PROJECT_ROOT, '.kurir');
export const USER_CACHE_DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kurir');
