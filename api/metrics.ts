// Prometheus metrics of the API process, served at GET /metrics (no API key, like /healthz).
// Callback ingest and relay lag are measured where they happen (one-line hooks in the callback
// route and the relay); workflow outcomes are read from Temporal at scrape time by
// outcome-collector.ts, so workflows stay free of metrics code. The route is routes/metrics.ts.
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ParsedCallback } from '../providers/types.js';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export const callbacksReceived = new Counter({
  name: 'kurir_callbacks_received_total', help: 'Provider callbacks stored in callback_inbox', labelNames: ['provider'], registers: [metricsRegistry],
});
export const callbackIngestLag = new Histogram({
  name: 'kurir_callback_ingest_lag_seconds', help: "Time from the provider's event time to storage (0 when the provider gives no time)",
  labelNames: ['provider'], buckets: LAG_BUCKETS, registers: [metricsRegistry],
});
export const relayLag = new Histogram({
  name: 'kurir_relay_lag_seconds', help: 'Time from a callback being stored to its signal (relayed_at - received_at)',
  buckets: LAG_BUCKETS, registers: [metricsRegistry],
});
export const messagesCompleted = new Counter({
  name: 'kurir_messages_completed_total', help: 'Message workflows closed, by outcome and the provider/channel of the deciding attempt',
  labelNames: ['outcome', 'provider', 'channel'], registers: [metricsRegistry],
});
export const fallbacksTaken = new Counter({
  name: 'kurir_fallbacks_total', help: 'Fallbacks to a next step in closed message workflows, by reason', labelNames: ['reason'], registers: [metricsRegistry],
});
export const otpOutcomes = new Counter({
  name: 'kurir_otp_outcomes_total', help: 'OTP workflows closed, by final status', labelNames: ['status'], registers: [metricsRegistry],
});

/** Hook of the callback route, after the callback is stored. */
export function observeCallbackStored(provider: string, parsed: ParsedCallback, now = Date.now()): void {
  callbacksReceived.inc({ provider });
  const times = parsed.kind === 'status' ? parsed.events.map((e) => e.occurredAt) : parsed.messages.map((m) => m.receivedAt);
  // Clock skew can put a provider's time in our future: that is no lag, not a negative one.
  for (const t of times.length ? times : [undefined]) {
    const ms = t instanceof Date && !Number.isNaN(t.getTime()) ? now - t.getTime() : 0;
    callbackIngestLag.observe({ provider }, Math.max(0, ms) / 1000);
  }
}

/**
 * Hook of the relay, after a batch is committed, with each row's seconds from receipt to relay as
 * the database computed them (one clock, right for any number of API replicas).
 */
export function observeRelayed(lagsSec: number[]): void {
  for (const lag of lagsSec) relayLag.observe(Math.max(0, lag));
}
