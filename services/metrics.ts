// The API process's Prometheus registry (served at GET /metrics by api/routes/metrics.ts) and
// the metrics of the background services: relay lag, measured by the relay as it commits, and
// workflow outcomes, read from Temporal at scrape time by outcome-collector.ts so workflows stay
// free of metrics code. Callback ingest metrics are the HTTP side's (api/metrics.ts).
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

const relayLag = new Histogram({
  name: 'kurir_relay_lag_seconds',
  help: 'Time from a callback being stored to its signal (relayed_at - received_at)',
  buckets: LAG_BUCKETS,
  registers: [metricsRegistry],
});
export const messagesCompleted = new Counter({
  name: 'kurir_messages_completed_total',
  help: 'Message workflows closed, by outcome and the provider/channel of the deciding attempt',
  labelNames: ['outcome', 'provider', 'channel'],
  registers: [metricsRegistry],
});
export const fallbacksTaken = new Counter({
  name: 'kurir_fallbacks_total',
  help: 'Fallbacks to a next step in closed message workflows, by reason',
  labelNames: ['reason'],
  registers: [metricsRegistry],
});
/**
 * Status lookups whose answer the client could not read (NusaSMS `DR` is undocumented): each one
 * is also a thrown, logged error, never an empty "no news" answer.
 */
const lookupUnparsed = new Counter({
  name: 'kurir_provider_lookup_unparsed_total',
  help: 'Provider status lookups answered in a shape the client cannot read, by provider',
  labelNames: ['provider'],
  registers: [metricsRegistry],
});
/** The provider-registry hook (createProviderRegistry's hooks) for processes serving this registry. */
export const countingUnparsedLookups = {
  onLookupUnparsed: (provider: string) => lookupUnparsed.inc({ provider }),
};
export const otpBlocked = new Counter({
  name: 'kurir_otp_blocked_total',
  help: 'OTP starts the guard refused (nothing sent), by reason and country',
  labelNames: ['reason', 'country'],
  registers: [metricsRegistry],
});
export const otpOutcomes = new Counter({
  name: 'kurir_otp_outcomes_total',
  help: 'OTP workflows closed, by final status',
  labelNames: ['status'],
  registers: [metricsRegistry],
});

/**
 * Hook of the relay, after a batch is committed, with each row's seconds from receipt to relay as
 * the database computed them (one clock, right for any number of API replicas).
 */
export function observeRelayed(lagsSec: number[]): void {
  for (const lag of lagsSec) relayLag.observe(Math.max(0, lag));
}
