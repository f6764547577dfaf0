// Address variables: CALLBACK_IP_ALLOWLIST and TRUST_PROXY (security review L2). Both are checked
// at start with the parser the API uses (lib/ip-allowlist.ts), so a typo fails the start instead of
// letting every callback through or trusting nobody.
import { z } from 'zod';
import { IpAllowlistError, parseIpAllowlist } from '../lib/ip-allowlist.js';

function checkEntries(text: string, ctx: z.RefinementCtx): void {
  try {
    parseIpAllowlist(text);
  } catch (err) {
    if (!(err instanceof IpAllowlistError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
  }
}

/** Addresses and CIDRs, comma-separated; unset: no restriction. Kept as text: the API parses it. */
export const ipAllowlistVar = z.string().superRefine(checkEntries).optional();

/**
 * Which peers may set X-Forwarded-For (Fastify `trustProxy`): `false` (default: req.ip is the
 * socket's peer), `true` (any peer: only when nothing reaches the API except through the proxy), or
 * the proxies' addresses/CIDRs. A hop count is refused: Fastify 5 ignores it, since a count cannot
 * tell a proxy from a client that sends the header itself.
 */
export const trustProxyVar = z
  .string()
  .default('false')
  .transform((raw, ctx): boolean | string[] => {
    const v = raw.trim();
    if (v === 'false') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) {
      ctx.addIssue({
        code: 'custom',
        message: "a hop count is not supported (Fastify ignores it); list the proxies' addresses or CIDRs, or true",
      });
      return z.NEVER;
    }
    checkEntries(v, ctx);
    return v.split(/[\s,]+/).filter(Boolean);
  });
