// KURIR_ENCRYPTION_KEY: one or more `id:base64key` entries, comma-separated. The first entry
// encrypts; every entry decrypts, so rotating is "prepend a new key, keep the old ones until no
// history still needs them".
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A bad KURIR_ENCRYPTION_KEY. The message names the entry, never the key material. */
export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

export interface Keyring {
  /** The key id new payloads are encrypted with (the first entry). */
  currentId: string;
  current: Buffer;
  keys: ReadonlyMap<string, Buffer>;
}

export const KEY_FORMAT_HINT =
  'expected "<id>:<base64 of 32 bytes>[,<id>:<base64>…]", e.g. k1:$(node -e "console.log(crypto.randomBytes(32).toString(\'base64\'))")';

export function parseKeyring(spec: string): Keyring {
  const entries = spec
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new EncryptionKeyError(`no key given; ${KEY_FORMAT_HINT}`);
  const keys = new Map<string, Buffer>();
  const ids: string[] = [];
  entries.forEach((entry, i) => {
    const at = `entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new EncryptionKeyError(`${at} has no key id; ${KEY_FORMAT_HINT}`);
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) throw new EncryptionKeyError(`${at}: key id must be 1-64 letters, digits, ".", "_" or "-"`);
    if (keys.has(id)) throw new EncryptionKeyError(`${at}: key id "${id}" appears twice`);
    const key = BASE64.test(material)
      ? Buffer.from(material, material.includes('-') || material.includes('_') ? 'base64url' : 'base64')
      : undefined;
    if (!key || key.length !== 32) {
      throw new EncryptionKeyError(
        `key "${id}" must be base64 of exactly 32 random bytes (AES-256)${key ? `, got ${key.length} bytes` : ''}`,
      );
    }
    keys.set(id, key);
    ids.push(id);
  });
  const [currentId] = ids as [string];
  return { currentId, current: keys.get(currentId) as Buffer, keys };
}
