// Maps the database clock onto this process's monotonic clock, for the send pacer. A reservation
// reads the database clock somewhere within its round trip, so one answer places a slot only to
// within that round trip, and under load round trips take tens of milliseconds: the pacer counted
// all of it as lateness and gave most slots up. As NTP does, each round trip bounds the offset
// between the clocks from both sides; the tightest bounds of recent round trips place a slot to
// within the fastest of them (well under a millisecond on a quiet connection).

/** Bounds older than this are dropped: two machines' clocks drift apart by some parts per million. */
const KEEP_MS = 30_000;

interface Bounds {
  /** The offset (database epoch ms minus performance.now()) is at least this… */
  lo: number;
  /** …and at most this. */
  hi: number;
  at: number;
}

export class DbClock {
  private samples: Bounds[] = [];

  /** Records one round trip: sent and answered in performance.now(), the database's clock in between. */
  observe(sentAt: number, answeredAt: number, dbNowMs: number): void {
    const sample = { lo: dbNowMs - answeredAt, hi: dbNowMs - sentAt, at: answeredAt };
    this.samples = this.samples.filter((s) => answeredAt - s.at <= KEEP_MS);
    this.samples.push(sample);
    // Bounds that no longer overlap (a clock was stepped): start again from this round trip.
    if (this.bounds().lo > this.bounds().hi) this.samples = [sample];
  }

  /**
   * Where a database time falls on performance.now(): the latest it can be (a send timed by it is
   * never early) and how much earlier it may really be.
   */
  toLocal(dbMs: number): { at: number; uncertainMs: number } {
    const { lo, hi } = this.bounds();
    return { at: dbMs - lo, uncertainMs: hi - lo };
  }

  private bounds(): { lo: number; hi: number } {
    let lo = -Infinity;
    let hi = Infinity;
    for (const s of this.samples) {
      lo = Math.max(lo, s.lo);
      hi = Math.min(hi, s.hi);
    }
    return { lo, hi };
  }
}
