// `?window=24h` of the figures routes (GET /v1/stats, GET /v1/otp-guard/stats): a duration up to
// a bound, named in the 400 when it is not one.
import { z } from 'zod';
import { parseDurationMs } from '../../domain/durations.js';

export function windowParam(maxMs: number, maxText: string) {
  return z
    .string()
    .default('24h')
    .refine((w) => {
      const ms = parseDurationMs(w);
      return ms !== undefined && ms > 0 && ms <= maxMs;
    }, `must be a duration up to ${maxText}, e.g. 1h, 24h, 7d`);
}
