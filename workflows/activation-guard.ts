// Refuses an activation whose events reached the workflow without a workflow task start.
//
// Core (TypeScript SDK 1.24) answers a legacy query on a run it has not cached by replaying the
// history the query task carries. When that history ends with events after the last workflow task
// (the worker was down: a timer fired, activities finished, signals came, and the query waited in
// the task queue), Core also applies those trailing events, in an activation stamped with the last
// task's time. The workflow then runs, for example, a fired timer's code with Date.now() still
// before the timer's deadline, and the commands it produces stay buffered in the cached run: the
// next real workflow task sends them. A later replay applies the same events in that task, at
// its own (later) time, and produces other commands: TMPRL1100, and the run is stuck for good.
// (Reproduced by test/reliability/stale-activation.test.ts. A campaign stuck after a worker SIGKILL,
// while a test polled its progress, showed the same signature: the task's live commands re-armed a
// timer that had fired, with the duration computed at the previous task's time.)
//
// Such an activation is the only one that applies new events without a new WorkflowTaskStarted,
// and WorkflowTaskStarted is where Core takes the history size from: history length grows, the
// size does not. Failing the activation makes Core fail that query and evict the run; the next
// workflow task replays the whole history with each task's own time.
import type {
  ActivateInput,
  Next,
  WorkflowInterceptorsFactory,
  WorkflowInternalsInterceptor,
} from '@temporalio/workflow';

/** Thrown (as a workflow task failure, retried) for an activation stamped with a stale time. */
export class StaleActivationError extends Error {
  override name = 'StaleActivationError';
}

class ActivationGuard implements WorkflowInternalsInterceptor {
  private length = 0;
  private size = 0;

  activate(input: ActivateInput, next: Next<WorkflowInternalsInterceptor, 'activate'>): void {
    const { activation } = input;
    // Query-only activations carry no history position.
    if (!activation.jobs?.every((j) => j.queryWorkflow))
      this.check(activation.historyLength ?? 0, Number(activation.historySizeBytes ?? 0));
    next(input);
  }

  private check(length: number, size: number): void {
    // A size of 0 is a server that does not report it: nothing to compare.
    if (this.length > 0 && length > this.length && size > 0 && size === this.size) {
      throw new StaleActivationError(
        `events up to ${length} reached the workflow without a workflow task start (history size still ${size} bytes, as at event ${this.length})`,
      );
    }
    this.length = length;
    this.size = size;
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ internals: [new ActivationGuard()] });
