// The one error handler: validation → 400 naming the field; known errors → their status;
// Temporal or the database unreachable → 503; anything else → 500 without internals.
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ServiceError } from '@temporalio/client';
import { HttpError } from './errors.js';

interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  requestId: string;
}

function isTemporalUnavailable(err: unknown): boolean {
  if (err instanceof ServiceError) return true;
  const msg = err instanceof Error ? err.message : '';
  return /Failed to connect before the deadline|UNAVAILABLE|No connection established|TransportError/i.test(msg);
}

function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '08001'].includes(code)) ||
    (err instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(err.message))
  );
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const body = (status: number, error: string, message: string, field?: string) => {
      const payload: ErrorBody = { error, message, requestId: req.id, ...(field ? { field } : {}) };
      return reply.status(status).send(payload);
    };
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const path = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') ?? '';
      const where = err.validationContext === 'body' ? path : [err.validationContext, path].filter(Boolean).join('.');
      return body(
        400,
        'validation_error',
        `${where || 'request'}: ${first?.message ?? 'is invalid'}`,
        where || undefined,
      );
    }
    if (err instanceof HttpError) return body(err.statusCode, err.code, err.message, err.field);
    if (isTemporalUnavailable(err)) {
      req.log.warn({ err }, 'temporal unavailable');
      return body(503, 'temporal_unavailable', 'Temporal is unavailable; nothing was started. Retry later.');
    }
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err }, 'database unavailable');
      return body(503, 'database_unavailable', 'The database is unavailable; nothing was stored. Retry later.');
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return body(status, err.code ?? 'bad_request', err.message);
    req.log.error({ err }, 'unhandled error');
    return body(500, 'internal_error', 'internal error');
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}`, requestId: req.id }),
  );
}
