// A database of this test file's own on the harness's PostgreSQL server (migrated, dropped at the
// end): the relay of a stack on it is the only one that touches its callback_inbox, even when
// other test files run in parallel against the harness database.
import { migrate } from '../../../db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../../../scripts/test-database.js';

export async function ownDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase(() => undefined);
  await migrate(db.url);
  return db;
}
