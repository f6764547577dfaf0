// Address allow-lists (CALLBACK_IP_ALLOWLIST, TRUST_PROXY): single addresses and CIDRs, IPv4 and
// IPv6, checked with node:net's BlockList. It lives in lib/ so config/ can validate the variables at
// start and api/ can use them (api/ip-allowlist.ts). A dual-stack socket reports an IPv4 client as
// ::ffff:a.b.c.d; that address matches the IPv4 rules, and a mapped entry is read as its IPv4 form.
import { BlockList, isIP } from 'node:net';

export interface IpAllowlist {
  /** True when the address (IPv4, IPv6 or IPv4-mapped IPv6) matches an entry. */
  allows(ip: string): boolean;
}

/** Every entry that is neither an address nor a CIDR, quoted in the message. */
export class IpAllowlistError extends Error {
  constructor(readonly entries: string[]) {
    super(
      `not an IP address or CIDR (e.g. 203.0.113.7, 10.0.0.0/8, 2001:db8::/32): ${entries.map((e) => `"${e}"`).join(', ')}`,
    );
    this.name = 'IpAllowlistError';
  }
}

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The IPv4 address a mapped IPv6 address carries, else the address as given. */
function unmapped(ip: string): { address: string; mapped: boolean } {
  const m = MAPPED_V4.exec(ip);
  return m ? { address: m[1]!, mapped: true } : { address: ip, mapped: false };
}

/** Adds one entry; false when it is not an address or CIDR. */
function add(list: BlockList, entry: string): boolean {
  const slash = entry.indexOf('/');
  const { address, mapped } = unmapped(slash === -1 ? entry : entry.slice(0, slash));
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const text = slash === -1 ? undefined : entry.slice(slash + 1);
  if (text !== undefined && !/^\d{1,3}$/.test(text)) return false;
  // ::ffff:10.0.0.0/104 is 10.0.0.0/8.
  const prefix = text === undefined ? undefined : Number(text) - (mapped ? 96 : 0);
  if (prefix !== undefined && (prefix < 0 || prefix > (family === 4 ? 32 : 128))) return false;
  try {
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
    return true;
  } catch {
    // What isIP accepts but BlockList does not (a zone id such as fe80::1%eth0).
    return false;
  }
}

/**
 * Parses a comma- (or space-) separated list. Unset or blank → undefined (no restriction);
 * a malformed entry → IpAllowlistError naming every bad entry.
 */
export function parseIpAllowlist(text: string | undefined): IpAllowlist | undefined {
  const entries = (text ?? '').split(/[\s,]+/).filter(Boolean);
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  const bad = entries.filter((entry) => !add(list, entry));
  if (bad.length) throw new IpAllowlistError(bad);
  return {
    allows(ip) {
      const { address } = unmapped(ip.trim());
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
