// Which webhook endpoints are allowed: http(s) only, https in production, and no loopback,
// private, link-local or otherwise internal address (the name is resolved) unless configured.
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  internal.addSubnet(net, prefix, 'ipv4');
// NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16) and IPv4-compatible (::/96) addresses
// embed an IPv4 address that may be internal; 100::/64 is the discard prefix.
for (const [net, prefix] of [
  ['::', 96],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  ['100::', 64],
] as const)
  internal.addSubnet(net, prefix, 'ipv6');

export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return internal.check(mapped, 'ipv4');
  return internal.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** A URL the policy refuses; the API answers it as a 400 on the `url` field. */
export class WebhookUrlError extends Error {
  constructor(message: string) {
    super(`url: ${message}`);
    this.name = 'WebhookUrlError';
  }
}

const bad = (message: string) => new WebhookUrlError(message);

/** Resolves a name to every address (injectable: tests simulate a name that answers differently each time). */
export type ResolveAll = (host: string) => Promise<Array<{ address: string; family: number }>>;
export const resolveAll: ResolveAll = (host) => dnsLookup(host, { all: true });

/** The host resolved once and vetted: the connection must go to `address`, never resolve again. */
export interface VettedAddress {
  address: string;
  family: 4 | 6;
}

export async function resolveVetted(
  host: string,
  opts: { allowPrivate: boolean; resolve?: ResolveAll },
): Promise<VettedAddress> {
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await (opts.resolve ?? resolveAll)(host);
  } catch {
    throw bad(`host ${host} does not resolve`);
  }
  if (addresses.length === 0) throw bad(`host ${host} does not resolve`);
  if (!opts.allowPrivate && addresses.some((a) => isInternalAddress(a.address))) {
    throw bad(`${host} is a loopback or private address (set WEBHOOK_ALLOW_PRIVATE=true to allow)`);
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** The checks that need no DNS: scheme, https in production, no credentials. */
export function parseWebhookUrl(raw: string, opts: { production: boolean }): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('must be an http(s) URL');
  if (opts.production && url.protocol !== 'https:') throw bad('must use https in production');
  if (url.username || url.password) throw bad('must not carry credentials');
  return url;
}

export const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

export async function checkWebhookUrl(raw: string, opts: { production: boolean; allowPrivate: boolean }): Promise<URL> {
  const url = parseWebhookUrl(raw, opts);
  if (!opts.allowPrivate) await resolveVetted(hostOf(url), { allowPrivate: false });
  return url;
}
