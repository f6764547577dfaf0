// One zod schema for every environment variable kurir reads. Unset optional provider
// credentials mean "use that provider's sandbox".
import { z } from 'zod';
import { durationSchema } from '../schemas/duration.js';
import { parseKeyring } from '../codec/keys.js';
import { PROVIDERS, type ProviderList } from '../providers/registry.js';
import { rateLimitsSchemaFor } from './rate-limits.js';
import { smsPricesSchemaFor } from './sms-prices.js';
import { ApiKeyFormatError, parseApiKeys } from './api-keys.js';
import { DEFAULT_OPT_KEYWORDS } from '../domain/opt-keywords.js';
import { countriesVar, numberTypesVar, rateWindowVar } from './otp-guard.js';
import { DEV_SECRETS } from './production-secrets.js';
import { isRetentionSchedule } from '../schemas/retention-schedule.js';
import { isSupportedCountry } from 'libphonenumber-js';
import { ipAllowlistVar, trustProxyVar } from './addresses.js';
import { providerNamesVar } from './production-providers.js';

const port = z.coerce
  .number({ error: 'must be a port number (0-65535)' })
  .int('must be a port number (0-65535)')
  .min(0)
  .max(65535);
const url = z.url();
const optionalSecret = z.string().min(1).optional();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const postgresUrl = z.string().refine((v) => {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, 'must be a postgres:// or postgresql:// URL');
/** A comma-separated list of keywords, upper-cased (matched without case). */
const keywordsVar = (defaults: string[]) =>
  z
    .string()
    .default(defaults.join(','))
    .transform((v) =>
      v
        .split(',')
        .map((w) => w.trim().toUpperCase())
        .filter(Boolean),
    );
const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233');

function commonEnv(providers: ProviderList) {
  return {
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Unset: pretty on an interactive terminal in development, JSON otherwise; production is always JSON (logging/logger.ts).
    LOG_FORMAT: z.enum(['pretty', 'json']).optional(),

    // Temporal: a given server, else `npm start` runs a local dev server on these ports.
    TEMPORAL_ADDRESS: hostPort.optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('kurir'),
    TEMPORAL_DEV_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),
    TEMPORAL_UI_URL: url.optional(),
    TEMPORAL_CLI_PATH: z.string().min(1).optional(),
    TEMPORAL_API_KEY: optionalSecret,
    TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),

    // PostgreSQL: a given URL, else an embedded server under .kurir/pgdata.
    DATABASE_URL: postgresUrl.optional(),
    EMBEDDED_PG_PORT: port.default(5544),

    // HTTP API
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(3000),
    // The worker's Temporal SDK metrics (temporal_*, Prometheus) on HOST:WORKER_METRICS_PORT; unset/0 = off (`npm start` uses 9464).
    WORKER_METRICS_PORT: port.optional(),
    // Concurrent activities per worker (each task queue); the worker's database pool is sized from it.
    WORKER_ACTIVITY_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(100),
    // The worker's PostgreSQL pool; default: derived from WORKER_ACTIVITY_CONCURRENCY (db/pool.ts).
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).optional(),
    PUBLIC_URL: url.optional(),
    KURIR_API_KEYS: z
      .string()
      .min(1)
      .default(DEV_SECRETS.KURIR_API_KEYS)
      .transform((value, ctx) => {
        try {
          return parseApiKeys(value);
        } catch (err) {
          if (!(err instanceof ApiKeyFormatError)) throw err;
          ctx.addIssue({ code: 'custom', message: err.message });
          return z.NEVER;
        }
      }),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50_000_000).default(1_048_576),
    // Provider callbacks (a status or a batch of them) are small; their routes refuse more (413).
    CALLBACK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50_000_000).default(262_144),
    // Phone numbers without "+" (campaign rows, POST /v1/messages and /v1/otp `to`) are read as this
    // region's (ISO 3166 alpha-2, e.g. ID); unset: only international numbers (+…) are accepted.
    DEFAULT_REGION: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toUpperCase() : undefined),
      z.string().refine(isSupportedCountry, 'must be an ISO 3166 alpha-2 region code such as ID').optional(),
    ),
    // A streamed CSV campaign upload (text/csv is not subject to BODY_LIMIT_BYTES): bytes and rows.
    CSV_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(100 * 1024 * 1024),
    CSV_MAX_ROWS: z.coerce.number().int().min(1).default(1_000_000),

    // Callback secret of the providers whose callbacks carry none of their own (`?token=`); the
    // provider-specific secrets (WAPPIN_CALLBACK_TOKEN, ENGAGELAB_CALLBACK_SECRET) are in their descriptors.
    CALLBACK_TOKEN: z.string().min(8).default(DEV_SECRETS.CALLBACK_TOKEN),
    // Addresses and CIDRs allowed to post callbacks (config/addresses.ts); unset: any.
    CALLBACK_IP_ALLOWLIST: ipAllowlistVar,
    // Peers whose X-Forwarded-For sets the client address: false, true or addresses/CIDRs (config/addresses.ts).
    TRUST_PROXY: trustProxyVar,

    // Providers: credentials unset → sandbox. Each provider's own variables (*_BASE_URL, credentials)
    // come from its descriptor's `env` (providers/<name>/index.ts), merged below.
    SANDBOX_BASE_PORT: port.default(4010),
    // Production refuses plain-http providers and providers in sandbox mode except these (config/production-providers.ts).
    PROVIDER_HTTP_ALLOWED: providerNamesVar(providers),
    PROVIDER_SANDBOX_ALLOWED: providerNamesVar(providers),
    // Sends per second per provider, enforced by the Temporal server on each provider's task queue.
    PROVIDER_RATE_LIMITS: rateLimitsSchemaFor(providers).prefault(''),
    // The preview's cost estimate (POST /v1/messages/preview): price of one SMS part per provider.
    SMS_PRICES: smsPricesSchemaFor(providers).prefault(''),
    SMS_PRICE_CURRENCY: z.string().min(1).max(10).default('IDR'),
    SANDBOX_CALLBACK_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(200),

    // Secrets for engine-managed OTP (HMAC of codes) and payload encryption.
    OTP_HMAC_KEY: z.string().min(16).default(DEV_SECRETS.OTP_HMAC_KEY),
    // The key of the recipient hash (search attribute, OTP send limit): clients that start workflows share it.
    RECIPIENT_HASH_KEY: z.string().min(16).default(DEV_SECRETS.RECIPIENT_HASH_KEY),
    OTP_SEND_LIMIT: z.coerce.number().int().min(1).max(1000).default(5),
    OTP_SEND_WINDOW: durationSchema.default('10 minutes'),
    // What a caller may ask of an OTP (domain/otp-policy.ts): 400 naming the field beyond these.
    OTP_MIN_RESEND_COOLDOWN: durationSchema.default('15 seconds'),
    OTP_MAX_TTL: durationSchema.default('15 minutes'),
    OTP_MIN_CODE_LENGTH: z.coerce.number().int().min(4).max(10).default(6),
    OTP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(10),
    // The OTP guard (api/otp-guard.ts): countries, number types, and sliding windows shared in PostgreSQL.
    // Provider circuit breakers (db/circuits.ts): consecutive failed sends that open one, and how long
    // it stays open before a probe.
    PROVIDER_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
    PROVIDER_BREAKER_COOLDOWN: durationSchema.default('30 seconds'),
    // The WhatsApp customer-service window (db/service-window.ts): session texts only within it of the
    // customer's last inbound message, on the providers listed (their text sends are session sends).
    WHATSAPP_SERVICE_WINDOW: durationSchema.default('24 hours'),
    SERVICE_WINDOW_PROVIDERS: providerNamesVar(providers).prefault('wappin'),
    // Inbound texts that suppress their sender on that channel, or lift it (domain/opt-keywords.ts).
    SUPPRESSION_OPT_OUT_KEYWORDS: keywordsVar(DEFAULT_OPT_KEYWORDS.optOut),
    SUPPRESSION_OPT_IN_KEYWORDS: keywordsVar(DEFAULT_OPT_KEYWORDS.optIn),
    // The whole OTP guard (api/otp-guard.ts); off only where another layer guards POST /v1/otp.
    OTP_GUARD: bool.default(true),
    OTP_ALLOWED_COUNTRIES: countriesVar,
    OTP_REFUSED_NUMBER_TYPES: numberTypesVar,
    OTP_LIMIT_PER_API_KEY: rateWindowVar('1000/1 hour'),
    OTP_LIMIT_PER_IP: rateWindowVar('20/1 hour'),
    OTP_LIMIT_PER_PREFIX: rateWindowVar('30/1 hour'),
    OTP_LIMIT_PER_COUNTRY: rateWindowVar('10000/1 hour'),
    // Conversion-based blocking: a prefix with OTP_BLOCK_MIN_SENDS settled sends in OTP_CONVERSION_WINDOW
    // and fewer than OTP_BLOCK_MIN_CONVERSION of them verified is blocked for OTP_BLOCK_FOR.
    OTP_BLOCK_MIN_SENDS: z.coerce.number().int().min(1).max(1_000_000).default(20),
    OTP_BLOCK_MIN_CONVERSION: z.coerce.number().min(0).max(1).default(0.1),
    OTP_CONVERSION_WINDOW: durationSchema.default('1 hour'),
    // A code counts once it has had this long to be verified.
    OTP_CONVERSION_SETTLE: durationSchema.default('10 minutes'),
    OTP_BLOCK_FOR: durationSchema.default('24 hours'),
    // Payload encryption in Temporal history: `k2:<base64 32 bytes>,k1:<…>`; the first encrypts, all decrypt.
    KURIR_ENCRYPTION_KEY: z
      .string()
      .superRefine((v, ctx) => {
        try {
          parseKeyring(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
        }
      })
      .optional(),
    // Origins (Temporal UI) allowed to call the codec endpoint /codec/*; default: TEMPORAL_UI_URL, else the local dev UI.
    CODEC_CORS_ORIGINS: z
      .string()
      .optional()
      .transform((v) =>
        v
          ?.split(',')
          .map((o) => o.trim().replace(/\/+$/, ''))
          .filter(Boolean),
      ),
    // The older spelling of LOG_FORMAT (true = pretty, false = json); LOG_FORMAT wins.
    PRETTY_LOGS: bool.optional(),
    // GET /metrics: open when unset (a scraper on a private network), else Bearer <METRICS_TOKEN>.
    METRICS_TOKEN: z.string().min(16).optional(),
    // /docs (the OpenAPI UI and JSON): served in production only when true.
    API_DOCS_PUBLIC: bool.optional(),

    // Outbound webhooks and the event stream (GET /v1/events).
    // Encrypts webhook signing secrets at rest (AES-256-GCM with a key derived from this value).
    WEBHOOK_SECRET_KEY: z.string().min(16).default(DEV_SECRETS.WEBHOOK_SECRET_KEY),
    // Retries go on for at least this long after an event's first attempt, then it is dead-lettered.
    WEBHOOK_RETRY_BUDGET: durationSchema.default('24 hours'),
    WEBHOOK_INITIAL_BACKOFF: durationSchema.default('5 seconds'),
    WEBHOOK_MAX_BACKOFF: durationSchema.default('1 hour'),
    WEBHOOK_TIMEOUT: durationSchema.default('10 seconds'),
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
    // Deliveries in flight to one subscription: a black-holed endpoint holds at most this many slots.
    WEBHOOK_CONCURRENCY_PER_ENDPOINT: z.coerce.number().int().min(1).max(1000).default(4),
    // Endpoints on loopback or private addresses are refused unless this is true (tests, on-premises receivers).
    WEBHOOK_ALLOW_PRIVATE: bool.default(false),
    SSE_HEARTBEAT: durationSchema.default('15 seconds'),
    // Open GET /v1/events streams: per API key and in all (beyond either, 429).
    SSE_MAX_STREAMS_PER_KEY: z.coerce.number().int().min(1).max(10_000).default(10),
    SSE_MAX_STREAMS: z.coerce.number().int().min(1).max(100_000).default(200),
    // Retention (docs/operations.md#retention): a Temporal Schedule prunes rows older than these ages.
    // RETENTION_SCHEDULE: an interval ("1 hour"), a cron expression ("0 3 * * *") or "off".
    RETENTION_SCHEDULE: z
      .string()
      .refine(
        isRetentionSchedule,
        'must be an interval of at least a minute ("1 hour"), a 5-field cron expression ("0 3 * * *") or "off"',
      )
      .default('1 hour'),
    RETENTION_CALLBACKS: durationSchema.default('7 days'),
    RETENTION_UNOWNED_CALLBACKS: durationSchema.default('7 days'),
    RETENTION_EVENTS: durationSchema.default('30 days'),
    RETENTION_INBOUND: durationSchema.default('30 days'),
    RETENTION_CAMPAIGN_RECIPIENTS: durationSchema.default('30 days'),
    RETENTION_IDEMPOTENCY_KEYS: durationSchema.default('24 hours'),
    // Never less than OTP_SEND_WINDOW: the per-number send limit counts these rows.
    RETENTION_OTP_SENDS: durationSchema.default('24 hours'),
    // Where the CLI reaches the API (`kurir events`); default http://HOST:PORT and the first of KURIR_API_KEYS.
    KURIR_API_URL: url.optional(),
    KURIR_API_KEY: optionalSecret,
  };
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** The variables of every registered provider, typed from PROVIDERS. */
type ProviderEnvShape = UnionToIntersection<(typeof PROVIDERS)[number]['env']>;

function providerEnv(providers: ProviderList): z.ZodRawShape {
  return Object.assign({}, ...providers.map((p) => p.env)) as z.ZodRawShape;
}

export const envSchema = z.object({ ...commonEnv(PROVIDERS), ...(providerEnv(PROVIDERS) as ProviderEnvShape) });

/** The schema for another provider list (tests of a throwaway provider): its variables are read too. */
export function envSchemaFor(providers: ProviderList) {
  return z.object({ ...commonEnv(providers), ...providerEnv(providers) });
}

export type Env = z.infer<typeof envSchema>;
