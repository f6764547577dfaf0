// Why an OTP update is refused: the ApplicationFailure types the OTP workflow's validators throw
// and the client maps to HTTP statuses and CLI exit codes. A refusal is told by its type, never
// by its message text (which is for people and may be reworded).
export const OTP_REFUSAL = {
  /** The OTP is approved, expired, canceled or out of attempts: nothing is compared any more. */
  notPending: 'OtpNotPending',
  /** A resend inside the cooldown. */
  cooldown: 'OtpCooldown',
  /** A code hash for an OTP its provider verifies (EngageLab): ask the provider instead. */
  providerMode: 'OtpProviderMode',
  /** A provider's verdict for an OTP kurir verifies itself. */
  engineMode: 'OtpEngineMode',
  /** The submitted hash is not a hex HMAC-SHA256. */
  invalidCodeHash: 'InvalidCodeHash',
  /** The per-number send limit is reached (the activity's error class, activities/otp-activities.ts). */
  sendLimit: 'OtpSendLimitError',
} as const;

export type OtpRefusalType = (typeof OTP_REFUSAL)[keyof typeof OTP_REFUSAL];
