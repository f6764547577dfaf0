// Turns closed message and OTP workflows into counters, at scrape time. It lists what closed on
// this deployment's task queue since the last pass (visibility), reads each new result (only the
// close event is fetched) and counts it once. Visibility is eventually consistent, so each pass
// looks back OVERLAP_MS and remembers the runs it already counted within that window.
// Counters are per API process and start at zero, like any Prometheus counter after a restart.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Logger } from 'pino';
import { MESSAGE_WORKFLOW_TYPE, OTP_WORKFLOW_TYPE } from '../workflows/messages.js';
import type { OtpState } from '../workflows/otp-types.js';
import type { MessageResult } from '../workflows/types.js';
import { fallbacksTaken, messagesCompleted, otpOutcomes } from './metrics.js';

const OVERLAP_MS = 5 * 60_000;

export class OutcomeCollector {
  private since = Date.now();
  private readonly seen = new Map<string, number>();
  private running?: Promise<void>;

  constructor(
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  /** Runs (or joins) a pass; waits at most `budgetMs` so a scrape never hangs on Temporal. */
  async collect(budgetMs: number): Promise<void> {
    this.running ??= this.pass()
      .catch((err: unknown) => {
        this.log.warn({ err }, 'metrics: could not read workflow outcomes; next scrape retries');
      })
      .finally(() => {
        this.running = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.running,
      new Promise((r) => {
        timer = setTimeout(r, budgetMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private async pass(): Promise<void> {
    const startedAt = Date.now();
    const query =
      `TaskQueue = '${this.taskQueue.replaceAll("'", "\\'")}' AND WorkflowType IN ('${MESSAGE_WORKFLOW_TYPE}', '${OTP_WORKFLOW_TYPE}')` +
      ` AND ExecutionStatus != 'Running' AND CloseTime >= '${new Date(this.since - OVERLAP_MS).toISOString()}'`;
    for await (const info of this.temporal.workflow.list({ query })) {
      if (this.seen.has(info.runId)) continue;
      await this.count(info);
      this.seen.set(info.runId, info.closeTime?.getTime() ?? startedAt);
    }
    this.since = startedAt;
    for (const [runId, closed] of this.seen) if (closed < startedAt - 2 * OVERLAP_MS) this.seen.delete(runId);
  }

  private async count(info: WorkflowExecutionInfo): Promise<void> {
    const completed = info.status.name === 'COMPLETED';
    // A workflow that did not complete (failed on invalid input, terminated, …) has no result to read.
    const other = `workflow_${info.status.name.toLowerCase()}`;
    const result = completed
      ? ((await this.temporal.workflow
          .getHandle(info.workflowId, info.runId, { followRuns: false })
          .result()) as unknown)
      : undefined;
    if (info.type === OTP_WORKFLOW_TYPE) {
      otpOutcomes.inc({ status: completed ? (result as OtpState).status : other });
      return;
    }
    if (!completed) {
      messagesCompleted.inc({ outcome: other, provider: 'none', channel: 'none' });
      return;
    }
    const message = result as MessageResult;
    const deciding = message.attempts.find((a) => a.step === message.step) ?? message.attempts.at(-1);
    messagesCompleted.inc({
      outcome: message.outcome,
      provider: message.deliveredBy ?? deciding?.provider ?? 'none',
      channel: deciding?.channel ?? 'none',
    });
    for (const a of message.attempts) if (a.fallback) fallbacksTaken.inc({ reason: a.fallback.reason });
  }
}
