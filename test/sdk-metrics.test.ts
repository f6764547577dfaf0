// The worker's Temporal SDK metrics: a real worker process (`workers/main.ts`) with
// WORKER_METRICS_PORT serves Prometheus `temporal_*` series once it has run a message.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';
import { killWorkers, spawnWorker } from './helpers/worker-process.js';

let stack: Stack;
before(async () => {
  stack = await startStack({ worker: false, logLevel: 'warn' });
});
after(async () => {
  killWorkers();
  await stack?.stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Metric names (without labels) of this stack's task queues (per-provider queues share its prefix). */
function seriesOf(text: string, taskQueue: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((l) => !l.startsWith('#') && l.includes(`task_queue="${taskQueue}`))
      .map((l) => l.split(/[{ ]/)[0]!),
  );
}

describe('Temporal SDK metrics', () => {
  test(
    'WORKER_METRICS_PORT exposes temporal_* workflow and activity series after a message',
    { timeout: 120_000 },
    async () => {
      const port = await freePort();
      spawnWorker(stack, { WORKER_METRICS_PORT: String(port), HOST: '127.0.0.1' });
      const id = await stack.send({
        to: scriptedNumber(),
        steps: [{ channel: 'sms', provider: 'sms-masking', text: 'metrics' }],
      });
      const result = (await stack.client.workflow.getHandle(id).result()) as { outcome: string };
      assert.ok(['delivered', 'read'].includes(result.outcome), result.outcome);
      const series = await eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/metrics`);
          assert.equal(res.status, 200);
          const s = seriesOf(await res.text(), stack.taskQueue);
          return s.has('temporal_workflow_completed') && s.has('temporal_activity_execution_latency_bucket')
            ? s
            : undefined;
        },
        30_000,
        'workflow and activity series',
      );
      assert.ok(series.has('temporal_workflow_task_execution_latency_bucket'), [...series].join(', '));
    },
  );
});
