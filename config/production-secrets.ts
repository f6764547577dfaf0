// A deployment must not run on the secrets every clone of kurir knows. In production
// (NODE_ENV=production, or an API listening beyond loopback) each secret must be set, differ
// from its development default and be long enough, and Temporal payloads must be encrypted;
// otherwise the process refuses to start.
import { isIP } from 'node:net';
import { secretList } from '../providers/env.js';
import type { Env } from './schema.js';

/** The development defaults: fine on a laptop, refused in production. */
export const DEV_SECRETS = {
  KURIR_API_KEYS: 'dev-key',
  CALLBACK_TOKEN: 'dev-callback-token',
  WAPPIN_CALLBACK_TOKEN: 'dev-wappin-callback-token',
  ENGAGELAB_CALLBACK_SECRET: 'dev-engagelab-callback-secret',
  OTP_HMAC_KEY: 'dev-otp-hmac-key-change-me',
  RECIPIENT_HASH_KEY: 'dev-recipient-hash-key-change-me',
  WEBHOOK_SECRET_KEY: 'dev-webhook-secret-key-change-me',
} as const;

/** API keys and secrets need this many characters (bytes for secrets) in production. */
export const MIN_SECRET_LENGTH = 32;

type SecretName = keyof typeof DEV_SECRETS;

/** localhost, 127.0.0.0/8 or ::1 (a URL's [::1] too). */
export function isLoopback(host: string): boolean {
  if (host === '[::1]') return true;
  if (host === 'localhost') return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) return host === '::1';
  return false;
}

/** Production is NODE_ENV=production or a HOST that other machines can reach. */
export function isProduction(env: Pick<Env, 'NODE_ENV' | 'HOST'>): boolean {
  return env.NODE_ENV === 'production' || !isLoopback(env.HOST);
}

/** Callback secrets and the webhook keyring are rotation lists ("new,old"): each secret in them must be strong. */
const ROTATING: ReadonlySet<SecretName> = new Set([
  'CALLBACK_TOKEN',
  'WAPPIN_CALLBACK_TOKEN',
  'ENGAGELAB_CALLBACK_SECRET',
  'WEBHOOK_SECRET_KEY', // a keyring: services/webhooks/secret-box.ts
]);
const DEFAULTS: ReadonlySet<string> = new Set(Object.values(DEV_SECRETS));

function secretProblem(name: string, value: string): string | undefined {
  if (DEFAULTS.has(value)) return `${name}: set your own secret (the development default is public)`;
  if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_LENGTH) return `${name}: needs at least ${MIN_SECRET_LENGTH} bytes`;
  return undefined;
}

/**
 * Every secret that is a development default, empty or too short, or missing: one line each, no
 * values. `providerTokens` are the providers' own callback tokens (ITD_CALLBACK_TOKEN, …), checked
 * when set (unset, their routes use CALLBACK_TOKEN).
 */
export function weakSecrets(
  env: Pick<Env, SecretName | 'KURIR_ENCRYPTION_KEY'>,
  providerTokens: Record<string, string | undefined> = {},
): string[] {
  const problems: string[] = [];
  // Histories hold phone numbers and message texts: in production they are encrypted.
  if (!env.KURIR_ENCRYPTION_KEY)
    problems.push('KURIR_ENCRYPTION_KEY: required in production (payloads in Temporal history are encrypted)');
  const apiKeys = env.KURIR_API_KEYS.map((k) => k.key);
  if (apiKeys.length === 0 || apiKeys.includes(DEV_SECRETS.KURIR_API_KEYS)) {
    problems.push(`KURIR_API_KEYS: set your own keys (the development key "${DEV_SECRETS.KURIR_API_KEYS}" is public)`);
  } else if (apiKeys.some((k) => k.length < MIN_SECRET_LENGTH)) {
    problems.push(`KURIR_API_KEYS: every key needs at least ${MIN_SECRET_LENGTH} characters`);
  }
  const named: Array<[string, string[]]> = (Object.keys(DEV_SECRETS) as SecretName[])
    .filter((name) => name !== 'KURIR_API_KEYS')
    .map((name) => [name, ROTATING.has(name) ? secretList(env[name]) : [env[name]]]);
  for (const [name, value] of Object.entries(providerTokens))
    if (value !== undefined) named.push([name, secretList(value)]);
  for (const [name, values] of named) {
    const problem = values.length === 0 ? `${name}: is empty` : values.map((v) => secretProblem(name, v)).find(Boolean);
    if (problem) problems.push(problem);
  }
  return problems;
}
