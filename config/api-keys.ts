// KURIR_API_KEYS: comma-separated entries, each `name:key`, `name[scope+scope]:key` or a bare key.
// The name says in logs which key acted (never the key itself); a bare key is named by its
// position (key-1, key-2, …). A key without scopes may call everything; with scopes, only those
// routes (api/auth.ts maps routes to scopes), so a CRM sending messages cannot manage webhooks or
// decrypt Temporal payloads.
export const API_SCOPES = [
  'messages', // POST/GET /v1/messages, GET /v1/inbound
  'otp', // /v1/otp
  'campaigns', // /v1/campaigns
  'events', // GET /v1/events (every event type)
  'webhooks', // /v1/webhooks, /v1/callbacks/dead
  'dashboard', // /v1/ui/* (the dashboard's reads)
  'codec', // POST /codec/decode (the Temporal UI)
  'codec-encode', // POST /codec/encode (the temporal CLI sending encrypted inputs)
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiKey {
  name: string;
  key: string;
  /** Undefined: every scope. */
  scopes?: ReadonlySet<ApiScope>;
}

const NAMED = /^([A-Za-z0-9_.-]{1,64})(?:\[([^\]]*)\])?:(.+)$/;

export class ApiKeyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyFormatError';
  }
}

function parseScopes(name: string, list: string): ReadonlySet<ApiScope> {
  const scopes = list
    .split('+')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || scopes.length === 0)
    throw new ApiKeyFormatError(
      `key "${name}": scopes must be one or more of ${API_SCOPES.join(', ')} joined by "+" (got "${list}")`,
    );
  return new Set(scopes as ApiScope[]);
}

export function parseApiKeys(value: string): ApiKey[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry, i) => {
    const m = NAMED.exec(entry);
    if (!m) return { name: `key-${i + 1}`, key: entry };
    return { name: m[1]!, key: m[3]!, ...(m[2] === undefined ? {} : { scopes: parseScopes(m[1]!, m[2]) }) };
  });
}
