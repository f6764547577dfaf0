// The real `kurir` command (bin/kurir.js) as a child process: its exit code and output.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/paths.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kurir <args>` with `env` (added to this process's, unless `inherit` is false), bounded by `timeoutMs`. */
export function runKurir(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
  inherit = true,
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'kurir.js'), ...args],
      { env: inherit ? { ...process.env, ...env } : env, timeout: timeoutMs },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      },
    );
  });
}
