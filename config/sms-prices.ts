// SMS_PRICES: what one SMS part costs per provider, for the preview's estimate (POST
// /v1/messages/preview). `name=price` comma-separated, e.g. `sms-masking=350,wappin=400`, in
// SMS_PRICE_CURRENCY. A provider left out gets no cost in the preview.
import { z } from 'zod';
import type { ProviderList } from '../providers/registry.js';

export function smsPricesSchemaFor(providers: ProviderList) {
  const names = providers.map((p) => p.name);
  return z.string().transform((value, ctx) => {
    const prices: Record<string, number> = {};
    for (const part of value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [name, raw] = part.split('=').map((s) => s.trim());
      const price = Number(raw);
      if (!names.includes(name ?? ''))
        ctx.addIssue({ code: 'custom', message: `unknown provider "${name}" (one of ${names.join(', ')})` });
      else if (raw === undefined || raw === '' || !Number.isFinite(price) || price < 0)
        ctx.addIssue({ code: 'custom', message: `${name}: "${raw ?? ''}" is not a price (a number ≥ 0)` });
      else prices[name!] = price;
    }
    return prices;
  });
}
