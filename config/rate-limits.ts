// Per-provider send caps: PROVIDER_RATE_LIMITS="wappin=80,nusasms=20" (messages per second).
// Providers not named keep the default; the worker sets each cap on the provider's task queue.
import { z } from 'zod';
import { PROVIDER_NAMES, type ProviderName } from '../providers/types.js';

export const DEFAULT_RATE_LIMIT = 80;

export const rateLimitsSchema = z.string().transform((value, ctx) => {
  const limits = Object.fromEntries(PROVIDER_NAMES.map((p) => [p, DEFAULT_RATE_LIMIT])) as Record<ProviderName, number>;
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, raw] = part.split('=').map((s) => s.trim());
    const rate = Number(raw);
    if (!PROVIDER_NAMES.includes(name as ProviderName)) {
      ctx.addIssue({ code: 'custom', message: `unknown provider "${name}" (one of ${PROVIDER_NAMES.join(', ')})` });
    } else if (!Number.isFinite(rate) || rate <= 0 || rate > 10_000) {
      ctx.addIssue({ code: 'custom', message: `${name}: "${raw ?? ''}" is not a rate between 0 and 10000 messages per second` });
    } else {
      limits[name as ProviderName] = rate;
    }
  }
  return limits;
});
