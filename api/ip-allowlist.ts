// The API's address allow-lists: CALLBACK_IP_ALLOWLIST (callback routes) and TRUST_PROXY (which
// peers' X-Forwarded-For is believed, api/build.ts). The parser is in lib/ so config/schema.ts can
// refuse a malformed entry at start with the same rules.
export { IpAllowlistError, parseIpAllowlist, type IpAllowlist } from '../lib/ip-allowlist.js';
