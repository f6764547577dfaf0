// The events of one message workflow: one per status an attempt reaches, one per fallback (from/to
// step and the rule that fired) and one when the message completes. Ids are derived from the
// workflow id, the step and the change, so they are stable across retries and replays.
import type { EventType, KurirEventInput } from './event-types.js';
import type { FallbackRules } from './policy.js';
import type { Attempt, CanonicalStatus, FallbackReason, MessageResult, TimelineEntry } from './types.js';

const TYPE_OF: Record<CanonicalStatus, EventType> = {
  accepted: 'message.accepted',
  queued: 'message.accepted',
  sent: 'message.sent',
  delivered: 'message.delivered',
  read: 'message.read',
  failed: 'message.failed',
  invalid_number: 'message.failed',
  expired: 'message.failed',
};

// A skipped step falls back under no rule: its recipient opted out of its channel, or a session
// text found the customer-service window closed.
const RULE_OF: Record<Exclude<FallbackReason, 'suppressed' | 'outside_service_window'>, keyof FallbackRules> = {
  invalid_number: 'onInvalidNumber',
  failed: 'onFailure',
  not_delivered: 'notDeliveredWithin',
  not_read: 'notReadWithin',
};

/** How long a message's events may wait to be written together (see event-outbox.ts). */
export const EVENT_HOLD_MS = 2_000;

/**
 * Where a message's events go: its own outbox (workflows/event-outbox.ts) in a message workflow,
 * the campaign's outcome writes for a campaign recipient (workflows/recipient-runner.ts).
 */
export interface EventSink {
  push(event: KurirEventInput): void;
  /** Write what is queued without waiting for the rest of the hold. */
  flushNow(): void;
  /** When the queued events' hold ends (workflow time): the message wakes then. */
  holdUntil(): number | undefined;
}

export class MessageEvents {
  constructor(
    private readonly ids: { messageId: string; campaignId?: string },
    private readonly reference: string | undefined,
    private readonly rules: FallbackRules,
    private readonly outbox: EventSink,
  ) {}

  private get messageId(): string {
    return this.ids.messageId;
  }

  private get campaignId(): string | undefined {
    return this.ids.campaignId;
  }

  private base(attempt?: Attempt) {
    return {
      messageId: this.messageId,
      ...(this.campaignId ? { campaignId: this.campaignId } : {}),
      ...(this.reference !== undefined ? { reference: this.reference } : {}),
      ...(attempt ? { provider: attempt.provider, channel: attempt.channel } : {}),
    };
  }

  /** The provider took the step's message (whatever status its answer already had). */
  accepted(attempt: Attempt): void {
    this.outbox.push({
      ...this.base(attempt),
      id: `${this.messageId}:${attempt.step}:accepted`,
      type: 'message.accepted',
      occurredAt: attempt.acceptedAt ?? new Date().toISOString(),
      data: { step: attempt.step, providerMessageId: attempt.providerMessageId, status: attempt.status },
    });
    this.status(attempt);
  }

  /** The attempt's status moved: one event per status type reached. */
  status(attempt: Attempt): void {
    const status = attempt.status;
    if (!status || status === 'accepted' || status === 'queued') return;
    const type = TYPE_OF[status];
    const entry = [...attempt.timeline].reverse().find((e) => e.applied && e.status === status);
    this.outbox.push({
      ...this.base(attempt),
      id: `${this.messageId}:${attempt.step}:${type.slice('message.'.length)}`,
      type,
      occurredAt: entry?.at ?? new Date().toISOString(),
      data: {
        step: attempt.step,
        status,
        ...(attempt.providerMessageId ? { providerMessageId: attempt.providerMessageId } : {}),
        ...(entry?.providerCode ? { providerCode: entry.providerCode } : {}),
        ...(attempt.error ? { error: attempt.error.type } : {}),
      },
    });
  }

  /** A provider value no mapping knows: kept with its raw value; the status did not move. */
  unmapped(attempt: Attempt, entry: TimelineEntry, index: number): void {
    this.outbox.push({
      ...this.base(attempt),
      id: `${this.messageId}:${attempt.step}:unmapped:${index}`,
      type: 'message.unmapped',
      occurredAt: entry.at,
      data: {
        step: attempt.step,
        rawStatus: entry.rawStatus ?? '',
        source: entry.source,
        ...(attempt.providerMessageId ? { providerMessageId: attempt.providerMessageId } : {}),
        ...(entry.providerCode ? { providerCode: entry.providerCode } : {}),
        ...(attempt.status ? { status: attempt.status } : {}),
      },
    });
  }

  /** The step was not sent: its recipient opted out of its channel. */
  suppressed(attempt: Attempt): void {
    this.outbox.push({
      ...this.base(attempt),
      id: `${this.messageId}:${attempt.step}:suppressed`,
      type: 'message.suppressed',
      occurredAt: attempt.fallback?.at ?? new Date().toISOString(),
      data: { step: attempt.step },
    });
  }

  fallback(from: Attempt, to: { step: number; provider: string; channel: string }): void {
    if (!from.fallback) return;
    const reason = from.fallback.reason;
    const rule = reason === 'suppressed' || reason === 'outside_service_window' ? undefined : RULE_OF[reason];
    this.outbox.push({
      ...this.base(from),
      id: `${this.messageId}:${from.step}:fallback`,
      type: 'message.fallback',
      occurredAt: from.fallback.at,
      data: {
        fromStep: from.step,
        toStep: to.step,
        reason,
        ...(rule ? { rule } : {}),
        ...(rule && typeof this.rules[rule] === 'string' ? { ruleValue: this.rules[rule] } : {}),
        from: { provider: from.provider, channel: from.channel, status: from.status },
        to: { provider: to.provider, channel: to.channel },
      },
    });
  }

  completed(result: MessageResult): void {
    const best = result.step === undefined ? undefined : result.attempts.find((a) => a.step === result.step);
    this.outbox.push({
      ...this.base(best),
      id: `${this.messageId}:completed`,
      type: 'message.completed',
      occurredAt: new Date().toISOString(),
      data: {
        outcome: result.outcome,
        ...(result.deliveredBy ? { deliveredBy: result.deliveredBy } : {}),
        ...(result.step !== undefined ? { step: result.step } : {}),
        attempts: result.attempts.length,
      },
    });
  }

  /** Writes the queued events now: at the end of their hold, or before a rule's deadline within it. */
  flushNow(): void {
    this.outbox.flushNow();
  }

  /** When the queued events' hold ends: the message wakes then (its wait has the only timer). */
  holdUntil(): number | undefined {
    return this.outbox.holdUntil();
  }
}
