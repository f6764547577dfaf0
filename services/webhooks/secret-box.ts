// Webhook signing secrets: generated once (shown once, at creation or rotation), kept encrypted at
// rest with AES-256-GCM so a database dump alone cannot forge webhooks. WEBHOOK_SECRET_KEY is a
// keyring, "new,old": secrets are sealed with the first key and opened with whichever key sealed
// them (its id is in the stored value), so the key can be rotated without bricking subscriptions.
// The subscription id is the additional data: a sealed secret moved to another row does not open.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { secretList } from '../../providers/env.js';

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const FORMAT = 'v2';

interface Key {
  id: string;
  key: Buffer;
}

/** HKDF, not a password hash: production requires 32+ bytes of key material (config/production-secrets.ts). */
function deriveKey(material: string): Key {
  const key = Buffer.from(hkdfSync('sha256', material, 'kurir-webhook-secrets', FORMAT, 32));
  // The id names the key without revealing it: 8 hex characters of the derived key's hash.
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

export class SecretBox {
  private readonly keys: Key[];

  /** `keyring`: WEBHOOK_SECRET_KEY, comma-separated, the current key first. */
  constructor(keyring: string) {
    this.keys = secretList(keyring).map(deriveKey);
    if (this.keys.length === 0) throw new Error('WEBHOOK_SECRET_KEY: no key');
  }

  seal(secret: string, subscriptionId: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(subscriptionId));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [FORMAT, id, iv, cipher.getAuthTag(), sealed]
      .map((p) => (Buffer.isBuffer(p) ? p.toString('base64') : p))
      .join('.');
  }

  open(stored: string, subscriptionId: string): string {
    const [format, id, iv, tag, sealed] = stored.split('.');
    if (format !== FORMAT || !id || !iv || !tag || !sealed) throw new Error('webhook secret: unknown storage format');
    const key = this.keys.find((k) => k.id === id);
    if (!key) throw new Error(`webhook secret: sealed with key ${id}, which WEBHOOK_SECRET_KEY no longer holds`);
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64')).setAAD(aad(subscriptionId));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
  }

  /** True when `stored` was sealed with the current key (otherwise reseal it before dropping the old key). */
  isCurrent(stored: string): boolean {
    return stored.split('.')[1] === this.keys[0]!.id;
  }
}

const aad = (subscriptionId: string) => Buffer.from(`webhook-subscription:${subscriptionId}`, 'utf8');
