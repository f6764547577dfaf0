// A kurir worker as a real child process (`workers/main.ts`) on a stack's task queue and sandboxes,
// so tests can kill it with SIGKILL. Every spawned worker is killed by `killWorkers()`.
import { spawn, type ChildProcess } from 'node:child_process';
import { sandboxEnvironment } from '../../sandboxes/index.js';
import { sendRequests, sameNumber } from './numbers.js';
import type { Stack } from './stack.js';

const spawned: ChildProcess[] = [];

export function spawnWorker(stack: Stack, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: {
      ...process.env,
      ...sandboxEnvironment(stack.sandboxes),
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      LOG_LEVEL: 'warn',
      PRETTY_LOGS: 'false',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  spawned.push(child);
  return child;
}

/** SIGKILL, then wait until the process is gone. */
export async function killWorker(worker: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGKILL');
  await exited;
}

export function killWorkers(): void {
  for (const w of spawned) w.kill('SIGKILL');
}

/** Send requests a provider's sandbox received for a number (however the provider formats it). */
export function sendsTo(stack: Stack, provider: string, to: string): number {
  return sendRequests(stack.sandboxes, provider).filter((r) => sameNumber(r.recipient, to)).length;
}
