// The events of one OTP workflow: each code sent, and how it ended. Never the code or its hash.
import { workflowInfo } from '@temporalio/workflow';
import { EventOutbox } from './event-outbox.js';
import type { OtpSend, OtpStatus } from './otp-types.js';

const FINAL: Partial<Record<OtpStatus, 'otp.approved' | 'otp.expired' | 'otp.max_attempts_reached'>> = {
  approved: 'otp.approved',
  expired: 'otp.expired',
  max_attempts_reached: 'otp.max_attempts_reached',
};

export class OtpEvents {
  private readonly outbox = new EventOutbox();
  private readonly otpId = workflowInfo().workflowId;

  constructor(private readonly reference: string | undefined) {}

  private base() {
    return { otpId: this.otpId, ...(this.reference !== undefined ? { reference: this.reference } : {}) };
  }

  sent(send: OtpSend, step: number, expiresAt: number): void {
    this.outbox.push({
      ...this.base(),
      id: `${this.otpId}:sent:${step}`,
      type: 'otp.sent',
      provider: send.provider,
      channel: send.channel,
      occurredAt: new Date().toISOString(),
      data: {
        generation: send.generation,
        step,
        ...(send.providerMessageId ? { providerMessageId: send.providerMessageId } : {}),
        expiresAt: new Date(expiresAt).toISOString(),
      },
    });
  }

  /** How the OTP ended; a canceled OTP has no event. */
  ended(status: OtpStatus, attempts: number): void {
    const type = FINAL[status];
    if (!type) return;
    this.outbox.push({
      ...this.base(),
      id: `${this.otpId}:${status}`,
      type,
      occurredAt: new Date().toISOString(),
      data: { status, attempts },
    });
  }

  drained(): Promise<void> {
    return this.outbox.drained();
  }
}
