// pino: pretty, coloured lines on a development terminal, JSON elsewhere (LOG_FORMAT decides).
// Secrets are redacted wherever they appear in a logged object, so a provider client or request
// log can never print them.
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

export type LogFormat = 'pretty' | 'json';

interface FormatSettings {
  NODE_ENV?: string;
  LOG_FORMAT?: LogFormat;
  /** The older spelling: true = pretty, false = json. LOG_FORMAT wins. */
  PRETTY_LOGS?: boolean;
}

/**
 * LOG_FORMAT, else PRETTY_LOGS, else pretty on an interactive terminal in development and JSON
 * otherwise (pipes, files, log collectors, tests). Production is always JSON: pino-pretty is a
 * development dependency, not in the image.
 */
export function logFormat(settings: FormatSettings, tty: boolean = process.stdout.isTTY === true): LogFormat {
  if (settings.NODE_ENV === 'production') return 'json';
  if (settings.LOG_FORMAT) return settings.LOG_FORMAT;
  if (settings.PRETTY_LOGS !== undefined) return settings.PRETTY_LOGS ? 'pretty' : 'json';
  return tty && (settings.NODE_ENV ?? 'development') === 'development' ? 'pretty' : 'json';
}

export function createLogger(opts: { level?: string; name?: string; format?: LogFormat } = {}): Logger {
  const format = opts.format ?? logFormat({ NODE_ENV: process.env.NODE_ENV });
  return pino({
    name: opts.name ?? 'kurir',
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(format === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            // One line per entry: time, level, (process) [component] message {fields}; pid and host
            // say nothing on a developer's machine.
            options: {
              colorize: true,
              singleLine: true,
              translateTime: 'HH:MM:ss.l',
              ignore: 'pid,hostname,component',
              messageFormat: '{if component}[{component}] {end}{msg}',
            },
          },
        }
      : {}),
  });
}

export type { Logger };
