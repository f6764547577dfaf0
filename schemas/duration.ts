// Temporal-style durations validated at the edge (API, client, CLI).
import { z } from 'zod';
import { parseDurationMs } from '../domain/durations.js';

export { parseDurationMs };

export const durationSchema = z.string().refine((v) => {
  const ms = parseDurationMs(v);
  return ms !== undefined && ms > 0 && ms <= 366 * 86_400_000;
}, 'must be a duration such as "30 seconds", "2 hours" or "3 days" (at most a year)');
