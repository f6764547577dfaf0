// A provider's rotating API access token, shared between the worker (whose client gets it) and the
// API (which checks callbacks against it), as a SHA-256 hash: the token itself is never stored.
import { createHash } from 'node:crypto';
import type { Pool } from './pool.js';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Records a token the provider issued; idempotent (a "Token not expired" answer repeats one). */
export async function recordAccessToken(pool: Pool, provider: string, token: string, validUntil: Date): Promise<void> {
  await pool.query(
    `INSERT INTO provider_access_tokens (provider, token_hash, valid_until) VALUES ($1, $2, $3)
     ON CONFLICT (provider, token_hash) DO UPDATE SET valid_until = GREATEST(provider_access_tokens.valid_until, EXCLUDED.valid_until)`,
    [provider, hash(token), validUntil],
  );
}

/**
 * True when `token` is the provider's current access token or the one it replaced (callbacks sent
 * just before a renewal still carry the old one), and it has not expired. Older tokens are stale.
 */
export async function isRecentAccessToken(pool: Pool, provider: string, token: string): Promise<boolean> {
  const res = await pool.query<{ ok: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM (SELECT token_hash, valid_until FROM provider_access_tokens WHERE provider = $1
                      ORDER BY issued_at DESC LIMIT 2) latest
       WHERE token_hash = $2 AND valid_until > now()) AS ok`,
    [provider, hash(token)],
  );
  return res.rows[0]?.ok === true;
}

/** The provider-registry hook that records every issued access token (createProviderRegistry's hooks). */
export function recordingAccessTokens(pool: Pool) {
  return {
    onAccessToken: (provider: string, token: string, validUntil: Date) =>
      recordAccessToken(pool, provider, token, validUntil),
  };
}
