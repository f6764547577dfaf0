// Helpers of the campaign tests and benchmark: numbers that script the sandboxes, send counts
// per exact number, and waiting for a campaign's progress.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { CampaignInput, CampaignProgress } from '../../workflows/campaign-types.js';
import { campaignProgressQuery } from '../../workflows/messages.js';
import type { RunningSandboxes } from '../../sandboxes/index.js';
import { digitsOf, sendRequests } from './numbers.js';
import type { Stack } from './stack.js';
import { eventually } from './stack.js';

/** `+62 <prefix> <3-digit index> <sms code> <whatsapp code>`: a prefix per test keeps numbers apart. */
export function campaignNumber(prefix: string, index: number, whatsapp = '000', sms = '000'): string {
  return `+62${prefix}${String(index).padStart(3, '0')}${sms}${whatsapp}`;
}

/** Send requests a sandbox received, per exact number (digits only). */
export function sendsPerNumber(stack: Stack, provider: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of sendRequests(stack.sandboxes, provider)) {
    const digits = digitsOf(r.recipient);
    counts.set(digits, (counts.get(digits) ?? 0) + 1);
  }
  return counts;
}

/** When a sandbox received each send request for these numbers (ms, ascending). */
export function sendTimes(sandboxes: Pick<RunningSandboxes, 'requests'>, provider: string, phones: string[]): number[] {
  const ours = new Set(phones.map(digitsOf));
  return sendRequests(sandboxes, provider)
    .filter((r) => ours.has(digitsOf(r.recipient)))
    .map((r) => Date.parse(r.at))
    .sort((a, b) => a - b);
}

export function progress(stack: Stack, id: string): Promise<CampaignProgress> {
  return stack.client.workflow.getHandle(id).query(campaignProgressQuery);
}

export const finishedCount = (p: CampaignProgress) => p.total - p.pending;

/** Waits for a progress the predicate accepts; on timeout says why the campaign's workflow tasks failed, if they did. */
export async function waitProgress(
  stack: Stack,
  id: string,
  ok: (p: CampaignProgress) => boolean,
  timeoutMs: number,
  what: string,
): Promise<CampaignProgress> {
  try {
    return await eventually(
      async () => {
        const p = await progress(stack, id);
        return ok(p) ? p : undefined;
      },
      timeoutMs,
      what,
    );
  } catch (err) {
    await keepHistory(stack, id).catch(() => undefined);
    const failure = await lastTaskFailure(stack, id).catch(() => undefined);
    throw failure ? new Error(`${String(err)}; the campaign's last workflow task failed: ${failure}`) : err;
  }
}

/** Each run of a campaign's workflow, first to last: its run id, history and input (unencrypted stacks). */
export async function campaignRuns(
  stack: Stack,
  id: string,
): Promise<Array<{ runId: string; history: temporal.api.history.v1.IHistory; input: CampaignInput }>> {
  const runs: Array<{ runId: string; history: temporal.api.history.v1.IHistory; input: CampaignInput }> = [];
  // Backwards from the latest run: each run's start names the run it continued.
  let runId: string | undefined = (await stack.client.workflow.getHandle(id).describe()).runId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await stack.client.workflow.getHandle(id, runId).fetchHistory();
    const started: temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes | null | undefined =
      history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const payload = started?.input?.payloads?.[0];
    if (!started || !payload) throw new Error(`run ${runId} of ${id} has no input`);
    runs.unshift({ runId, history, input: defaultPayloadConverter.fromPayload<CampaignInput>(payload) });
    runId = started.continuedExecutionRunId || undefined;
  }
  return runs;
}

/** Writes the campaign's history to $KURIR_FAILED_HISTORY_DIR, when set, to replay a failure later. */
async function keepHistory(stack: Stack, id: string): Promise<void> {
  const dir = process.env.KURIR_FAILED_HISTORY_DIR;
  if (!dir) return;
  const history = await stack.client.workflow.getHandle(id).fetchHistory();
  writeFileSync(join(dir, `${id}-${Date.now()}.json`), JSON.stringify(history));
}

/** The message of the newest WorkflowTaskFailed event (e.g. a TMPRL1100 nondeterminism), if any. */
async function lastTaskFailure(stack: Stack, id: string): Promise<string | undefined> {
  const events = (await stack.client.workflow.getHandle(id).fetchHistory()).events ?? [];
  const failed = events.filter((e) => e.workflowTaskFailedEventAttributes).at(-1);
  return failed ? (failed.workflowTaskFailedEventAttributes?.failure?.message ?? 'no message') : undefined;
}

/**
 * Numbers a provider received more than one send request for. A repeat is explained by a worker
 * kill when every request but the last was in flight at a kill and its answer's message id never
 * reached provider_messages: the worker died between the provider's answer and that row, so the
 * retried activity could not know the message was out (README, Known limits). A repeat after a
 * recorded answer, or with no kill before it, is unexplained: a real double send.
 */
export async function repeatedSends(
  stack: Stack,
  provider: string,
  kills: number[],
): Promise<{ explained: string[]; unexplained: string[] }> {
  const byNumber = new Map<string, Array<{ at: number; answer: string }>>();
  for (const r of sendRequests(stack.sandboxes, provider)) {
    const d = digitsOf(r.recipient);
    byNumber.set(d, [...(byNumber.get(d) ?? []), { at: Date.parse(r.at), answer: r.answer }]);
  }
  const res = await stack.pool.query<{ provider_message_id: string }>(
    'SELECT provider_message_id FROM provider_messages WHERE provider = $1',
    [provider],
  );
  const recorded = new Set(res.rows.map((r) => r.provider_message_id));
  const isRecorded = (answer: string) => (answer.match(/[\w-]{4,}/g) ?? []).some((token) => recorded.has(token));
  const lastKill = Math.max(...kills);
  // In flight at a kill: answered at most 10 s before it (recording an answer takes milliseconds;
  // 10 s is generous for a loaded machine), or up to a second after it, since the sandbox logs a
  // request once answered, in this (busy) test process, and a respawned worker cannot send within
  // a second (node, tsx and the workflow bundle take longer).
  const atAKill = (at: number) => kills.some((k) => at >= k - 10_000 && at <= k + 1_000);
  const explained: string[] = [];
  const unexplained: string[] = [];
  for (const [number, sends] of byNumber) {
    if (sends.length < 2) continue;
    const earlier = sends.sort((a, b) => a.at - b.at).slice(0, -1);
    const killWindow = earlier.every((s) => atAKill(s.at) && !isRecorded(s.answer));
    const detail = sends
      .map((s) => `${s.at - lastKill} ms from the last kill, ${isRecorded(s.answer) ? 'recorded' : 'not recorded'}`)
      .join('; ');
    (killWindow ? explained : unexplained).push(`${number}: ${sends.length} (${detail})`);
  }
  return { explained, unexplained };
}
