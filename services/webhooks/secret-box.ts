// Webhook signing secrets: generated once (shown once, at creation), kept encrypted at rest with
// AES-256-GCM so a database dump alone cannot forge webhooks. The key comes from WEBHOOK_SECRET_KEY.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const keyFrom = (material: string) => createHash('sha256').update(`kurir-webhook-secrets:${material}`).digest();

export function sealSecret(material: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(material), iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `v1.${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${sealed.toString('base64')}`;
}

export function openSecret(material: string, stored: string): string {
  const [version, iv, tag, sealed] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || !sealed) throw new Error('webhook secret: unknown storage format');
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(material), Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
}
