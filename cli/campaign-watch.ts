// Following a campaign until it ends: a live bar (cli-progress) in a terminal, plain progress
// lines when stdout is not a TTY (pipes, CI, logs), nothing but the final document with --json.
// Fed by the workflow's `progress` query; it ends when the workflow returns its result.
import { Presets, SingleBar } from 'cli-progress';
import type { CampaignHandle } from '../client/campaign.js';
import type { CampaignProgress } from '../workflows/campaign-types.js';

export type WatchMode = 'bar' | 'lines' | 'quiet';

const done = (p: CampaignProgress) => p.total - p.pending;

/** `12/300 (4%) running  read 10 delivered 0 sent 0 fell_back 2 failed 0 invalid_number 0` */
export function progressLine(p: CampaignProgress): string {
  const pct = p.total ? Math.floor((done(p) / p.total) * 100) : 100;
  const counts = (
    ['read', 'delivered', 'sent', 'fell_back', 'failed', 'invalid_number', 'canceled', 'not_sent'] as const
  )
    .map((s) => `${s} ${p.counts[s]}`)
    .join(' ');
  return `${p.campaignId}  ${done(p)}/${p.total} (${pct}%)  ${p.state}  in flight ${p.inFlight}${p.held ? `  held ${p.held}` : ''}  ${counts}`;
}

/** Polls progress every `intervalMs` until the campaign's result arrives; returns that result. */
export async function watchCampaign(
  handle: CampaignHandle,
  mode: WatchMode,
  intervalMs: number,
): Promise<CampaignProgress> {
  let final: CampaignProgress | undefined;
  let failure: unknown;
  const ended = handle.result().then(
    (r) => {
      final = r;
    },
    (err: unknown) => {
      failure = err ?? new Error('campaign failed');
    },
  );
  const bar =
    mode === 'bar'
      ? new SingleBar(
          {
            stream: process.stdout,
            hideCursor: true,
            format: '{bar} {percentage}% | {value}/{total} | {state} | fell back {fellBack} | failed {failed}',
          },
          Presets.shades_classic,
        )
      : undefined;
  let lastLine = '';
  let lastPrinted = 0;
  const show = (p: CampaignProgress) => {
    const payload = { state: p.state, fellBack: p.counts.fell_back, failed: p.counts.failed + p.counts.invalid_number };
    if (bar) {
      if (!bar.isActive) bar.start(p.total, done(p), payload);
      bar.setTotal(p.total);
      bar.update(done(p), payload);
    } else if (mode === 'lines') {
      // A line when something changed, and at least every 10 s so a log shows it is alive.
      const line = progressLine(p);
      if (line !== lastLine || Date.now() - lastPrinted > 10_000) process.stdout.write(`${line}\n`);
      lastLine = line;
      lastPrinted = Date.now();
    }
  };
  try {
    while (final === undefined && failure === undefined) {
      // A query can fail while a run continues as new or no worker answers: the next poll retries.
      const p = await handle.progress().catch(() => undefined);
      // total 0: the workflow has not loaded the campaign yet (an empty campaign never starts one).
      if (p && p.total > 0 && final === undefined) show(p);
      await Promise.race([ended, new Promise((r) => setTimeout(r, intervalMs))]);
    }
    if (failure !== undefined) throw failure;
    // The bar ends full; plain lines need no repeat, the caller prints the final summary.
    if (bar) show(final!);
    return final!;
  } finally {
    bar?.stop();
  }
}
