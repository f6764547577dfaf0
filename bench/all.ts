// `npm run bench`: every benchmark in turn (each measures its own baseline in the same run),
// then the report (bench/results/latest.md and the chart). A benchmark that fails is reported
// and the others still run; the exit status says whether all of them ran.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../scripts/paths.js';

const BENCHES = ['callbacks', 'otp', 'campaign', 'webhooks', 'stats'].filter((b) =>
  existsSync(join(PROJECT_ROOT, 'bench', `${b}.ts`)),
);
const failed: string[] = [];
for (const bench of BENCHES) {
  process.stderr.write(`\n=== bench:${bench}\n`);
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', `${bench}.ts`)], {
    stdio: 'inherit',
    cwd: PROJECT_ROOT,
  });
  process.stderr.write(
    `=== bench:${bench} ${run.status === 0 ? 'done' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  if (run.status !== 0) failed.push(bench);
}
process.stderr.write('\n=== report\n');
spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'report.ts')], {
  stdio: 'inherit',
  cwd: PROJECT_ROOT,
});
if (failed.length) {
  process.stderr.write(`benchmarks that failed to run: ${failed.join(', ')}\n`);
  process.exit(1);
}
