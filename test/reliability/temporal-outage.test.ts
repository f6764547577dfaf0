// The Temporal dev server restarted mid-flow (persistent SQLite file, same port): while it is
// down POST /v1/messages answers 503 with a clear message, callbacks are still accepted into
// callback_inbox, and after the restart those callbacks reach their workflows and every message
// accepted before the outage finishes as in a run without it.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';
import type { TestDatabase } from '../../scripts/test-database.js';
import {
  ensureTemporalBinary,
  freePort,
  startTemporalDevServer,
  type DevServer,
  type DevServerOptions,
} from '../../scripts/temporal.js';
import type { MessageStatus } from '../../workflows/types.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';
import { killWorkers, spawnWorker } from '../helpers/worker-process.js';
import { ownDatabase } from './helpers/own-database.js';
import { stopWorkerlessStack } from './helpers/teardown.js';
import { caseKey, caseMessage, caseNumber, cases, settledSummaries } from './helpers/scenarios.js';

const auth = { authorization: 'Bearer dev-key' };
const list = cases(['wappin', 'itd', 'sms-masking']);
const dir = mkdtempSync(join(tmpdir(), 'kurir-outage-temporal-'));
let serverOpts: DevServerOptions;
let temporal: DevServer | undefined;
let db: TestDatabase;
let stack: Stack;
let worker: ChildProcess;

before(async () => {
  serverOpts = {
    binary: await ensureTemporalBinary(),
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(dir, 'temporal.sqlite'),
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTES,
  };
  temporal = await startTemporalDevServer(serverOpts);
  db = await ownDatabase();
  // The worker child process reads its addresses from this process's environment.
  process.env.TEMPORAL_ADDRESS = temporal.address;
  process.env.DATABASE_URL = db.url;
  stack = await startStack({ logLevel: 'warn', worker: false, callbackDelayMs: 1_500 });
  worker = spawnWorker(stack);
});
after(async () => {
  killWorkers();
  await stopWorkerlessStack(stack);
  await temporal?.stop();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function accept(prefix: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const [i, c] of list.entries()) {
    const res = await stack.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: auth,
      payload: caseMessage(caseNumber(prefix, i, c), c),
    });
    assert.equal(res.statusCode, 202, res.body);
    ids.set(caseKey(c), res.json<{ id: string }>().id);
  }
  return ids;
}

const unrelayed = async () =>
  Number(
    (await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM callback_inbox WHERE relayed_at IS NULL'))
      .rows[0]!.n,
  );

test('Temporal restarted mid-flow: 503 while down, nothing accepted is lost', { timeout: 600_000 }, async () => {
  const baseline = await settledSummaries(stack, await accept('881'), 5_000, 180_000);

  const ids = await accept('882');
  await eventually(
    async () => {
      for (const id of ids.values())
        if (!(await stack.client.workflow.getHandle(id).query<MessageStatus>('status')).attempts[0]?.providerMessageId)
          return undefined;
      return true;
    },
    120_000,
    'every message handed to its provider',
  );
  await temporal!.stop();

  const started = Date.now();
  const refused = await stack.api.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: auth,
    payload: caseMessage(caseNumber('883', 0, list[0]!), list[0]!),
  });
  assert.equal(refused.statusCode, 503, refused.body);
  assert.equal(refused.json<{ error: string }>().error, 'temporal_unavailable');
  assert.match(
    refused.json<{ message: string }>().message,
    /^Temporal is unavailable; nothing was started\. Retry later\.$/,
  );
  const refusedMs = Date.now() - started;
  // Callbacks keep arriving: stored and acked, waiting in the inbox for Temporal.
  await eventually(
    async () => ((await unrelayed()) > 0 ? true : undefined),
    60_000,
    'callbacks stored while Temporal is down',
  );
  await new Promise((r) => setTimeout(r, 3_000));
  const waiting = await unrelayed();

  temporal = await startTemporalDevServer(serverOpts);
  if (worker.exitCode !== null || worker.signalCode !== null) worker = spawnWorker(stack);
  const afterOutage = await settledSummaries(stack, ids, 5_000, 300_000);
  assert.deepEqual(afterOutage, baseline, 'every message accepted before the outage finished as without it');
  await eventually(async () => ((await unrelayed()) === 0 ? true : undefined), 60_000, 'every stored callback relayed');
  assert.ok(
    waiting > 0 && refusedMs < 60_000,
    `${waiting} callbacks waited in the inbox; the 503 took ${refusedMs} ms`,
  );
});
