// How the CLI finds the API of `npm start` with no variable set: scripts/start.ts writes
// .kurir/local-api.json ({url, key}, mode 0600) once the API is healthy and removes it at stop;
// the CLI reads it when KURIR_API_URL is unset.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LocalApi {
  url: string;
  key: string;
}

/** The project's state folder, as scripts/paths.ts STATE_DIR (cli/ may not import scripts/). */
function stateDir(): string {
  if (process.env.KURIR_STATE_DIR) return process.env.KURIR_STATE_DIR;
  let dir = join(dirname(fileURLToPath(import.meta.url)), '..');
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, '.kurir');
}

export const localApiFile = (dir = stateDir()) => join(dir, 'local-api.json');

export function writeLocalApi(api: LocalApi, file = localApiFile()): void {
  mkdirSync(dirname(file), { recursive: true });
  rmSync(file, { force: true }); // a new file gets mode 0600; an old one would keep its mode
  writeFileSync(file, `${JSON.stringify(api)}\n`, { mode: 0o600 });
}

export function removeLocalApi(file = localApiFile()): void {
  rmSync(file, { force: true });
}

/** The running local API, or undefined when no `npm start` wrote one (or the file is unreadable). */
export function readLocalApi(file = localApiFile()): LocalApi | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalApi>;
    return typeof v.url === 'string' && typeof v.key === 'string' ? { url: v.url, key: v.key } : undefined;
  } catch {
    return undefined;
  }
}
