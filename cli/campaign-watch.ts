// Following a campaign until it ends: a live bar (cli-progress) in a terminal, plain progress
// lines when stdout is not a TTY (pipes, CI, logs), nothing but the final document with --json.
// Fed by GET /v1/campaigns/:id; it ends when the campaign reaches a final state.
import { Presets, SingleBar } from 'cli-progress';
import type { CampaignState } from '../domain/campaign-progress.js';
import type { CampaignProgress } from '../workflows/campaign-types.js';

export type WatchMode = 'bar' | 'lines' | 'quiet';

/** The API's progress: the query's, or the database's (`failed` when the import failed). */
export type Progress = Omit<CampaignProgress, 'state'> & { state: CampaignState; failureReason?: string };

const FINAL: ReadonlySet<CampaignState> = new Set(['completed', 'canceled', 'failed']);
const done = (p: Progress) => p.total - p.pending;

/** `12/300 (4%) running  read 10 delivered 0 sent 0 fell_back 2 failed 0 invalid_number 0` */
export function progressLine(p: Progress): string {
  const pct = p.total ? Math.floor((done(p) / p.total) * 100) : 100;
  const counts = (
    ['read', 'delivered', 'sent', 'fell_back', 'failed', 'invalid_number', 'canceled', 'not_sent'] as const
  )
    .map((s) => `${s} ${p.counts[s]}`)
    .join(' ');
  return `${p.campaignId}  ${done(p)}/${p.total} (${pct}%)  ${p.state}  in flight ${p.inFlight}${p.held ? `  held ${p.held}` : ''}  ${counts}`;
}

/** Polls `poll` every `intervalMs` until the campaign is completed, canceled or failed; returns that progress. */
export async function watchCampaign(
  poll: () => Promise<Progress>,
  mode: WatchMode,
  intervalMs: number,
): Promise<Progress> {
  const bar =
    mode === 'bar'
      ? new SingleBar(
          {
            stream: process.stdout,
            hideCursor: true,
            format: 'campaign {bar} {percentage}% | {value}/{total} | {state} | fell back {fellBack} | failed {failed}',
          },
          Presets.shades_classic,
        )
      : undefined;
  let lastLine = '';
  let lastPrinted = 0;
  const show = (p: Progress) => {
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
    for (;;) {
      const p = await poll();
      // Final: the bar ends full; plain lines need no repeat, the caller prints the final summary.
      if (FINAL.has(p.state)) {
        if (bar && p.total > 0) show(p);
        return p;
      }
      // total 0: the workflow has not loaded the campaign yet.
      if (p.total > 0) show(p);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    bar?.stop();
  }
}
