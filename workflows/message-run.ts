// One message's fallback state machine: its steps, sends, tracking and rules, over an environment
// that supplies activities, timers and event writes. The message workflow runs one with its own
// activities and timers (workflows/message.ts); a campaign runs many in one workflow, sharing
// batched activities, one timer and one event write (workflows/recipient-runner.ts).
import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { SendStepInput, SendStepResult, SendStepSkipped } from '../activities/message-activities.js';
import { MESSAGE_DEFAULTS } from '../domain/defaults.js';
import { invalidInput, requirePositiveDuration } from '../domain/failures.js';
import { E164_MESSAGE, isE164 } from '../domain/phone.js';
import { UNMAPPED } from '../domain/statuses.js';
import {
  applyStatus,
  bestAttempt,
  decide,
  isTerminal,
  noteSkippedRules,
  shortestTimedRuleMs,
  type FallbackRules,
} from './policy.js';
import type {
  Attempt,
  FallbackReason,
  MessageResult,
  MessageStatus,
  ProviderName,
  StatusUpdate,
  TrackingSnapshot,
  TrackState,
} from './types.js';
import type { MessageInputRaw, Step } from '../schemas/message.js';
import { EVENT_HOLD_MS, MessageEvents, type EventSink } from './message-events.js';

/** A wait for a change or a deadline (workflows/wake-timer.ts, or a campaign's shared clock). */
export interface Waiter {
  /** Resolves true when `changed()` holds, false when `deadline` (workflow time, ms) passes first. */
  until(deadline: number, changed: () => boolean): Promise<boolean>;
  cancel(): void;
}

/** What a message needs from where it runs. Activity calls keep their retry policies inside. */
export interface MessageEnv {
  messageId: string;
  campaignId?: string;
  events: EventSink;
  checkNumber(input: {
    provider: ProviderName;
    to: string;
  }): Promise<{ supported: boolean; valid: boolean; providerCode?: string }>;
  pickProvider(input: { providers: ProviderName[] }): Promise<ProviderName>;
  sendStep(input: SendStepInput): Promise<SendStepResult | SendStepSkipped>;
  fetchStatus(input: {
    provider: ProviderName;
    providerMessageId: string;
  }): Promise<{ supported: boolean; updates: StatusUpdate[] }>;
  waiter(): Waiter;
}

export interface Normalized {
  to: string;
  reference?: string;
  steps: Step[];
  rules: FallbackRules;
  mode: 'sequential' | 'parallel';
  precheck: boolean;
  trackForMs: number;
  pollAfterMs: number;
  pollMaxMs: number;
}

/** Applies the defaults of schemas/message.ts, since any Temporal client may start this workflow with raw JSON. */
export function normalize(input: MessageInputRaw): Normalized {
  if (!input || !isE164(input.to)) throw invalidInput(`to: ${E164_MESSAGE}`);
  if (!Array.isArray(input.steps) || input.steps.length === 0)
    throw invalidInput('steps: at least one step is required');
  const fb = input.fallback ?? {};
  for (const key of ['notDeliveredWithin', 'notReadWithin'] as const)
    if (fb[key] !== undefined) requirePositiveDuration(fb[key], '', `fallback.${key}`);
  const rules: FallbackRules = {
    onInvalidNumber: fb.onInvalidNumber ?? MESSAGE_DEFAULTS.onInvalidNumber,
    onFailure: fb.onFailure ?? MESSAGE_DEFAULTS.onFailure,
    notDeliveredWithin: fb.notDeliveredWithin,
    notReadWithin: fb.notReadWithin,
  };
  const pollAfterMs = requirePositiveDuration(input.pollAfter, MESSAGE_DEFAULTS.pollAfter, 'pollAfter');
  const shortest = shortestTimedRuleMs(rules);
  return {
    to: input.to,
    reference: input.reference,
    // `"provider": [a, b]` from a raw JSON start: a, with b as its alternative (as schemas/message.ts reads it).
    steps: input.steps.map(({ provider, ...step }) =>
      Array.isArray(provider)
        ? { ...step, provider: provider[0]!, alternatives: [...provider.slice(1), ...(step.alternatives ?? [])] }
        : { ...step, provider },
    ),
    rules,
    mode: input.mode ?? 'sequential',
    precheck: input.precheck ?? false,
    trackForMs: requirePositiveDuration(input.trackFor, MESSAGE_DEFAULTS.trackFor, 'trackFor'),
    // The default first poll comes before the shortest rule it protects, so a lost callback is
    // looked up before the rule could fire on it; a pollAfter the caller gave is kept as given.
    pollAfterMs:
      input.pollAfter === undefined && shortest !== undefined
        ? Math.max(1_000, Math.min(pollAfterMs, Math.floor(shortest / 2)))
        : pollAfterMs,
    pollMaxMs: requirePositiveDuration(input.pollMax, MESSAGE_DEFAULTS.pollMax, 'pollMax'),
  };
}

const isTimed = (reason: FallbackReason) => reason === 'not_delivered' || reason === 'not_read';

function errorType(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  return { type: 'Error', message: cause instanceof Error ? cause.message : String(cause) };
}

export interface MessageRun {
  readonly input: Normalized;
  readonly events: MessageEvents;
  /** A status report from a callback, a poll or the relay. */
  receive: (update: StatusUpdate) => void;
  /** Stops further steps; says whether the message was still pending. */
  cancel: () => { canceled: boolean };
  status: () => MessageStatus;
  /** Runs the steps to the outcome (the caller adds the completion event: events.completed). */
  run: () => Promise<MessageResult>;
  /** True while the message only waits for news or a deadline: no activity of its is in flight. */
  parkable: () => boolean;
  /**
   * Stops the message where it waits (parkable only) and returns its state; `run()` then never
   * settles. A new run created with this snapshot goes on tracking without sending again.
   */
  park: () => TrackingSnapshot;
}

/**
 * A message's state machine over `env` (throws the invalid-input failure on bad input). With
 * `resume` (a parked message's snapshot) it goes on tracking that step instead of starting anew.
 */
export function createMessageRun(raw: MessageInputRaw, env: MessageEnv, resume?: TrackingSnapshot): MessageRun {
  const input = normalize(raw);
  const workflowId = env.messageId;
  const events = new MessageEvents(
    { messageId: env.messageId, ...(env.campaignId ? { campaignId: env.campaignId } : {}) },
    input.reference,
    input.rules,
    env.events,
  );
  const attempts: Attempt[] = [...(resume?.attempts ?? [])];
  // Status reports for provider messages no attempt owns yet (the callback overtook the send answer).
  const unmatched: StatusUpdate[] = [...(resume?.unmatched ?? [])];
  let changes = 0;
  let canceled = false;
  let currentStep = resume?.currentStep ?? 0;
  let outcome: MessageResult['outcome'] | undefined = undefined;
  // Set while the tracking loop waits (and nothing else of this message is in flight).
  let waiting: { attempt: Attempt; state: TrackState; timer: Waiter } | undefined;
  let parked = false;

  const owner = (u: StatusUpdate) =>
    attempts.find((a) => a.provider === u.provider && a.providerMessageId === u.providerMessageId);
  const receive = (u: StatusUpdate) => {
    const attempt = owner(u);
    if (!attempt) {
      unmatched.push(u);
      return;
    }
    const before = attempt.timeline.length;
    if (applyStatus(attempt, u)) {
      changes++;
      events.status(attempt);
    } else if (u.status === UNMAPPED && attempt.timeline.length > before) {
      events.unmapped(attempt, attempt.timeline[before]!, before);
    }
  };
  const cancel = () => {
    const pending = outcome === undefined;
    canceled = true;
    changes++;
    return { canceled: pending };
  };

  /** The step's provider, or the first healthy alternative (db/circuits.ts); the first one when that cannot be read. */
  async function healthyProvider(candidates: ProviderName[]): Promise<ProviderName> {
    if (candidates.length < 2) return candidates[0]!;
    try {
      return await env.pickProvider({ providers: candidates });
    } catch (err) {
      log.warn('provider health unreadable; sending with the first provider', { type: errorType(err).type });
      return candidates[0]!;
    }
  }

  /**
   * A status lookup whose retries all failed (a provider outage, an answer it cannot read) is no news,
   * not the end of the message: tracking goes on, and the timed rules decide as they would anyway.
   */
  async function lookUp(provider: Step['provider'], providerMessageId: string) {
    try {
      return await env.fetchStatus({ provider, providerMessageId });
    } catch (err) {
      log.warn('status lookup failed; tracking goes on', { provider, type: errorType(err).type });
      return { supported: true, updates: [] as StatusUpdate[] };
    }
  }

  const status = (): MessageStatus => ({
    state: outcome === undefined ? 'running' : 'completed',
    mode: input.mode,
    reference: input.reference,
    currentStep,
    attempts,
    outcome,
  });

  const newTrackState = (): TrackState => ({
    until: Date.now() + input.trackForMs,
    pollDelay: input.pollAfterMs,
    nextPoll: Date.now() + input.pollAfterMs,
    pollSupported: true,
    reconciled: [],
  });

  async function track(attempt: Attempt, state: TrackState): Promise<'success' | 'stop' | 'fallback'> {
    const trackUntil = state.until;
    const timer = env.waiter();
    try {
      for (;;) {
        if (canceled) return 'stop';
        const decision = decide(attempt, input.rules, Date.now(), trackUntil);
        if (decision.kind === 'success' || decision.kind === 'stop') return decision.kind;
        if (decision.kind === 'fallback') {
          // A timed rule is due: ask the provider once and decide on its fresh answer (a lost
          // "read" callback must not send a second message).
          if (
            isTimed(decision.reason) &&
            state.pollSupported &&
            attempt.providerMessageId &&
            !state.reconciled.includes(decision.reason)
          ) {
            state.reconciled.push(decision.reason);
            const polled = await lookUp(attempt.provider, attempt.providerMessageId);
            state.pollSupported = polled.supported;
            if (polled.supported) {
              for (const u of polled.updates) receive({ ...u, source: 'reconcile' });
              const again = decide(attempt, input.rules, Date.now(), trackUntil);
              const fellBack = again.kind === 'fallback' && again.reason === decision.reason;
              (attempt.checks ??= []).push({
                at: new Date().toISOString(),
                rule: decision.reason,
                ...(polled.updates.length > 0 ? { status: polled.updates[polled.updates.length - 1]!.status } : {}),
                fellBack,
              });
              changes++;
              continue;
            }
          }
          attempt.fallback = { reason: decision.reason, at: new Date().toISOString() };
          return 'fallback';
        }
        // Observers see what a rule judges before it fires, even when it fires within the hold.
        if (decision.onTimeout !== 'track_end' && decision.until - Date.now() <= EVENT_HOLD_MS) events.flushNow();
        const seen = changes;
        const due =
          state.pollSupported && !isTerminal(attempt.status)
            ? Math.min(decision.until, state.nextPoll)
            : decision.until;
        // Queued events whose hold has ended are written now; otherwise the wait ends with the hold.
        if ((events.holdUntil() ?? Infinity) <= Date.now()) events.flushNow();
        const wakeAt = Math.min(due, events.holdUntil() ?? Infinity);
        waiting = { attempt, state, timer };
        const changed = await timer.until(wakeAt, () => changes !== seen || canceled);
        waiting = undefined;
        // Parked: this run's state went to another run, which goes on from here.
        if (parked) await new Promise<never>(() => undefined);
        if (changed || Date.now() < state.nextPoll || !state.pollSupported || !attempt.providerMessageId) continue;
        // No news: ask the provider (a lost callback never blocks the flow), then back off.
        const polled = await lookUp(attempt.provider, attempt.providerMessageId);
        state.pollSupported = polled.supported;
        for (const u of polled.updates) receive(u);
        state.pollDelay = Math.min(state.pollDelay * 2, input.pollMaxMs);
        state.nextPoll = Date.now() + state.pollDelay;
      }
    } finally {
      timer.cancel();
    }
  }

  /** Sends one step and follows it until the rules say success, stop or fall back. */
  async function runStep(index: number): Promise<'success' | 'stop' | 'fallback'> {
    const step = input.steps[index]!;
    const attempt: Attempt = {
      step: index,
      channel: step.channel,
      provider: step.provider,
      state: 'sending',
      timeline: [],
    };
    attempts.push(attempt);
    if (input.precheck) {
      attempt.state = 'checking';
      const check = await env.checkNumber({ provider: attempt.provider, to: input.to });
      if (check.supported && !check.valid) {
        attempt.state = 'skipped';
        applyStatus(attempt, {
          provider: attempt.provider,
          providerMessageId: '',
          status: 'invalid_number',
          occurredAt: new Date().toISOString(),
          providerCode: check.providerCode,
          source: 'precheck',
        });
        events.status(attempt);
        attempt.fallback = { reason: 'invalid_number', at: new Date().toISOString() };
        return 'fallback';
      }
      attempt.state = 'sending';
    }
    if (canceled) {
      attempt.state = 'skipped';
      return 'stop';
    }
    const candidates = [...new Set([step.provider, ...(step.alternatives ?? [])])];
    attempt.provider = await healthyProvider(candidates);
    // A failed send (a provider down, its circuit open) goes to the step's next provider, if any.
    for (;;) {
      try {
        const sent = await env.sendStep({
          workflowId,
          stepIndex: index,
          to: input.to,
          reference: input.reference,
          // Its alternatives are the providers after it: with none left, an open circuit still sends.
          step: {
            ...step,
            provider: attempt.provider,
            alternatives: candidates.slice(candidates.indexOf(attempt.provider) + 1),
          },
        });
        if ('skipped' in sent) {
          // Not sent at all: the next step (if its channel is not suppressed too) goes instead.
          attempt.state = 'skipped';
          attempt.error = {
            type: sent.skipped === 'suppressed' ? 'Suppressed' : 'OutsideServiceWindow',
            message: sent.detail,
          };
          attempt.fallback = { reason: sent.skipped, at: new Date().toISOString() };
          if (sent.skipped === 'suppressed') events.suppressed(attempt);
          return 'fallback';
        }
        attempt.providerMessageId = sent.providerMessageId;
        if (sent.form) attempt.form = sent.form;
        if (sent.reports) attempt.reports = sent.reports;
        if (sent.legs) attempt.legs = sent.legs;
        noteSkippedRules(attempt, input.rules);
        applyStatus(attempt, {
          provider: attempt.provider,
          providerMessageId: sent.providerMessageId,
          status: sent.status,
          occurredAt: sent.acceptedAt,
          providerCode: sent.providerCode,
          source: 'send',
        });
        events.accepted(attempt);
        break;
      } catch (err) {
        const error = errorType(err);
        const next =
          error.type === 'InvalidNumberError' ? undefined : candidates[candidates.indexOf(attempt.provider) + 1];
        if (next) {
          log.warn('step send failed; trying the next provider', {
            step: index,
            provider: attempt.provider,
            next,
            type: error.type,
          });
          (attempt.failovers ??= []).push({
            from: attempt.provider,
            to: next,
            error: error.type,
            at: new Date().toISOString(),
          });
          attempt.provider = next;
          continue;
        }
        attempt.error = error;
        const status = error.type === 'InvalidNumberError' ? 'invalid_number' : 'failed';
        applyStatus(attempt, {
          provider: attempt.provider,
          providerMessageId: '',
          status,
          occurredAt: new Date().toISOString(),
          providerCode: error.type,
          source: 'send',
        });
        events.status(attempt);
        log.warn('step send failed', { step: index, provider: attempt.provider, type: error.type });
        break;
      }
    }
    // Reports that arrived before the send answer now have an owner.
    for (const u of unmatched.splice(0).filter((u) => u.provider === attempt.provider)) receive(u);
    attempt.state = 'tracking';
    return finishTracking(attempt, newTrackState());
  }

  async function finishTracking(attempt: Attempt, state: TrackState): Promise<'success' | 'stop' | 'fallback'> {
    const result = await track(attempt, state);
    attempt.state = 'done';
    return result;
  }

  async function run(): Promise<MessageResult> {
    if (input.mode === 'parallel') {
      await Promise.all(input.steps.map((_, i) => runStep(i)));
    } else {
      for (let resumed = resume; currentStep < input.steps.length; currentStep++) {
        // A resumed message goes on tracking the step its snapshot was taken in (its last attempt).
        const result = resumed
          ? await finishTracking(attempts[attempts.length - 1]!, resumed.track)
          : await runStep(currentStep);
        resumed = undefined;
        if (result !== 'fallback' || currentStep === input.steps.length - 1) break;
        const last = attempts[attempts.length - 1];
        if (last?.fallback) {
          last.fallback.toStep = currentStep + 1;
          const next = input.steps[currentStep + 1]!;
          events.fallback(last, { step: currentStep + 1, provider: next.provider, channel: next.channel });
        }
      }
    }

    // Sequential or parallel, the outcome is the best status any step reached, with that step. On a
    // tie a sequential message names its later step (the one its fallback chose), a parallel one its first.
    const best = bestAttempt(input.mode === 'parallel' ? attempts : [...attempts].reverse());
    const allSuppressed = attempts.length > 0 && attempts.every((a) => a.fallback?.reason === 'suppressed');
    outcome =
      canceled && best?.status !== 'read' && best?.status !== 'delivered'
        ? 'canceled'
        : (best?.status ?? (allSuppressed ? 'suppressed' : 'failed'));
    return { outcome, deliveredBy: best?.provider, step: best?.step, attempts };
  }

  // Only a sequential message tracking its latest step: parallel steps track side by side.
  const parkable = () =>
    input.mode === 'sequential' &&
    !parked &&
    waiting !== undefined &&
    waiting.attempt === attempts[attempts.length - 1];

  function park(): TrackingSnapshot {
    if (!parkable() || !waiting) throw new Error(`${env.messageId} cannot be parked now`);
    parked = true;
    waiting.timer.cancel();
    return {
      attempts,
      currentStep,
      unmatched,
      track: { ...waiting.state, reconciled: [...waiting.state.reconciled] },
    };
  }

  return { input, events, receive, cancel, status, run, parkable, park };
}
