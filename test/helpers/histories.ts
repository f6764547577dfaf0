// Saves a finished workflow's history under test/histories/ when RECORD_HISTORIES=1, so the
// replay test guards the workflow code against non-deterministic changes. The files are the
// protobuf History as JSON (longs and bytes as strings, enums by name): readable and exact.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';

const { History } = proto.temporal.api.history.v1;
export const HISTORIES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'histories');

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = History.fromObject(await handle.fetchHistory());
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(
    join(HISTORIES_DIR, `${name}.json`),
    JSON.stringify(History.toObject(history, { longs: String, enums: String, bytes: String }), null, 1),
  );
}

export function loadHistory(file: string): proto.temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as Record<string, unknown>);
}

/** Replays a history against the current workflow bundle (the harness's KURIR_WORKFLOW_BUNDLE); throws on nondeterminism. */
export async function replayWithCurrentCode(
  name: string,
  history: proto.temporal.api.history.v1.IHistory,
): Promise<void> {
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: process.env.KURIR_WORKFLOW_BUNDLE! }, replayName: name },
    history,
  );
}
