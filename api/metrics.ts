// Prometheus metrics of callback ingest, measured where it happens (a one-line hook in the
// callback route). They share the process's registry with the background services' metrics
// (services/metrics.ts); the route serving them all is routes/metrics.ts.
import { Counter, Histogram } from 'prom-client';
import type { ParsedCallback } from '../providers/types.js';
import { LAG_BUCKETS, metricsRegistry } from '../services/metrics.js';

export const callbacksReceived = new Counter({
  name: 'kurir_callbacks_received_total',
  help: 'Provider callbacks stored in callback_inbox',
  labelNames: ['provider'],
  registers: [metricsRegistry],
});
export const callbacksUnmapped = new Counter({
  name: 'kurir_callback_unmapped_total',
  help: 'Stored callback statuses no mapping knows (kept as unmapped with their raw value; the status did not move)',
  labelNames: ['provider'],
  registers: [metricsRegistry],
});
export const callbackIngestLag = new Histogram({
  name: 'kurir_callback_ingest_lag_seconds',
  help: "Time from the provider's event time to storage (0 when the provider gives no time)",
  labelNames: ['provider'],
  buckets: LAG_BUCKETS,
  registers: [metricsRegistry],
});

/** Hook of the callback route, after the callback is stored. */
export function observeCallbackStored(provider: string, parsed: ParsedCallback, now = Date.now()): void {
  callbacksReceived.inc({ provider });
  const unmapped = parsed.kind === 'status' ? parsed.events.filter((e) => e.status === 'unmapped').length : 0;
  if (unmapped > 0) callbacksUnmapped.inc({ provider }, unmapped);
  const times =
    parsed.kind === 'status' ? parsed.events.map((e) => e.occurredAt) : parsed.messages.map((m) => m.receivedAt);
  // Clock skew can put a provider's time in our future: that is no lag, not a negative one.
  for (const t of times.length ? times : [undefined]) {
    const ms = t instanceof Date && !Number.isNaN(t.getTime()) ? now - t.getTime() : 0;
    callbackIngestLag.observe({ provider }, Math.max(0, ms) / 1000);
  }
}
