// Checks a callback's Bearer value against the provider's recent API access tokens (db/provider-
// access-tokens.ts). A token found is remembered briefly, so a burst of callbacks costs one query;
// a token not found is asked again next time (the worker may have recorded it a moment ago).
import { isRecentAccessToken } from '../db/provider-access-tokens.js';
import type { Pool } from '../db/pool.js';

const REMEMBER_MS = 30_000;
const MAX_REMEMBERED = 100;

export class AccessTokenCheck {
  private readonly known = new Map<string, number>();

  constructor(private readonly pool: Pool) {}

  async accepts(provider: string, token: string, now = Date.now()): Promise<boolean> {
    const key = `${provider}\u0000${token}`;
    if ((this.known.get(key) ?? 0) > now) return true;
    if (!(await isRecentAccessToken(this.pool, provider, token))) return false;
    if (this.known.size >= MAX_REMEMBERED) this.known.clear();
    this.known.set(key, now + REMEMBER_MS);
    return true;
  }
}
