// The fallback rules as pure functions: no Temporal, no I/O, unit-testable.
import { parseDurationMs } from '../domain/durations.js';
import { STATUS_RANK, TERMINAL_STATUSES, UNMAPPED } from '../domain/statuses.js';
import type { Attempt, CanonicalStatus, FallbackReason, StatusUpdate, TimedRule } from './types.js';

/** Status rank (domain/statuses.ts): status only moves forward. */
export const RANK = STATUS_RANK;

export function isTerminal(status: CanonicalStatus | undefined): boolean {
  return status !== undefined && TERMINAL_STATUSES.has(status);
}

/**
 * Applies a provider status to an attempt. Status only moves forward and stops at a terminal
 * status; every distinct report is kept in the timeline (applied or not), repeats are dropped.
 * An `unmapped` report is kept with its raw value and never moves the status.
 * Returns true when the attempt's status changed.
 */
export function applyStatus(attempt: Attempt, update: StatusUpdate): boolean {
  // The same report again (a retried callback, a poll repeating what a callback said, a lookup
  // answer dated at receipt each time): status, code, raw value and leg are what make it news.
  const duplicate = attempt.timeline.some(
    (e) =>
      e.status === update.status &&
      e.providerCode === update.providerCode &&
      e.rawStatus === update.rawStatus &&
      e.channel === update.channel,
  );
  if (duplicate) return false;
  const current = attempt.status;
  const status = update.status;
  const moves =
    status !== UNMAPPED &&
    !failedLegWithNext(attempt, update) &&
    (current === undefined || (!isTerminal(current) && RANK[status] > RANK[current]));
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
  if (moves) {
    attempt.status = status;
    if (update.channel !== undefined) attempt.legChannel = update.channel;
  }
  return moves;
}

/**
 * A failure on a leg the provider follows with another channel (EngageLab `whatsapp|sms`: the
 * WhatsApp leg is target_invalid, SMS comes next) is not the attempt's end: the provider is still
 * working through its strategy, and a fallback of ours would send the message twice.
 */
function failedLegWithNext(attempt: Attempt, update: StatusUpdate): boolean {
  if (update.channel === undefined || !attempt.legs || !isTerminal(update.status as CanonicalStatus)) return false;
  if (update.status === 'read') return false;
  const leg = attempt.legs.indexOf(update.channel);
  return leg >= 0 && leg < attempt.legs.length - 1;
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
export function decide(attempt: Attempt, given: FallbackRules, now: number, trackUntil: number): Decision {
  const status = attempt.status;
  const rules = rulesFor(attempt, given);
  if (status === 'read') return { kind: 'success' };
  // The best status this step can report ends it: an SMS is done at delivered.
  if (status !== undefined && !isTerminal(status) && RANK[status] >= RANK[bestReportable(attempt)])
    return { kind: 'success' };
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

function bestReportable(attempt: Attempt): CanonicalStatus {
  if (!attempt.reports || attempt.reports.read) return 'read';
  return attempt.reports.delivered ? 'delivered' : 'sent';
}

/** Why a timed rule cannot apply to this step, or undefined when it can. */
export function ruleSkipReason(attempt: Attempt, rule: TimedRule): string | undefined {
  const reports = attempt.reports;
  if (!reports) return undefined;
  if (rule === 'notReadWithin' && !reports.read)
    return `${attempt.channel} via ${attempt.provider} reports no read receipts`;
  if (rule === 'notDeliveredWithin' && !reports.delivered)
    return `${attempt.channel} via ${attempt.provider} reports no delivery`;
  return undefined;
}

/** The rules as they apply to this step: a timed rule waiting for a status it cannot report is dropped. */
export function rulesFor(attempt: Attempt, rules: FallbackRules): FallbackRules {
  const out = { ...rules };
  for (const rule of TIMED_RULES) if (out[rule] !== undefined && ruleSkipReason(attempt, rule)) delete out[rule];
  return out;
}

/** Records on the attempt which timed rules did not apply to it, and why (the API shows attempts). */
export function noteSkippedRules(attempt: Attempt, rules: FallbackRules): void {
  const skipped = TIMED_RULES.flatMap((rule) => {
    const reason = rules[rule] !== undefined ? ruleSkipReason(attempt, rule) : undefined;
    return reason ? [{ rule, reason }] : [];
  });
  if (skipped.length > 0) attempt.skippedRules = skipped;
}

const TIMED_RULES: readonly TimedRule[] = ['notDeliveredWithin', 'notReadWithin'];

/** The shortest timed rule, for the first status poll to come before it. */
export function shortestTimedRuleMs(rules: FallbackRules): number | undefined {
  const ms = TIMED_RULES.flatMap((r) => {
    const v = rules[r] === undefined ? undefined : parseDurationMs(rules[r]);
    return v === undefined ? [] : [v];
  });
  return ms.length > 0 ? Math.min(...ms) : undefined;
}

/** The best of the attempts: the outcome of a parallel send, and of a sequential one (the step that got furthest). */
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
