// Typed errors of the kurir client.
import type { z } from 'zod';

/** Input that does not match the schema; `field` is the first failing path, e.g. "steps.0.provider". */
export class KurirValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(`${field}: ${message}`);
    this.name = 'KurirValidationError';
  }
}

/** A setting the call needs is missing (an API key, the OTP HMAC key): the SDK has no development fallbacks. */
export class KurirConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'KurirConfigError';
  }
}

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const first = result.error.issues[0]!;
  throw new KurirValidationError(first.path.join('.') || 'input', first.message, result.error.issues);
}
