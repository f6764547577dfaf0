// Runs bench/load.ts in a child process and returns its measurement.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../scripts/paths.js';

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  errors: number;
  statuses: Record<string, number>;
}

export function runLoad(
  url: string,
  n: number,
  concurrency: number,
  headers: Record<string, string>,
  body: string,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        join(PROJECT_ROOT, 'bench', 'load.ts'),
        url,
        String(n),
        String(concurrency),
        JSON.stringify(headers),
        body,
      ],
      { maxBuffer: 1 << 20, timeout: 300_000 },
      (err, stdout) => {
        if (err) reject(new Error(`load generator failed: ${err.message}`));
        else resolve(JSON.parse(stdout) as LoadResult);
      },
    );
  });
}

/** To one decimal, as the results print milliseconds. */
export const round1 = (v: number) => Math.round(v * 10) / 10;

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
