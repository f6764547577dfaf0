// `npm start`: the whole stack on embedded defaults. Temporal dev server (+ UI) unless
// TEMPORAL_ADDRESS is set, PostgreSQL (DATABASE_URL or embedded under .kurir/pgdata), migrations,
// provider sandboxes for providers without credentials, then the worker and the API as child
// processes. Ctrl-C (SIGINT) or SIGTERM stops every child; a second start resumes with the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { loadConfigOrExit } from '../config/index.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { sandboxEnvironment, startSandboxes, type RunningSandboxes } from '../sandboxes/index.js';
import { unreachableMessage } from '../temporal/connect.js';
import { ensureUiBuilt } from './build-ui.js';
import { PROJECT_ROOT, STATE_DIR } from './paths.js';
import { localApiFile, removeLocalApi, writeLocalApi } from '../cli/local-api.js';
import {
  ensureTemporalBinary,
  startTemporalDevServer,
  temporalDbFile,
  waitForTemporal,
  type DevServer,
} from './temporal.js';

const config = loadConfigOrExit();
// The environment `npm start` was started with: the children get it (plus what is set below), not
// whatever this process's steps (a dashboard build, a library) may have put into process.env since.
const launchEnv: NodeJS.ProcessEnv = { ...process.env };
const say = (l: string) => process.stdout.write(`${l}\n`);
const children: ChildProcess[] = [];
let temporal: DevServer | undefined;
let database: EmbeddedDatabase | undefined;
let sandboxes: RunningSandboxes | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('\nStopping kurir...');
    removeLocalApi(localApiFile(STATE_DIR));
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    await sandboxes?.close();
    await database?.stop().catch(() => undefined);
    await temporal?.stop();
    say('Stopped.');
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function main(): Promise<void> {
  let temporalAddress = config.TEMPORAL_ADDRESS;
  let uiUrl = config.TEMPORAL_UI_URL;
  if (temporalAddress) {
    try {
      await waitForTemporal(temporalAddress, 10_000);
    } catch (err) {
      throw new Error(unreachableMessage(temporalAddress, err), { cause: err });
    }
  } else {
    const binary = await ensureTemporalBinary(say);
    say(`Starting the Temporal dev server on 127.0.0.1:${config.TEMPORAL_DEV_PORT} (data: ${temporalDbFile()})...`);
    temporal = await startTemporalDevServer({
      binary,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: temporalDbFile(),
      searchAttributes: SEARCH_ATTRIBUTES,
    });
    temporalAddress = temporal.address;
    uiUrl = temporal.uiUrl;
  }

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    say(`Starting the embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_PG_PORT}...`);
    database = await startEmbeddedPostgres({ port: config.EMBEDDED_PG_PORT });
    databaseUrl = database.url;
  }
  const applied = await migrate(databaseUrl);
  say(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date.');

  // The dashboard (/ui): built here when ui/dist is missing or older than ui/src.
  await ensureUiBuilt(say).catch((err: unknown) =>
    say(`The dashboard could not be built (${err instanceof Error ? err.message : String(err)}); /ui answers 503.`),
  );
  const apiUrl = config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  sandboxes = await startSandboxes(config, apiUrl);
  const env: NodeJS.ProcessEnv = {
    ...launchEnv,
    // One mode for every start: the NODE_ENV this start was configured with (unset: development).
    NODE_ENV: config.NODE_ENV,
    TEMPORAL_ADDRESS: temporalAddress,
    DATABASE_URL: databaseUrl,
    ...sandboxEnvironment(sandboxes),
    // The dashboard links workflows to the dev server's UI.
    ...(uiUrl ? { TEMPORAL_UI_URL: uiUrl } : {}),
    // The worker's Temporal SDK metrics (temporal_*); WORKER_METRICS_PORT=0 turns them off.
    WORKER_METRICS_PORT: process.env.WORKER_METRICS_PORT ?? '9464',
  };
  for (const [name, entry] of [
    ['worker', 'workers/main.ts'],
    ['api', 'api/server.ts'],
  ] as const) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, entry)], { env, stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      say(`kurir ${name} exited (${signal ?? code}); stopping the stack.`);
      void stopAll(1);
    });
    children.push(child);
  }
  await waitForHealth(`http://127.0.0.1:${config.PORT}/healthz`);
  // The `kurir` CLI finds this API and a key here (cli/local-api.ts) when KURIR_API_URL is unset: a
  // key without scopes when there is one, as the operator's commands (otp blocks, …) need it.
  const keys = config.KURIR_API_KEYS;
  writeLocalApi(
    { url: `http://127.0.0.1:${config.PORT}`, key: (keys.find((k) => !k.scopes) ?? keys[0]!).key },
    localApiFile(STATE_DIR),
  );
  // The sample commands use a key that works: the first of KURIR_API_KEYS that may send messages
  // (the development key when unset). A production start prints no key: the commands read
  // $KURIR_API_KEY instead.
  const first = keys.find((k) => !k.scopes || k.scopes.has('messages')) ?? keys[0];
  const printable = config.NODE_ENV !== 'production' || first?.key === 'dev-key';
  const apiKey = printable ? (first?.key ?? 'dev-key') : `$KURIR_API_KEY (export the key "${first?.name ?? ''}")`;
  const bearer = printable ? `'Authorization: Bearer ${apiKey}'` : '"Authorization: Bearer $KURIR_API_KEY"';
  say(
    [
      '',
      'kurir is running:',
      `  API            ${apiUrl}  (API key: ${apiKey})`,
      `  API docs       ${apiUrl}/docs`,
      ...(env.WORKER_METRICS_PORT !== '0'
        ? [
            `  SDK metrics    http://${config.HOST}:${env.WORKER_METRICS_PORT}/metrics  (API metrics: ${apiUrl}/metrics)`,
          ]
        : []),
      `  Dashboard      ${apiUrl}/ui/`,
      `  Temporal UI    ${uiUrl ?? "(your cluster's UI)"}`,
      `  Temporal       ${temporalAddress}`,
      `  Providers      ${sandboxes.summary}`,
      '',
      'Try:',
      `  curl -s -X POST ${apiUrl}/v1/messages -H ${bearer} -H 'Content-Type: application/json' \\`,
      `    -d '{"to":"+6281234567890","steps":[{"channel":"whatsapp","provider":"wappin","template":"order_shipped","params":["A-1"]},{"channel":"sms","provider":"sms-masking","text":"Order A-1 shipped"}],"fallback":{"notReadWithin":"1 minute"}}'`,
      `  curl -s ${apiUrl}/v1/messages/<id> -H ${bearer}`,
      '',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the API did not become healthy at ${url} within 120 s`);
}

main().catch((err: unknown) => {
  process.stderr.write(`kurir: ${err instanceof Error ? err.message : String(err)}\n`);
  void stopAll(1);
});
