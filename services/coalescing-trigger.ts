// "Run now, or once more after the current run": the relay's drains and the webhook dispatcher's
// claims are woken by every notification and sweep, and a burst of wake-ups while one runs must
// cost one more run, not one each (and never two at once).
export class CoalescingTrigger {
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  /** `run` does the work; a failure goes to `failed` and the next wake-up tries again. */
  constructor(
    private readonly run: () => Promise<void>,
    private readonly failed: (err: unknown) => void,
  ) {}

  /** Runs now, or once more after the current run. */
  fire(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run()
      .catch(this.failed)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.fire();
        }
      });
  }

  /** Fires again after a stop. */
  resume(): void {
    this.stopped = false;
  }

  /** No more runs; resolves when the current one has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}
