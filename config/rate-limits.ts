// Per-provider send caps: PROVIDER_RATE_LIMITS="wappin=80,nusasms=20" (messages per second).
// Providers not named keep their descriptor's default; the worker sets each cap on the provider's task queue.
import { z } from 'zod';
import { type ProviderList, type ProviderName } from '../providers/registry.js';

export function rateLimitsSchemaFor(providers: ProviderList) {
  const names = providers.map((p) => p.name);
  return z.string().transform((value, ctx) => {
    // Typed by the registered names; a test list adds its own at run time.
    const limits = Object.fromEntries(providers.map((p) => [p.name, p.sendQueue.defaultRatePerSecond])) as Record<
      ProviderName,
      number
    >;
    for (const part of value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [name, raw] = part.split('=').map((s) => s.trim());
      const rate = Number(raw);
      if (!names.includes(name ?? '')) {
        ctx.addIssue({ code: 'custom', message: `unknown provider "${name}" (one of ${names.join(', ')})` });
      } else if (!Number.isFinite(rate) || rate <= 0 || rate > 10_000) {
        ctx.addIssue({
          code: 'custom',
          message: `${name}: "${raw ?? ''}" is not a rate between 0 and 10000 messages per second`,
        });
      } else {
        limits[name as ProviderName] = rate;
      }
    }
    return limits;
  });
}
