// Standard Webhooks signatures (https://www.standardwebhooks.com): kurir signs every webhook with
// `webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`,
// where the key is the base64 part of the subscription's `whsec_…` secret. Receivers verify with
// verifyWebhookSignature (constant-time compare, timestamp tolerance against replays).
import { createHmac, timingSafeEqual } from 'node:crypto';

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

function keyOf(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  if (key.length < 16) throw new WebhookVerificationError('secret: expected whsec_<base64 key>');
  return key;
}

/** The value of the `webhook-signature` header for one delivery. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: Headers, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function')
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const v =
    (headers as Record<string, string | string[] | undefined>)[name] ??
    (headers as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a webhook from kurir: the raw body exactly as received, the request headers (a plain
 * object or a fetch Headers). Returns the parsed event; throws WebhookVerificationError otherwise.
 */
export function verifyWebhookSignature<T = unknown>(
  secret: string,
  headers: Headers,
  body: string | Buffer,
  opts: { toleranceSeconds?: number; now?: number } = {},
): T {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  const ts = Number(timestamp);
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (!Number.isInteger(ts) || Math.abs(now - ts) > (opts.toleranceSeconds ?? 300))
    throw new WebhookVerificationError('webhook-timestamp: outside the tolerance');
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const expected = Buffer.from(signWebhook(secret, id, ts, text).slice('v1,'.length), 'base64');
  // The header may carry several space-separated signatures (secret rotation): any v1 match counts.
  const ok = signatures.split(' ').some((s) => {
    const [version, value] = s.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new WebhookVerificationError('webhook-signature: no valid signature');
  return JSON.parse(text) as T;
}
