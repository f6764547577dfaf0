// PostgreSQL stopped during a storm of provider callbacks: the callback routes answer 503 with a
// clear message and ack nothing; once it is back the sandboxes' retries (3, as the provider
// documents say, e.g. Wappin "akan di retry sebanyak 3 kali") land every callback and the final
// statuses equal those of the same run without the outage. The test runs its own embedded
// PostgreSQL so it can stop and start it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../scripts/embedded-postgres.js';
import { migrate } from '../../db/migrate.js';
import { freePort } from '../../scripts/temporal.js';
import { capturedLogs, eventually, startStack, type Stack } from '../helpers/stack.js';
import { inboxRowsAfter, maxInboxId, replayCallback } from './helpers/callbacks.js';
import { cases, sendCases, settledSummaries } from './helpers/scenarios.js';
import { PROVIDER_NAMES } from '../../providers/registry.js';

// Callbacks every 1.5 s per message; retries 5 s apart, so three retries span 15 s: longer than
// the outage (stop, 3 s down, start).
const CALLBACK_DELAY_MS = 1_500;
const RETRY_DELAY_MS = 5_000;
const list = cases(PROVIDER_NAMES);
const dataDir = mkdtempSync(join(tmpdir(), 'kurir-outage-pg-'));
let port: number;
let pg: EmbeddedDatabase | undefined;
let stack: Stack;

before(async () => {
  port = await freePort();
  pg = await startEmbeddedPostgres({ port, dataDir });
  await migrate(pg.url);
  stack = await startStack({
    logLevel: 'warn',
    callbackDelayMs: CALLBACK_DELAY_MS,
    callbackRetryDelayMs: RETRY_DELAY_MS,
    env: { DATABASE_URL: pg.url },
  });
});
after(async () => {
  await stack?.stop();
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const unavailableLines = () => capturedLogs.filter((l) => l.includes('database unavailable')).length;

test(
  'PostgreSQL down during a callback storm: 503 and no ack, then the retries land every callback',
  { timeout: 600_000 },
  async () => {
    const baselineIds = await sendCases(stack, '871', list);
    const baseline = await settledSummaries(stack, baselineIds, 4_000, 180_000);
    const [sample] = await inboxRowsAfter(stack.pool, 0);
    assert.ok(sample, 'the baseline stored callbacks');

    const outageIds = await sendCases(stack, '872', list);
    const linesBefore = unavailableLines();
    await pg!.stop();
    pg = undefined;
    const downAt = Date.now();
    // A provider's callback while the database is down: 5xx, a clear JSON message, not the provider's ack.
    const during = await replayCallback(stack, sample, 'during-outage');
    assert.equal(during.statusCode, 503, during.body);
    assert.deepEqual(
      { ...during.json<Record<string, unknown>>(), requestId: undefined },
      {
        error: 'database_unavailable',
        message: 'The database is unavailable; nothing was stored. Retry later.',
        requestId: undefined,
      },
    );
    await new Promise((r) => setTimeout(r, 3_000));
    pg = await startEmbeddedPostgres({ port, dataDir });
    const downMs = Date.now() - downAt;
    assert.ok(
      unavailableLines() - linesBefore >= 2,
      `sandbox callbacks were refused during the outage (${unavailableLines() - linesBefore} refusals)`,
    );

    await eventually(
      async () => ((await maxInboxId(stack.pool)) >= 0 ? true : undefined),
      60_000,
      'the database answers again',
    );
    const afterOutage = await settledSummaries(stack, outageIds, 2 * RETRY_DELAY_MS, 300_000);
    assert.deepEqual(afterOutage, baseline, `final statuses equal the run without the outage (down ${downMs} ms)`);
    const marked = (await inboxRowsAfter(stack.pool, 0)).filter(
      (r) => r.body.includes('during-outage') || r.query.replay_marker === 'during-outage',
    );
    assert.deepEqual(marked, [], 'the callback refused during the outage was not stored');
  },
);
