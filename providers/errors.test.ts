// The workflows' non-retryable list (domain/failures.ts, pure) names exactly the provider error
// classes that say retrying cannot help.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NON_RETRYABLE_PROVIDER_ERRORS } from '../domain/failures.js';
import * as errors from './errors.js';

test('NON_RETRYABLE_PROVIDER_ERRORS is the set of provider errors with retryable = false', () => {
  const concrete = [
    errors.InvalidNumberError,
    errors.AuthenticationError,
    errors.InsufficientCreditError,
    errors.BadRequestError,
    errors.RateLimitedError,
    errors.NoSendSlotError,
    errors.ProviderUnavailableError,
    errors.SendRejectedError,
  ];
  const exported = Object.values(errors).filter(
    (v) => typeof v === 'function' && v.prototype instanceof errors.ProviderError,
  );
  assert.deepEqual(
    exported.map((C) => C.name).sort(),
    concrete.map((C) => C.name).sort(),
    'every provider error class is judged here',
  );
  const notRetryable = concrete
    // NoSendSlotError also takes when to ask again.
    .filter((C) => !new C('x', 0).retryable)
    .map((C) => C.name)
    .sort();
  assert.deepEqual([...NON_RETRYABLE_PROVIDER_ERRORS].sort(), notRetryable);
});
