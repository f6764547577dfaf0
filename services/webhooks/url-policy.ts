// Which webhook endpoints are allowed: http(s) only, https in production, and no loopback,
// private, link-local or otherwise internal address (the name is resolved) unless configured.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const internal = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) internal.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) internal.addSubnet(net, prefix, 'ipv6');

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

export async function checkWebhookUrl(raw: string, opts: { production: boolean; allowPrivate: boolean }): Promise<URL> {
  let url: URL;
  try { url = new URL(raw); } catch { throw bad('is not a URL'); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('must be an http(s) URL');
  if (opts.production && url.protocol !== 'https:') throw bad('must use https in production');
  if (url.username || url.password) throw bad('must not carry credentials');
  if (opts.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw bad(`host ${host} does not resolve`);
  }
  if (addresses.some(isInternalAddress)) throw bad(`${host} is a loopback or private address (set WEBHOOK_ALLOW_PRIVATE=true to allow)`);
  return url;
}
