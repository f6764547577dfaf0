// The fallback rules as pure functions: no Temporal, no I/O, unit-testable.
import { parseDurationMs } from '../domain/durations.js';
import { STATUS_RANK, TERMINAL_STATUSES, UNMAPPED } from '../domain/statuses.js';
import type { Attempt, CanonicalStatus, FallbackReason, StatusUpdate } from './types.js';

/** Status rank (domain/statuses.ts): status only moves forward. */
export const RANK = STATUS_RANK;

export function isTerminal(status: CanonicalStatus | undefined): boolean {
  return status !== undefined && TERMINAL_STATUSES.has(status);
}

/**
 * Applies a provider status to an attempt. Status only moves forward and stops at a terminal
 * status; every distinct report is kept in the timeline (applied or not), duplicates are dropped.
 * Returns true when the attempt's status changed.
 */
export function applyStatus(attempt: Attempt, update: StatusUpdate): boolean {
  const duplicate = attempt.timeline.some(
    (e) => e.status === update.status && e.providerCode === update.providerCode && e.at === update.occurredAt,
  );
  if (duplicate) return false;
  const current = attempt.status;
  const status = update.status;
  const moves =
    status !== UNMAPPED && (current === undefined || (!isTerminal(current) && RANK[status] > RANK[current]));
  attempt.timeline.push({
    status,
    at: update.occurredAt,
    ...(update.rawStatus !== undefined ? { rawStatus: update.rawStatus } : {}),
    ...(update.providerTime !== undefined ? { providerTime: update.providerTime } : {}),
    ...(update.channel !== undefined ? { channel: update.channel } : {}),
    providerCode: update.providerCode,
    source: update.source,
    applied: moves,
  });
  if (status === UNMAPPED) return false;
  // A late "sent" after "read" still tells when it was sent: milestones are kept either way.
  recordMilestone(attempt, { ...update, status });
  if (moves) attempt.status = status;
  return moves;
}

function recordMilestone(attempt: Attempt, update: StatusUpdate & { status: CanonicalStatus }): void {
  const key =
    update.status === 'accepted' || update.status === 'queued'
      ? 'acceptedAt'
      : update.status === 'sent'
        ? 'sentAt'
        : update.status === 'delivered'
          ? 'deliveredAt'
          : update.status === 'read'
            ? 'readAt'
            : undefined;
  if (key && !attempt[key]) attempt[key] = update.occurredAt;
}

export interface FallbackRules {
  onInvalidNumber: boolean;
  onFailure: boolean;
  notDeliveredWithin?: string;
  notReadWithin?: string;
}

export type Decision =
  | { kind: 'success' }
  | { kind: 'fallback'; reason: FallbackReason }
  | { kind: 'stop' }
  | { kind: 'wait'; until: number; onTimeout: FallbackReason | 'track_end' };

function at(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}

/**
 * What the attempt means now. `trackUntil` bounds waiting when no rule ends it sooner.
 * Durations are measured from provider timestamps, so a late callback does not extend a wait.
 */
export function decide(attempt: Attempt, rules: FallbackRules, now: number, trackUntil: number): Decision {
  const status = attempt.status;
  if (status === 'read') return { kind: 'success' };
  if (status === 'invalid_number')
    return rules.onInvalidNumber ? { kind: 'fallback', reason: 'invalid_number' } : { kind: 'stop' };
  if (status === 'failed' || status === 'expired')
    return rules.onFailure ? { kind: 'fallback', reason: 'failed' } : { kind: 'stop' };

  const notRead = rules.notReadWithin ? parseDurationMs(rules.notReadWithin) : undefined;
  const notDelivered = rules.notDeliveredWithin ? parseDurationMs(rules.notDeliveredWithin) : undefined;
  const deadlines: Array<{ until: number; reason: FallbackReason }> = [];
  if (status === 'delivered') {
    if (notRead === undefined) return { kind: 'success' };
    deadlines.push({ until: (at(attempt.deliveredAt) ?? now) + notRead, reason: 'not_read' });
  } else {
    // sent, or only accepted/queued: measured from sent, or from acceptance when no "sent" came.
    const base = at(attempt.sentAt) ?? at(attempt.acceptedAt) ?? now;
    if (notDelivered !== undefined) deadlines.push({ until: base + notDelivered, reason: 'not_delivered' });
    if (notRead !== undefined) deadlines.push({ until: base + notRead, reason: 'not_read' });
  }
  deadlines.sort((a, b) => a.until - b.until);
  const first = deadlines[0];
  if (first && first.until <= now) return { kind: 'fallback', reason: first.reason };
  if (first && first.until < trackUntil) return { kind: 'wait', until: first.until, onTimeout: first.reason };
  if (trackUntil <= now) return { kind: 'stop' };
  return { kind: 'wait', until: trackUntil, onTimeout: 'track_end' };
}

/** The better of two attempts for a parallel send's outcome. */
export function bestAttempt(attempts: Attempt[]): Attempt | undefined {
  const score = (a: Attempt) =>
    a.status === 'read'
      ? 10
      : a.status === 'delivered'
        ? 9
        : a.status === undefined
          ? -1
          : isTerminal(a.status)
            ? 0
            : RANK[a.status] + 1;
  return [...attempts].sort((a, b) => score(b) - score(a))[0];
}
