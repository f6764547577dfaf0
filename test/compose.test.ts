// No Docker engine runs here, so this checks docker-compose.yml, the Dockerfile and
// .env.providers.example against what kurir actually needs (config/schema.ts, entry points).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { loadConfig } from '../config/index.js';
import { DEV_SECRETS } from '../config/production-secrets.js';
import { envSchema } from '../config/schema.js';
import { PROVIDER_NAMES, PROVIDERS } from '../providers/registry.js';
import { PROJECT_ROOT } from '../scripts/paths.js';
import { providerSendQueue } from '../workflows/task-queues.js';

interface Service {
  volumes?: string[];
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string | string[];
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  healthcheck?: { test: string[] | string };
}
const read = (f: string) => readFileSync(join(PROJECT_ROOT, f), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const svc = (name: string): Service => {
  const s = services[name];
  assert.ok(s, `service ${name}`);
  return s;
};
/** Compose interpolation of `${VAR:-default}` as it happens with VAR unset. */
const interpolate = (env: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
/** Every variable a provider descriptor declares. */
const PROVIDER_VARS = PROVIDERS.flatMap((p) => Object.keys(p.env));

describe('docker-compose.yml', () => {
  test('has every service, with pinned images or the kurir build', () => {
    assert.deepEqual(Object.keys(services).sort(), ['api', 'migrate', 'postgres', 'temporal', 'temporal-ui', 'worker']);
    assert.match(svc('postgres').image ?? '', /^postgres:\d+/);
    assert.match(svc('temporal').image ?? '', /^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    assert.match(svc('temporal-ui').image ?? '', /^temporalio\/ui:\d+\.\d+\.\d+$/);
    for (const name of ['migrate', 'worker', 'api']) assert.equal(svc(name).build, '.', name);
  });

  test('Temporal is backed by the PostgreSQL service with its credentials', () => {
    const t = svc('temporal').environment ?? {};
    const pg = svc('postgres').environment ?? {};
    assert.equal(t.DB, 'postgres12');
    assert.ok(services[t.POSTGRES_SEEDS ?? ''], 'POSTGRES_SEEDS names the postgres service');
    assert.equal(t.POSTGRES_USER, pg.POSTGRES_USER);
    assert.equal(t.POSTGRES_PWD, pg.POSTGRES_PASSWORD);
    assert.equal(svc('temporal-ui').environment?.TEMPORAL_ADDRESS, 'temporal:7233');
  });

  test('long-running services have health checks; dependencies wait on conditions that can be met', () => {
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'worker', 'api'])
      assert.ok(svc(name).healthcheck?.test.length, `${name} healthcheck`);
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = svc(dep);
        if (condition === 'service_healthy')
          assert.ok(target.healthcheck, `${name} waits for ${dep} to be healthy, which has a healthcheck`);
        else assert.equal(condition, 'service_completed_successfully', `${name} → ${dep}`);
      }
    }
    for (const name of ['worker', 'api']) {
      assert.deepEqual(
        svc(name).depends_on,
        { temporal: { condition: 'service_healthy' }, migrate: { condition: 'service_completed_successfully' } },
        name,
      );
    }
    assert.deepEqual(svc('migrate').depends_on, { postgres: { condition: 'service_healthy' } });
    assert.deepEqual(svc('temporal').depends_on, { postgres: { condition: 'service_healthy' } });
  });

  test('worker, api and migrate get a valid configuration that points at the compose services', () => {
    const pg = svc('postgres').environment ?? {};
    for (const name of ['migrate', 'worker', 'api']) {
      const env = interpolate(svc(name).environment);
      const config = loadConfig(env);
      assert.equal(config.TEMPORAL_ADDRESS?.split(':')[0], 'temporal', name);
      const db = new URL(config.DATABASE_URL ?? '');
      assert.equal(db.hostname, 'postgres', name);
      assert.deepEqual(
        [db.username, db.password, db.pathname.slice(1)],
        [pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, pg.POSTGRES_DB],
        name,
      );
      // Compiled code (npm run build in the image): dist/<path>.js from the source <path>.ts.
      const entry = svc(name).command?.at(-1) ?? '';
      assert.match(entry, /^dist\/.+\.js$/, `${name} runs compiled code`);
      const source = entry.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      assert.ok(existsSync(join(PROJECT_ROOT, source)), `${name} runs ${entry}, built from ${source}, which exists`);
    }
    for (const name of ['worker', 'api']) assert.deepEqual([svc(name).env_file].flat(), ['.env.providers'], name);
    const api = loadConfig(interpolate(svc('api').environment));
    assert.equal(api.HOST, '0.0.0.0');
    assert.ok(svc('api').ports?.includes(`${api.PORT}:${api.PORT}`), 'the API port is published');
  });

  test("only the API is published: never Temporal's frontend or its UI, which have no authentication", () => {
    const published = Object.entries(services)
      .filter(([, s]) => s.ports?.length)
      .map(([name]) => name);
    assert.deepEqual(published, ['api']);
    assert.deepEqual(svc('api').ports, ['3000:3000']);
  });

  test('no API key or secret has a default in compose: they come from .env.providers', () => {
    const file = read('docker-compose.yml');
    assert.doesNotMatch(file, /dev-key|KURIR_API_KEYS|_SECRET|_TOKEN|OTP_HMAC_KEY|KURIR_ENCRYPTION_KEY/);
  });

  test('Temporal reads config/temporal-dynamic-config.yaml: one partition for every provider send queue', () => {
    const t = svc('temporal');
    const path = t.environment?.DYNAMIC_CONFIG_FILE_PATH ?? '';
    assert.ok(
      t.volumes?.includes(`./config/temporal-dynamic-config.yaml:${path}:ro`),
      `the file is mounted at ${path}`,
    );
    type Values = Array<{ value: unknown; constraints?: { taskQueueName?: string } }>;
    const dc = parse(read('config/temporal-dynamic-config.yaml'), { merge: true }) as Record<string, Values>;
    const queue = loadConfig(interpolate(svc('worker').environment)).TEMPORAL_TASK_QUEUE;
    for (const key of ['matching.numTaskqueueReadPartitions', 'matching.numTaskqueueWritePartitions']) {
      const one = (dc[key] ?? []).filter((v) => v.value === 1).map((v) => v.constraints?.taskQueueName);
      for (const provider of PROVIDER_NAMES)
        assert.ok(
          one.includes(providerSendQueue(queue, provider)),
          `${key} is 1 for ${providerSendQueue(queue, provider)}`,
        );
    }
  });

  test('.env.providers.example lists every provider variable of config/schema.ts, empty, and loads', () => {
    const lines = read('.env.providers.example')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l));
    const vars = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const wanted = Object.keys(envSchema.shape).filter((k) => PROVIDER_VARS.includes(k));
    assert.ok(wanted.length >= 16);
    for (const k of wanted) assert.equal(vars[k], '', k);
    for (const k of Object.keys(vars)) assert.ok(k in envSchema.shape, `${k} is a kurir variable`);
    // Every secret production checks is listed, empty: compose then refuses to run on defaults.
    for (const k of [...Object.keys(DEV_SECRETS), 'KURIR_ENCRYPTION_KEY'])
      assert.equal(vars[k], '', `${k} is listed, empty`);
    assert.doesNotThrow(() => loadConfig({ ...interpolate(svc('worker').environment), ...vars }));
  });

  test('the Dockerfile is multi-stage: production deps, npm run build, a node:24-slim runtime running the compiled worker', () => {
    const file = read('Dockerfile');
    assert.match(file, /^FROM node:24-slim AS deps$/m);
    assert.match(file, /^RUN npm ci --omit=dev\b/m);
    assert.match(file, /^RUN npm run build$/m);
    assert.match(file, /^FROM node:24-slim AS runtime$/m);
    assert.match(file, /^COPY --from=deps \/app\/node_modules/m);
    assert.match(file, /^COPY --from=build \/app\/dist \.\/dist$/m);
    assert.match(file, /^CMD \["node", "dist\/workers\/main\.js"\]$/m);
    const runtime = file
      .slice(file.indexOf('AS runtime'))
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
    assert.doesNotMatch(runtime, /tsx|\.ts\b/, 'the runtime runs no TypeScript');
  });
});
