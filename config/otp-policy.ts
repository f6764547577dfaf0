// The OTP policy (domain/otp-policy.ts) from its variables.
import type { OtpPolicy } from '../domain/otp-policy.js';
import type { Config } from './index.js';

export function otpPolicyOf(config: Config): OtpPolicy {
  return {
    minResendCooldown: config.OTP_MIN_RESEND_COOLDOWN,
    maxTtl: config.OTP_MAX_TTL,
    minDigitCodeLength: config.OTP_MIN_CODE_LENGTH,
    maxAttempts: config.OTP_MAX_ATTEMPTS,
  };
}
