// Shared by the benchmarks: where results go and the few statistics they print.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../scripts/paths.js';

export const RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');

/** Writes bench/results/<name>.json, which `npm run bench` folds into latest.md. */
export function writeResult(name: string, result: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    join(RESULTS_DIR, `${name}.json`),
    JSON.stringify({ ...result, measuredAt: new Date().toISOString() }, null, 2),
  );
}

/** The most events inside any window of `ms` milliseconds (times sorted ascending). */
export function busiestWindow(times: number[], ms: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** The last result of a benchmark, if any. */
export function readResult(name: string): Record<string, unknown> | undefined {
  const file = join(RESULTS_DIR, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
}
