// The events of a campaign: progress, throttled (at most one per 5 s of workflow time, or when
// another tenth of the recipients has finished), and completion.
import { EventOutbox } from './event-outbox.js';
import type { CampaignProgress } from './campaign-types.js';

const MIN_INTERVAL_MS = 5_000;

export class CampaignEvents {
  private readonly outbox = EventOutbox.create();
  private lastAt = 0;
  private lastTenth = 0;

  constructor(private readonly campaignId: string) {}

  private body(p: CampaignProgress) {
    return { state: p.state, total: p.total, pending: p.pending, counts: p.counts, fallbackUsed: p.fallbackUsed, byProvider: p.byProvider };
  }

  progress(p: CampaignProgress): void {
    const finished = p.total - p.pending;
    const tenth = p.total > 0 ? Math.floor((finished * 10) / p.total) : 0;
    const now = Date.now();
    if (now - this.lastAt < MIN_INTERVAL_MS && tenth === this.lastTenth) return;
    this.lastAt = now;
    this.lastTenth = tenth;
    this.outbox.push({
      id: `${this.campaignId}:progress:${finished}`, type: 'campaign.progress', campaignId: this.campaignId, occurredAt: new Date(now).toISOString(),
      data: { finished, ...this.body(p) },
    });
  }

  completed(p: CampaignProgress): void {
    this.outbox.push({ id: `${this.campaignId}:completed`, type: 'campaign.completed', campaignId: this.campaignId, occurredAt: new Date().toISOString(), data: this.body(p) });
  }

  drained(): Promise<void> { return this.outbox.drained(); }
}
