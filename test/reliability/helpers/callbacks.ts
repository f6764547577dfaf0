// Replays stored provider callbacks (callback_inbox rows) to the API's callback routes with the
// credentials each provider uses, as the provider itself would deliver them again.
import type { LightMyRequestResponse } from 'fastify';
import { callbackRequestFromRow } from '../../../services/relay.js';
import { signEngageLabCallback, ENGAGELAB_CALLBACK_HEADER } from '../../../providers/engagelab/callbacks.js';
import { ENGAGELAB_SANDBOX_CALLBACK_USERNAME } from '../../../sandboxes/engagelab.js';
import { allCallbackEndpoints } from '../../../providers/registry.js';
import type { Pool } from '../../../db/pool.js';
import type { Stack } from '../../helpers/stack.js';

export interface StoredCallback {
  id: string;
  provider: string;
  route: string;
  method: string;
  query: Record<string, string>;
  body: string;
}

export async function maxInboxId(pool: Pool): Promise<number> {
  return Number((await pool.query<{ m: string | null }>('SELECT max(id) AS m FROM callback_inbox')).rows[0]?.m ?? 0);
}

export async function inboxRowsAfter(pool: Pool, afterId: number): Promise<StoredCallback[]> {
  return (
    await pool.query<StoredCallback>(
      'SELECT id, provider, route, method, query, body FROM callback_inbox WHERE id > $1 ORDER BY id',
      [afterId],
    )
  ).rows;
}

export async function unrelayedCount(pool: Pool, ids: string[]): Promise<number> {
  return Number(
    (
      await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM callback_inbox WHERE relayed_at IS NULL AND id = ANY($1::bigint[])',
        [ids],
      )
    ).rows[0]!.n,
  );
}

/** The rows about these provider messages (the harness database is shared with other test files). */
export function rowsAbout(rows: StoredCallback[], providerMessageIds: Set<string>): StoredCallback[] {
  return rows.filter((row) => {
    const endpoint = allCallbackEndpoints().find((e) => e.provider === row.provider && e.path === row.route);
    try {
      const parsed = endpoint?.parse(callbackRequestFromRow(row));
      return parsed?.kind === 'status' && parsed.events.some((e) => providerMessageIds.has(e.providerMessageId));
    } catch {
      return false;
    }
  });
}

/** Waits until no new row has arrived for `quietMs`; returns the rows after `afterId`. */
export async function settledInbox(
  pool: Pool,
  afterId: number,
  quietMs: number,
  timeoutMs: number,
  mine: (rows: StoredCallback[]) => StoredCallback[] = (r) => r,
): Promise<StoredCallback[]> {
  const deadline = Date.now() + timeoutMs;
  let count = -1;
  let since = Date.now();
  for (;;) {
    const rows = mine(await inboxRowsAfter(pool, afterId));
    if (rows.length !== count) {
      count = rows.length;
      since = Date.now();
    }
    if (count > 0 && Date.now() - since >= quietMs) return rows;
    if (Date.now() > deadline)
      throw new Error(`the callback inbox did not settle within ${timeoutMs} ms (${count} rows)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * POSTs (or GETs) a stored callback again. `marker` makes the copy differ in bytes but not in
 * meaning (an extra JSON field or query parameter), so the inbox stores it as a new row and the
 * workflow, not the inbox's dedupe, has to absorb it.
 */
export function replayCallback(stack: Stack, row: StoredCallback, marker?: string): Promise<LightMyRequestResponse> {
  const endpoint = allCallbackEndpoints().find((e) => e.provider === row.provider && e.path === row.route);
  if (!endpoint) throw new Error(`no callback endpoint ${row.provider} ${row.route}`);
  const query: Record<string, string> = { ...row.query };
  const headers: Record<string, string> = {};
  let body = row.body;
  if (marker !== undefined) {
    if (body) body = JSON.stringify(withMarker(JSON.parse(body) as unknown, marker));
    else query.replay_marker = marker;
  }
  if (endpoint.auth === 'token-query') query.token = stack.config.CALLBACK_TOKEN;
  if (endpoint.auth === 'bearer') headers.authorization = `Bearer ${stack.config.WAPPIN_CALLBACK_TOKEN}`;
  if (endpoint.auth === 'signature')
    headers[ENGAGELAB_CALLBACK_HEADER.toLowerCase()] = signEngageLabCallback(
      stack.config.ENGAGELAB_CALLBACK_SECRET,
      ENGAGELAB_SANDBOX_CALLBACK_USERNAME,
      Date.now(),
    );
  if (body) headers['content-type'] = 'application/json';
  const url = `${row.route}?${new URLSearchParams(query).toString()}`;
  return stack.api.inject({ method: row.method as 'GET' | 'POST', url, headers, ...(body ? { payload: body } : {}) });
}

function withMarker(value: unknown, marker: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withMarker(v, marker));
  return value && typeof value === 'object' ? { ...value, replay_marker: marker } : value;
}
