// A fresh PostgreSQL database per test run: created on DATABASE_URL's server (or the local
// postgres://127.0.0.1:5432/postgres), or on an embedded server when none answers; dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { freePort } from './temporal.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export async function createTestDatabase(log: (l: string) => void): Promise<TestDatabase> {
  const name = `kurir_test_${process.pid}_${Date.now()}`;
  let adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  let stopEmbedded: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  if (!(await reachable(adminUrl))) {
    dataDir = mkdtempSync(join(tmpdir(), 'kurir-test-pg-'));
    log(`No PostgreSQL at ${new URL(adminUrl).host}: starting an embedded one in ${dataDir}`);
    const embedded = await startEmbeddedPostgres({ port: await freePort(), dataDir });
    adminUrl = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await c.end();
      if (stopEmbedded) await stopEmbedded();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
