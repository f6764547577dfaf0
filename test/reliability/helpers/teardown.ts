// Stops a stack started with `worker: false`. Such a process never registered a native client or
// worker with the Temporal Runtime, so the Runtime never shuts itself down and keeps the test
// file's process alive after its tests: shut it down here.
import { Runtime } from '@temporalio/worker';
import type { Stack } from '../../helpers/stack.js';

export async function stopWorkerlessStack(stack: Stack | undefined): Promise<void> {
  await stack?.stop();
  await Runtime.instance().shutdown();
}
