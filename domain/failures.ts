// Failure type names that retrying cannot fix: the class names of providers/errors.ts, which
// the send activities throw. Workflows list them as nonRetryableErrorTypes.
import { ApplicationFailure } from '@temporalio/common';
import { parseDurationMs } from './durations.js';

export const NON_RETRYABLE_PROVIDER_ERRORS = [
  'InvalidNumberError',
  'AuthenticationError',
  'InsufficientCreditError',
  'BadRequestError',
  'SendRejectedError',
] as const;

/** A workflow input a workflow cannot run with (any client may start it with raw JSON). */
export function invalidInput(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'InvalidInput');
}

/** Milliseconds of a positive duration, `fallback` when unset; InvalidInput naming the field otherwise. */
export function requirePositiveDuration(value: string | undefined, fallback: string, field: string): number {
  const ms = parseDurationMs(value ?? fallback);
  if (ms === undefined || ms <= 0) throw invalidInput(`${field}: "${value}" is not a duration`);
  return ms;
}
