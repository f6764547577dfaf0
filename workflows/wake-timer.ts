// A wait for a change or a deadline that keeps its timer while the deadline stays the same: a
// status that moves no deadline costs no timer cancel and restart (two events and two timer
// tasks on the server each time, with condition(fn, timeout)).
import { CancellationScope, condition, sleep } from '@temporalio/workflow';

export class WakeTimer {
  private deadline?: number;
  private scope?: CancellationScope;
  private fired: Promise<void> = Promise.resolve();

  /** Resolves true when `changed()` holds, false when `deadline` (workflow time, ms) passes first. */
  async until(deadline: number, changed: () => boolean): Promise<boolean> {
    if (deadline !== this.deadline) {
      this.cancel();
      this.deadline = deadline;
      const scope = new CancellationScope();
      this.scope = scope;
      // A cancelled timer's rejection is expected: a newer deadline replaced it.
      this.fired = scope.run(() => sleep(Math.max(1, deadline - Date.now()))).catch(() => undefined);
    }
    const fired = this.fired;
    let timedOut = false;
    await Promise.race([
      condition(() => changed() || timedOut),
      fired.then(() => {
        timedOut = true;
      }),
    ]);
    return changed();
  }

  /** Cancels the pending timer (when the wait is over for good). */
  cancel(): void {
    this.scope?.cancel();
    this.scope = undefined;
    this.deadline = undefined;
  }
}
