// KURIR_API_KEYS: comma-separated entries, each `name:key` or a bare key. The name says in logs
// which key acted (never the key itself); a bare key is named by its position (key-1, key-2, …).
export interface ApiKey {
  name: string;
  key: string;
}

const NAMED = /^([A-Za-z0-9_.-]{1,64}):(.+)$/;

export function parseApiKeys(value: string): ApiKey[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry, i) => {
    const m = NAMED.exec(entry);
    return m ? { name: m[1]!, key: m[2]! } : { name: `key-${i + 1}`, key: entry };
  });
}
