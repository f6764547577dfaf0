// The server's floors and ceilings on what a caller may ask of an OTP (security review L11): a
// 1 ms resend cooldown, a code valid for a year, a 4-digit code or 20 guesses make a code easy to
// pump or to guess. The API and the CLI check requests against them; the bounds are configuration.
import { parseDurationMs } from './durations.js';

export interface OtpPolicy {
  minResendCooldown: string;
  maxTtl: string;
  /** For codes of digits only; codes with letters keep the schema's 4. */
  minDigitCodeLength: number;
  maxAttempts: number;
}

/** What a request asks for (the parsed OTP input's fields that the policy bounds). */
interface OtpAsk {
  resendCooldown: string;
  maxAttempts: number;
  code: { length: number; type: number; ttl: string };
}

export interface OtpPolicyViolation {
  field: string;
  message: string;
}

const ms = (d: string) => parseDurationMs(d) ?? 0;

/** The first field outside the policy, with a message naming the bound and its variable; undefined when within. */
export function otpPolicyViolation(input: OtpAsk, policy: OtpPolicy): OtpPolicyViolation | undefined {
  if (ms(input.resendCooldown) < ms(policy.minResendCooldown))
    return {
      field: 'resendCooldown',
      message: `must be at least ${policy.minResendCooldown} (OTP_MIN_RESEND_COOLDOWN)`,
    };
  if (ms(input.code.ttl) > ms(policy.maxTtl))
    return { field: 'code.ttl', message: `must be at most ${policy.maxTtl} (OTP_MAX_TTL)` };
  if (input.code.type === 1 && input.code.length < policy.minDigitCodeLength)
    return {
      field: 'code.length',
      message: `must be at least ${policy.minDigitCodeLength} for a code of digits (OTP_MIN_CODE_LENGTH)`,
    };
  if (input.maxAttempts > policy.maxAttempts)
    return { field: 'maxAttempts', message: `must be at most ${policy.maxAttempts} (OTP_MAX_ATTEMPTS)` };
  return undefined;
}
