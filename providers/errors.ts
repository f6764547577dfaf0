// Named provider errors. Activities list the class names of the non-retryable ones in
// `nonRetryableErrorTypes`, so the class name is part of the contract: never rename lightly.

export interface ProviderErrorDetails {
  provider?: string;
  providerCode?: string | number;
  httpStatus?: number;
  field?: string;
  cause?: unknown;
}

export abstract class ProviderError extends Error {
  abstract readonly retryable: boolean;
  readonly provider?: string;
  readonly providerCode?: string;
  readonly httpStatus?: number;
  readonly field?: string;

  constructor(message: string, details: ProviderErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.provider = details.provider;
    this.providerCode = details.providerCode === undefined ? undefined : String(details.providerCode);
    this.httpStatus = details.httpStatus;
    this.field = details.field;
  }
}

/** The recipient is not a valid number (or not on the channel, e.g. not on WhatsApp). */
export class InvalidNumberError extends ProviderError {
  readonly retryable = false;
}
/** Credentials are wrong, expired beyond refresh, or the caller IP is not allowed. */
export class AuthenticationError extends ProviderError {
  readonly retryable = false;
}
/** The account has no credit left. */
export class InsufficientCreditError extends ProviderError {
  readonly retryable = false;
}
/** The request is malformed or violates the provider's rules; `field` names the culprit when known. */
export class BadRequestError extends ProviderError {
  readonly retryable = false;
}
/** The provider asked us to slow down: retry later. */
export class RateLimitedError extends ProviderError {
  readonly retryable = true;
}
/**
 * Our own pacer found no send slot soon enough (activities/send-pacer.ts): the provider was not
 * asked. A campaign recipient's send waits and tries again without spending one of its attempts.
 */
export class NoSendSlotError extends RateLimitedError {
  constructor(
    message: string,
    /** When a slot should be free again. */
    readonly retryAfterMs: number,
    details: ProviderErrorDetails = {},
  ) {
    super(message, details);
  }
}
/** Network failure, timeout, 5xx or a provider-side vendor error: retry. */
export class ProviderUnavailableError extends ProviderError {
  readonly retryable = true;
}
/** The provider rejected the message for a reason retrying cannot fix (e.g. blacklisted target). */
export class SendRejectedError extends ProviderError {
  readonly retryable = false;
}
