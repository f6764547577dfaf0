// `npm run bench:stats`: the operator's view at a million messages. Fills a fresh database with
// BENCH_STATS_MESSAGES messages (default 1,000,000) spread over 30 days (activity rows, and 1.2
// delivery attempts each: a fifth fall back), then times the KPI query (GET /v1/stats) over 1 h,
// 24 h and 7 d and feed pages (GET /v1/messages: the newest, filtered by outcome, by campaign, and
// a page deep in the cursor), against a bare `SELECT 1` round trip measured in the same run.
// Target (issue #21): every query under 200 ms.
import pg from 'pg';
import { deliveryStats, listActivity } from '../db/activity.js';
import { migrate } from '../db/migrate.js';
import { createTestDatabase } from '../scripts/test-database.js';
import { percentile } from './run-load.js';
import { writeResult } from './results.js';

const MESSAGES = Number(process.env.BENCH_STATS_MESSAGES ?? 1_000_000);
const RUNS = 7;
const TARGET_MS = 200;
const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);

const db = await createTestDatabase(log);
try {
  await migrate(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const t0 = Date.now();
  // Straight into the tables the events trigger keeps, and the hourly rollup built in one pass
  // (its row trigger would take minutes here; its own cost is the events insert's).
  await pool.query('ALTER TABLE delivery_attempts DISABLE TRIGGER delivery_attempts_hourly');
  await pool.query(
    `INSERT INTO activity (id, kind, started_at, updated_at, step, status, outcome, provider, channel, reference, campaign_id, fallbacks)
     SELECT 'msg_' || i, 'message', t, t + interval '30 seconds', CASE WHEN i % 5 = 0 THEN 1 ELSE 0 END,
            o, o, CASE WHEN i % 5 = 0 THEN 'sms-masking' ELSE 'wappin' END, CASE WHEN i % 5 = 0 THEN 'sms' ELSE 'whatsapp' END,
            'ref-' || (i % 100000), CASE WHEN i % 3 = 0 THEN 'cmp_' || (i % 50) END, CASE WHEN i % 5 = 0 THEN 1 ELSE 0 END
       FROM (SELECT i, now() - (i::double precision / $1) * interval '30 days' AS t,
                    (ARRAY['delivered', 'read', 'read', 'failed', 'sent'])[1 + i % 5] AS o
               FROM generate_series(1, $1) i) g`,
    [MESSAGES],
  );
  await pool.query(
    `INSERT INTO delivery_attempts (message_id, step, provider, channel, accepted_at, delivered_at, read_at, failed_at, fallback_reason)
     SELECT 'msg_' || i, s, CASE WHEN s = 1 THEN 'sms-masking' ELSE 'wappin' END, CASE WHEN s = 1 THEN 'sms' ELSE 'whatsapp' END,
            t, CASE WHEN i % 5 IN (0, 1, 2) THEN t + (i % 90) * interval '1 second' END,
            CASE WHEN s = 0 AND i % 5 IN (1, 2) THEN t + (i % 600) * interval '1 second' END,
            CASE WHEN s = 0 AND i % 5 = 0 THEN t + interval '2 seconds' END,
            CASE WHEN s = 0 AND i % 5 = 0 THEN 'invalid_number' END
       FROM (SELECT i, now() - (i::double precision / $1) * interval '30 days' AS t FROM generate_series(1, $1) i) g
       CROSS JOIN LATERAL (SELECT 0 AS s UNION ALL SELECT 1 WHERE i % 5 = 0) steps`,
    [MESSAGES],
  );
  const bucket = (col: string) =>
    `(SELECT count(*) FROM unnest(delivery_buckets()) b WHERE b < greatest(0, extract(epoch FROM ${col} - accepted_at))) + 1`;
  const histogram = (col: string) =>
    `ARRAY[${Array.from({ length: 15 }, (_, i) => `count(*) FILTER (WHERE ${col} IS NOT NULL AND ${bucket(col)} = ${i + 1})`).join(', ')}]`;
  await pool.query(
    `INSERT INTO delivery_hourly
     SELECT date_trunc('hour', at), provider, channel, count(*), count(delivered_at), count(read_at), count(failed_at),
            count(fallback_reason), count(*) FILTER (WHERE fallback_reason = 'suppressed'),
            ${histogram('delivered_at')}, ${histogram('read_at')}
       FROM delivery_attempts GROUP BY 1, 2, 3`,
  );
  await pool.query('ALTER TABLE delivery_attempts ENABLE TRIGGER delivery_attempts_hourly');
  await pool.query('ANALYZE activity');
  await pool.query('ANALYZE delivery_attempts');
  log(`filled ${MESSAGES} messages in ${Math.round((Date.now() - t0) / 1000)} s`);

  const time = async (fn: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = process.hrtime.bigint();
      await fn();
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    ms.shift(); // warm-up
    return Math.round(percentile(ms, 50) * 10) / 10;
  };
  const deep = await listActivity(pool, {}, { limit: 50 });
  let cursor = deep.next;
  for (let i = 0; i < 200 && cursor; i++) cursor = (await listActivity(pool, {}, { cursor, limit: 50 })).next;
  const queries: Record<string, () => Promise<unknown>> = {
    'stats 1h': () => deliveryStats(pool, 3_600_000),
    'stats 24h': () => deliveryStats(pool, 86_400_000),
    'stats 7d': () => deliveryStats(pool, 7 * 86_400_000),
    'feed newest': () => listActivity(pool, {}, { limit: 50 }),
    'feed outcome=failed': () => listActivity(pool, { outcome: 'failed' }, { limit: 50 }),
    'feed campaign': () => listActivity(pool, { campaignId: 'cmp_7' }, { limit: 50 }),
    'feed channel=sms': () => listActivity(pool, { channel: 'sms' }, { limit: 50 }),
    'feed page 200': () => listActivity(pool, {}, { cursor, limit: 50 }),
  };
  const baseline = await time(() => pool.query('SELECT 1'));
  const p50: Record<string, number> = {};
  for (const [name, fn] of Object.entries(queries)) p50[name] = await time(fn);
  await pool.end();

  const met = Object.fromEntries(Object.entries(p50).map(([k, v]) => [k, v < TARGET_MS]));
  writeResult('stats', {
    benchmark: 'stats',
    messages: MESSAGES,
    baselineSelect1Ms: baseline,
    p50Ms: p50,
    targetMs: TARGET_MS,
    met,
  });
  process.stdout.write(
    `operator queries at ${MESSAGES} messages (p50 of ${RUNS - 1}; SELECT 1 round trip ${baseline} ms):\n` +
      Object.entries(p50)
        .map(
          ([k, v]) =>
            `  ${k}: ${v} ms (${Math.round(v / baseline)}x SELECT 1; target < ${TARGET_MS}: ${met[k] ? 'met' : 'MISSED'})`,
        )
        .join('\n') +
      '\n',
  );
} finally {
  await db.drop();
}
