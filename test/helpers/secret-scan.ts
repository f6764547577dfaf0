// Scans where secrets must never land: Temporal histories (payload bytes decoded, so a code inside
// a JSON payload is visible), captured logs and every table of the database.
import type { Client } from '@temporalio/client';
import type { Pool } from '../../db/pool.js';

export interface Haystacks {
  histories: string;
  logs: string;
  database: string;
}

/** JSON of a history with every byte field (payload data, metadata) decoded as UTF-8 text. */
export function historyText(history: unknown): string {
  return JSON.stringify(history, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
}

export async function historiesText(client: Client, ids: string[], concurrency = 8): Promise<string> {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += concurrency) {
    out.push(
      ...(await Promise.all(
        ids
          .slice(i, i + concurrency)
          .map(async (id) => historyText(await client.workflow.getHandle(id).fetchHistory())),
      )),
    );
  }
  return out.join('\n');
}

/** Workflow ids from visibility (every workflow of the namespace unless a query narrows it), at most `limit`. */
export async function listWorkflowIds(client: Client, query?: string, limit = 5_000): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list(query ? { query } : {})) {
    ids.push(wf.workflowId);
    if (ids.length >= limit) break;
  }
  return ids;
}

export async function databaseText(pool: Pool): Promise<string> {
  const tables = await pool.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
  const rows: string[] = [];
  for (const { tablename } of tables.rows)
    rows.push(JSON.stringify((await pool.query(`SELECT * FROM "${tablename}"`)).rows));
  return rows.join('\n');
}

/** "<secret> found in <where>" for every secret found as a whole token (not inside a longer word). */
export function findSecrets(haystacks: Haystacks, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(?<![0-9A-Za-z])${escaped}(?![0-9A-Za-z])`);
    for (const [where, text] of Object.entries(haystacks) as Array<[string, string]>)
      if (re.test(text)) found.push(`${secret.slice(0, 4)}… found in ${where}`);
  }
  return found;
}
