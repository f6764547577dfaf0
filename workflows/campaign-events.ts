// The events of a campaign: progress, throttled (at most one per 5 s of workflow time, or when
// another tenth of the recipients has finished), and completion. They are not written by an
// activity of their own: they ride on the campaign's outcome and finish activities, stored in
// the same transaction as the counters they describe. (A local-activity flusher here raced child
// completions and failed replay after a worker restart with TMPRL1100.)
import type { KurirEventInput } from './event-types.js';
import type { CampaignProgress } from './campaign-types.js';

const MIN_INTERVAL_MS = 5_000;

export class CampaignEvents {
  private readonly pending: KurirEventInput[] = [];
  private lastAt = 0;
  private lastTenth = 0;

  constructor(private readonly campaignId: string) {}

  private body(p: CampaignProgress) {
    return {
      state: p.state,
      total: p.total,
      pending: p.pending,
      counts: p.counts,
      fallbackUsed: p.fallbackUsed,
      byProvider: p.byProvider,
    };
  }

  progress(p: CampaignProgress): void {
    const finished = p.total - p.pending;
    const tenth = p.total > 0 ? Math.floor((finished * 10) / p.total) : 0;
    const now = Date.now();
    if (now - this.lastAt < MIN_INTERVAL_MS && tenth === this.lastTenth) return;
    this.lastAt = now;
    this.lastTenth = tenth;
    this.pending.push({
      id: `${this.campaignId}:progress:${finished}`,
      type: 'campaign.progress',
      campaignId: this.campaignId,
      occurredAt: new Date(now).toISOString(),
      data: { finished, ...this.body(p) },
    });
  }

  hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** The events to store with the next outcome batch (and forgets them). */
  take(): KurirEventInput[] {
    return this.pending.splice(0);
  }

  /** Pending progress events and the completion event, to store with the campaign's final status. */
  completed(p: CampaignProgress): KurirEventInput[] {
    return [
      ...this.take(),
      {
        id: `${this.campaignId}:completed`,
        type: 'campaign.completed',
        campaignId: this.campaignId,
        occurredAt: new Date().toISOString(),
        data: this.body(p),
      },
    ];
  }
}
