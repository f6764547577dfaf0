// Gauges read from PostgreSQL at scrape time: provider circuits, and the OTP guard's (issue #20) over the last hour, codes
// sent and OTPs verified per country and channel, and conversion per channel. Gauges, not
// counters: every API process reads the same shared figures, so any replica's scrape is right.
// Refusals are a counter (kurir_otp_blocked_total, services/metrics.ts), counted where they happen.
import { Gauge } from 'prom-client';
import type { Pool } from '../db/pool.js';
import { listCircuits } from '../db/circuits.js';
import { byChannel, otpStats } from '../db/otp-stats.js';
import { metricsRegistry } from './metrics.js';

const WINDOW_MS = 3_600_000;

const sent = new Gauge({
  name: 'kurir_otp_sent_last_hour',
  help: 'OTP codes sent in the last hour (by the starts the guard admitted), by country and channel',
  labelNames: ['country', 'channel'],
  registers: [metricsRegistry],
});
const verified = new Gauge({
  name: 'kurir_otp_verified_last_hour',
  help: 'OTPs started in the last hour and verified, by country and the channel of their last code',
  labelNames: ['country', 'channel'],
  registers: [metricsRegistry],
});
const conversion = new Gauge({
  name: 'kurir_otp_conversion_last_hour',
  help: 'Verified / OTPs started in the last hour, by the channel of their last code',
  labelNames: ['channel'],
  registers: [metricsRegistry],
});

const circuitOpen = new Gauge({
  name: 'kurir_provider_circuit_state',
  help: "Each provider's circuit breaker: 0 closed, 1 half-open (probing), 2 open (steps go to their alternatives)",
  labelNames: ['provider'],
  registers: [metricsRegistry],
});
const STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/** Sets the circuit gauge from provider_circuits (db/circuits.ts). */
export async function refreshCircuitGauge(pool: Pool): Promise<void> {
  circuitOpen.reset();
  for (const c of await listCircuits(pool)) circuitOpen.set({ provider: c.provider }, STATE_VALUE[c.state]);
}

/** Sets the gauges from the database; a channel or country gone quiet drops out. */
export async function refreshOtpGauges(pool: Pool): Promise<void> {
  const stats = await otpStats(pool, WINDOW_MS);
  sent.reset();
  verified.reset();
  conversion.reset();
  for (const r of stats.conversion) {
    sent.set({ country: r.country, channel: r.channel }, r.sent);
    verified.set({ country: r.country, channel: r.channel }, r.verified);
  }
  for (const c of byChannel(stats.conversion))
    if (c.otps > 0) conversion.set({ channel: c.channel }, c.verified / c.otps);
}
