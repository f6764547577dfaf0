// Where kurir keeps local state: the project's .kurir/ (dev data, embedded Postgres, the
// Temporal SQLite file) and a per-user cache that survives fresh clones (the built CLI).
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STATE_DIR = process.env.KURIR_STATE_DIR ?? join(PROJECT_ROOT, '.kurir');
export const USER_CACHE_DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kurir');
