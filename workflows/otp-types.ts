// Shapes of the OTP workflow. No code and no code hash ever appears in what it reports.
import type { CanonicalStatus, ChannelName, ProviderName } from './types.js';

export type OtpStatus = 'pending' | 'approved' | 'expired' | 'max_attempts_reached' | 'canceled';

export interface OtpSend {
  generation: number;
  channel: ChannelName;
  provider: ProviderName;
  providerMessageId?: string;
  status?: CanonicalStatus;
  at: string;
  fallback?: string;
  error?: string;
}

export interface OtpState {
  status: OtpStatus;
  mode: 'engine' | 'provider';
  reference?: string;
  channel?: ChannelName;
  attempts: number;
  attemptsLeft: number;
  expiresAt: string;
  resendAvailableAt: string;
  sends: OtpSend[];
  /** Why no code could be sent (e.g. the per-number send limit). */
  error?: string;
}

export interface VerifyResult {
  status: OtpStatus;
  attemptsLeft: number;
}
export interface ResendResult {
  channel?: ChannelName;
  expiresAt: string;
}
