// Request validation shared by the provider clients: a zod failure becomes a BadRequestError
// naming the provider and the first offending field, before any HTTP call is made.
import type { z } from 'zod';
import { BadRequestError } from './errors.js';

export interface FieldOptions {
  /** Put before the zod path (e.g. "verify_code_config."). */
  prefix?: string;
  /** Our own name for a provider field, shown beside it (e.g. recipient_number → to). */
  ours?: (providerField: string) => string | undefined;
}

export function validationError(provider: string, error: z.ZodError, opts: FieldOptions = {}): BadRequestError {
  const issue = error.issues[0];
  const field = (opts.prefix ?? '') + (issue?.path.map(String).join('.') ?? '');
  const ours = issue?.path[0] === undefined ? undefined : opts.ours?.(String(issue.path[0]));
  return new BadRequestError(
    `${provider}: ${field || 'request'}${ours ? ` (${ours})` : ''}: ${issue?.message ?? 'is invalid'}`,
    { provider, field: field || undefined },
  );
}

export function parseOrThrow<S extends z.ZodType>(
  provider: string,
  schema: S,
  value: unknown,
  opts: FieldOptions = {},
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(provider, r.error, opts);
  return r.data;
}

export interface ProviderValidation {
  validationError: (error: z.ZodError, opts?: FieldOptions) => BadRequestError;
  parseOrThrow: <S extends z.ZodType>(schema: S, value: unknown, opts?: FieldOptions) => z.output<S>;
}

/** The two helpers bound to one provider (and its field names), so each client has one line, not two wrappers. */
export function providerValidation(provider: string, defaults: FieldOptions = {}): ProviderValidation {
  return {
    validationError: (error, opts = {}) => validationError(provider, error, { ...defaults, ...opts }),
    parseOrThrow: (schema, value, opts = {}) => parseOrThrow(provider, schema, value, { ...defaults, ...opts }),
  };
}
