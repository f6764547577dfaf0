// The provider sandboxes in a process of their own, as `npm start` runs them. A benchmark that
// counts a provider's sends per second must not read the time off the event loop that also runs
// the API and the relay: a 100 ms stall there stamps a second's requests into the next one.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RunningSandboxes } from '../../sandboxes/index.js';
import type { LoggedRequest } from '../../sandboxes/kit.js';

/**
 * The scheduling priority (nice) a benchmark gives its sandboxes: a provider runs on machines of its
 * own, and a sandbox that waits for a core behind the engine it measures stamps late. On two cores,
 * at the default priority, its event loop was held up to 260 ms.
 */
export const PROVIDER_PRIORITY = -15;

/** What the child reports once its sandboxes listen. */
export interface SandboxProcessStarted {
  urls: Partial<Record<string, string>>;
  summary: string;
}

const MAIN = fileURLToPath(new URL('./sandbox-process-main.ts', import.meta.url));

/**
 * Starts every provider's sandbox in a child process configured by `env`, with callbacks to
 * `apiUrl`, at `priority` where the system allows it (`prioritized` says). Their request logs live
 * there: read them with `fetchRequests`.
 */
export async function spawnSandboxes(
  env: NodeJS.ProcessEnv,
  apiUrl: string,
  priority = 0,
): Promise<RunningSandboxes & { prioritized: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, apiUrl], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let prioritized = priority === 0;
  if (!prioritized && child.pid !== undefined) {
    try {
      setPriority(child.pid, priority);
      prioritized = true;
    } catch {
      // Raising a priority takes root or CAP_SYS_NICE; without it the caller reports the run as unprioritized.
    }
  }
  const exited = once(child, 'exit');
  const started = await Promise.race([
    once(child, 'message').then(([m]) => m as SandboxProcessStarted),
    exited.then(([code]) => {
      throw new Error(`the sandbox process exited (${String(code)}) before its sandboxes listened`);
    }),
  ]);
  return {
    ...started,
    prioritized,
    requests: (name) => {
      throw new Error(`the ${name} sandbox runs in a child process: read its log with fetchRequests`);
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.disconnect(); // the child closes its servers and exits
      await exited;
    },
  };
}

/** A sandbox's request log, wherever it runs (GET /__sandbox/requests). */
export async function fetchRequests(sandboxes: RunningSandboxes, name: string): Promise<LoggedRequest[]> {
  const url = sandboxes.urls[name];
  if (!url) throw new Error(`no ${name} sandbox is running`);
  const res = await fetch(`${url}/__sandbox/requests`);
  if (!res.ok) throw new Error(`the ${name} sandbox answered ${res.status} for its request log`);
  return (await res.json()) as LoggedRequest[];
}
