// Determinism guard, checked from both sides: every workflow type the worker registers has
// recorded histories under test/histories/ (replayed by test/replay.test.ts), and a workflow
// bundle changed incompatibly (an extra timer before the original code) fails to replay each of
// them with a non-determinism error: the replay test really catches such changes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { STATE_DIR } from '../../scripts/paths.js';
import { WORKFLOWS_PATH } from '../../workers/create-worker.js';
import { HISTORIES_DIR, loadHistory } from '../helpers/histories.js';
import { requireHarness } from '../helpers/stack.js';

// The workflow types are workflows/index.ts's export names (read, not imported: workflow code runs in the sandbox).
const types = [...readFileSync(WORKFLOWS_PATH, 'utf8').matchAll(/^export \{ (\w+) \}/gm)].map((m) => m[1]!);
const files = readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const typeOf = (file: string) =>
  loadHistory(file).events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
// Inside the project, so the bundler resolves @temporalio/workflow from its node_modules.
mkdirSync(join(STATE_DIR, 'test'), { recursive: true });
const dir = mkdtempSync(join(STATE_DIR, 'test', 'changed-workflows-'));
let changedBundle: string;

before(async () => {
  requireHarness();
  // Each workflow export replaced by one that sleeps first, then runs the original: the first
  // command (a timer) differs from the recorded one.
  const source = [
    "import { sleep } from '@temporalio/workflow';",
    `import * as original from ${JSON.stringify(WORKFLOWS_PATH)};`,
    ...types.map((t) => `export async function ${t}(...args) { await sleep(1); return original.${t}(...args); }`),
  ].join('\n');
  writeFileSync(join(dir, 'changed.js'), source);
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(dir, 'changed.js'),
    logger: new DefaultLogger('WARN'),
  });
  changedBundle = join(dir, 'bundle.js');
  writeFileSync(changedBundle, bundle.code);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const WORKFLOW_TYPES = ['campaign', 'inboxPoll', 'message', 'otp', 'retention'];

test('every workflow type has recorded histories', () => {
  assert.deepEqual(types.sort(), WORKFLOW_TYPES);
  const recorded = new Set(files.map(typeOf));
  for (const t of types) assert.ok(recorded.has(t), `a recorded history of the ${t} workflow under test/histories/`);
});

for (const t of WORKFLOW_TYPES) {
  test(`an incompatible change to the ${t} workflow fails its replay`, { timeout: 120_000 }, async () => {
    const mine = files.filter((f) => typeOf(f) === t);
    assert.ok(mine.length > 0);
    for (const file of mine) {
      await assert.rejects(
        Worker.runReplayHistory({ workflowBundle: { codePath: changedBundle }, replayName: file }, loadHistory(file)),
        (err: Error) => err.name === 'DeterminismViolationError' || /nondetermin/i.test(err.message),
        `${file} must not replay against the changed code`,
      );
    }
  });
}
