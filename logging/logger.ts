// pino, JSON by default and pretty in a terminal. Secrets are redacted wherever they appear
// in a logged object, so a provider client or request log can never print them.
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'authorization',
  'otpCode',
  'otp',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.otpCode',
  '*.otp',
  '*.secretKey',
  '*.devSecret',
  '*.callbackSecret',
  'req.headers.authorization',
  'req.headers["x-callback-id"]',
  'req.query.token',
  'req.query.password',
  'headers.authorization',
  'headers.token',
];

export function createLogger(opts: { level?: string; name?: string; pretty?: boolean } = {}): Logger {
  // pino-pretty is a development dependency, not in the production image (NODE_ENV=production):
  // there logs are JSON, whatever PRETTY_LOGS says.
  const production = process.env.NODE_ENV === 'production';
  const pretty = !production && (opts.pretty ?? (process.stdout.isTTY && process.env.NODE_ENV !== 'test'));
  return pino({
    name: opts.name ?? 'kurir',
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } }
      : {}),
  });
}

export type { Logger };
