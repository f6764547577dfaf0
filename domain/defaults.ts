// Input defaults, once: the zod schemas at the edges (API, SDK, CLI) apply them, and the workflows
// apply the same ones to raw JSON from any other Temporal client.
export const MESSAGE_DEFAULTS = {
  trackFor: '1 day',
  pollAfter: '30 seconds',
  pollMax: '30 minutes',
  onInvalidNumber: true,
  onFailure: true,
} as const;

export const OTP_DEFAULTS = {
  codeLength: 6,
  /** EngageLab's verify_code_type bitmask: 1 = digits. */
  codeType: 1,
  ttl: '5 minutes',
  resendCooldown: '30 seconds',
  deliveryWindow: '30 seconds',
  maxAttempts: 5,
} as const;
