// The Core behaviour workflows/activation-guard.ts refuses, reproduced against the dev server: a
// query sent while the workflow's worker is down waits in the task queue; meanwhile a timer fires
// and a signal comes; a new worker takes the query first (the workflow task is still bound to the
// dead worker's sticky queue). Without the guard, the workflow runs the fired timer's code with the
// last task's time, and the next task records the commands of that stale run: a replay fails.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { requireHarness } from '../helpers/stack.js';
import { staleTimeWorkerOptions } from '../fixtures/stale-time-options.js';
import { TIMER_MS, type staleTime } from '../fixtures/stale-time-workflow.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

interface Outcome {
  seen: number[];
  queryAnswer: string;
  /** 'ok', or why the replay failed. */
  replay: string;
}

async function scenario(guarded: boolean): Promise<Outcome> {
  const address = process.env.TEMPORAL_ADDRESS!;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const taskQueue = `stale-${randomUUID()}`;
  const a = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/stale-time-worker.ts', taskQueue, guarded ? 'guarded' : 'bare'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      a.stdout.on('data', (d: Buffer) => String(d).includes('ready') && resolve());
      a.once('exit', (code) => reject(new Error(`worker A exited (${code}) before it was ready`)));
    });
    const handle = await client.workflow.start<typeof staleTime>('staleTime', {
      taskQueue,
      workflowId: `stale-${randomUUID()}`,
    });
    // Worker A runs the first task (the timer starts) and dies holding the run's sticky queue.
    await new Promise((r) => setTimeout(r, 700));
    const exited = new Promise((r) => a.once('exit', r));
    a.kill('SIGKILL');
    await exited;
    // No workflow task is pending: this is a legacy query, and no worker polls for it yet.
    const answer = handle.query<number[]>('seen').then(
      (v) => `answered ${JSON.stringify(v)}`,
      (err: unknown) => `failed: ${String(err)}`,
    );
    await new Promise((r) => setTimeout(r, TIMER_MS)); // the timer fires meanwhile
    await handle.signal('go');
    await new Promise((r) => setTimeout(r, 300));
    const b = await Worker.create({
      connection: await NativeConnection.connect({ address }),
      taskQueue,
      ...staleTimeWorkerOptions(guarded),
    });
    const { seen, queryAnswer } = await b.runUntil(async () => ({
      queryAnswer: await answer,
      seen: await handle.result(),
    }));
    const history = await handle.fetchHistory();
    const replay = await Worker.runReplayHistory(staleTimeWorkerOptions(guarded), history).then(
      () => 'ok',
      (err: unknown) => String(err),
    );
    return { seen, queryAnswer, replay };
  } finally {
    a.kill('SIGKILL');
    await connection.close();
  }
}

test(
  "without the guard, a legacy query on a dead worker's run makes a replay fail (the Core behaviour exists)",
  { timeout: 90_000 },
  async () => {
    requireHarness();
    const { seen, replay } = await scenario(false);
    assert.ok(
      seen[0]! < TIMER_MS,
      `the workflow saw a stale time after its ${TIMER_MS} ms timer: ${JSON.stringify(seen)}`,
    );
    assert.match(replay, /nondeterminism|Nondeterminism|TMPRL1100/);
  },
);

test(
  "with the guard, the query fails, the run is replayed at each task's time, and replays",
  { timeout: 90_000 },
  async () => {
    requireHarness();
    const { seen, queryAnswer, replay } = await scenario(true);
    assert.match(queryAnswer, /StaleActivationError|without a workflow task start/);
    assert.ok(seen[0]! >= TIMER_MS, `the workflow saw the time after its timer: ${JSON.stringify(seen)}`);
    assert.equal(replay, 'ok');
  },
);
