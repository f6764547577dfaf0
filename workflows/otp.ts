// OTP: send a code with channel fallback, verify it within a TTL through a Temporal Update.
// Engine mode: an activity makes the code and returns only its HMAC; the caller hashes the
// submitted code the same way, so neither the code nor anything that reveals it enters history.
// Provider mode: EngageLab makes, sends and checks the code; the workflow keeps the state.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { MessageActivities } from '../activities/message-activities.js';
import type { OtpActivities } from '../activities/otp-activities.js';
import { OTP_REFUSAL, type OtpRefusalType } from '../domain/otp-refusals.js';
import type { OtpChannel, OtpInputRaw } from '../schemas/otp.js';
import { OTP_DEFAULTS } from '../domain/defaults.js';
import { invalidInput, NON_RETRYABLE_PROVIDER_ERRORS, requirePositiveDuration } from '../domain/failures.js';
import { E164_MESSAGE, isE164 } from '../domain/phone.js';
import {
  cancelOtpUpdate,
  firstSendUpdate,
  otpStatusQuery,
  providerVerdictUpdate,
  resendOtpUpdate,
  statusUpdateSignal,
  statusUpdatesSignal,
  verifyOtpUpdate,
} from './messages.js';
import type { OtpSend, OtpState, OtpStatus, ResendResult, VerifyResult } from './otp-types.js';
import { applyStatus, decide } from './policy.js';
import { OtpEvents } from './otp-events.js';
import type { Attempt, ChannelName, StatusUpdate } from './types.js';

const { sendOtpCode, sendProviderOtp } = proxyActivities<OtpActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumAttempts: 4,
    nonRetryableErrorTypes: [...NON_RETRYABLE_PROVIDER_ERRORS, OTP_REFUSAL.sendLimit],
  },
});

const { fetchStatus } = proxyActivities<MessageActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    maximumAttempts: 3,
    nonRetryableErrorTypes: [...NON_RETRYABLE_PROVIDER_ERRORS],
  },
});

const DEFAULT_CHANNELS: Record<ChannelName, OtpChannel> = {
  whatsapp: { provider: 'wappin', template: 'otp_code', params: ['{{code}}'] },
  sms: { provider: 'sms-masking', text: 'Your verification code is {{code}}. Do not share it.' },
};

/** An update refused by its validator: the client tells refusals apart by `type` (domain/otp-refusals.ts). */
function refusal(type: OtpRefusalType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** Compares two hex digests without an early exit, so timing says nothing about the code. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

export async function otp(raw: OtpInputRaw): Promise<OtpState> {
  if (!raw || !isE164(raw.to)) throw invalidInput(`to: ${E164_MESSAGE}`);
  const otpId = workflowInfo().workflowId;
  const mode = raw.mode ?? 'engine';
  const strategy: ChannelName[] =
    typeof raw.strategy === 'string'
      ? (raw.strategy.split('|') as ChannelName[])
      : (raw.strategy ?? ['whatsapp', 'sms']);
  const code = { length: raw.code?.length ?? OTP_DEFAULTS.codeLength, type: raw.code?.type ?? OTP_DEFAULTS.codeType };
  const ttlMs = requirePositiveDuration(raw.code?.ttl, OTP_DEFAULTS.ttl, 'code.ttl');
  const cooldownMs = requirePositiveDuration(raw.resendCooldown, OTP_DEFAULTS.resendCooldown, 'resendCooldown');
  const windowMs = requirePositiveDuration(raw.deliveryWindow, OTP_DEFAULTS.deliveryWindow, 'deliveryWindow');
  const maxAttempts = raw.maxAttempts ?? OTP_DEFAULTS.maxAttempts;
  const events = new OtpEvents(raw.reference);

  let status: OtpStatus = 'pending';
  let attempts = 0;
  let generation = 0;
  let expiresAt = Date.now() + ttlMs;
  let lastSendAt = Date.now();
  let validHashes: string[] = [];
  let changes = 0;
  let failure: string | undefined;
  const sends: OtpSend[] = [];
  /** Per generation: the channel of its first successful send, or why no send succeeded. */
  const outcomes: Record<number, { channel?: ChannelName; error?: { type: string; message: string } }> = {};
  const tracked: Attempt[] = [];

  const state = (): OtpState => ({
    status,
    mode,
    reference: raw.reference,
    channel: sends.filter((s) => s.generation === generation && !s.error).at(-1)?.channel,
    attempts,
    attemptsLeft: Math.max(0, maxAttempts - attempts),
    expiresAt: new Date(expiresAt).toISOString(),
    resendAvailableAt: new Date(lastSendAt + cooldownMs).toISOString(),
    sends,
    ...(failure ? { error: failure } : {}),
  });
  const verdict = (): VerifyResult => ({ status, attemptsLeft: Math.max(0, maxAttempts - attempts) });
  /** Counts an attempt; returns the verdict. Anything but pending refuses without comparing. */
  const judge = (correct: () => boolean): VerifyResult => {
    if (status === 'pending' && Date.now() >= expiresAt) status = 'expired';
    if (status !== 'pending') return verdict();
    attempts++;
    if (correct()) status = 'approved';
    else if (attempts >= maxAttempts) status = 'max_attempts_reached';
    changes++;
    return verdict();
  };

  setHandler(otpStatusQuery, state);
  const receive = (u: StatusUpdate) => {
    const attempt = tracked.find((a) => a.provider === u.provider && a.providerMessageId === u.providerMessageId);
    if (attempt && applyStatus(attempt, u)) {
      const send = sends.find((s) => s.providerMessageId === u.providerMessageId);
      if (send) {
        send.status = attempt.status;
        // Provider mode: the leg that got the code out is the channel the OTP is pending on.
        if (attempt.legChannel) send.channel = attempt.legChannel;
      }
      changes++;
    }
  };
  setHandler(statusUpdateSignal, receive);
  setHandler(statusUpdatesSignal, (updates) => {
    for (const u of updates) receive(u);
  });
  /** Refused without comparing: a code works once, and nothing is checked after the end. */
  const mustBePending = (what: string) => {
    if (status !== 'pending') throw refusal(OTP_REFUSAL.notPending, `${what}: this OTP is ${status}`);
  };
  setHandler(verifyOtpUpdate, ({ codeHash }) => judge(() => validHashes.some((h) => constantTimeEqual(h, codeHash))), {
    validator: ({ codeHash }: { codeHash: string }) => {
      mustBePending('verify');
      if (mode !== 'engine')
        throw refusal(OTP_REFUSAL.providerMode, 'this OTP is verified by its provider (provider mode)');
      if (!/^[0-9a-f]{64}$/.test(codeHash))
        throw refusal(OTP_REFUSAL.invalidCodeHash, 'codeHash: must be a hex HMAC-SHA256');
    },
  });
  setHandler(providerVerdictUpdate, ({ verified }) => judge(() => verified), {
    validator: (_verdict: { verified: boolean }) => {
      mustBePending('verify');
      if (mode !== 'provider') throw refusal(OTP_REFUSAL.engineMode, 'this OTP is verified by kurir (engine mode)');
    },
  });
  setHandler(cancelOtpUpdate, () => {
    if (status === 'pending') {
      status = 'canceled';
      changes++;
    }
    return verdict();
  });
  setHandler(
    resendOtpUpdate,
    async () => {
      startGeneration(generation + 1);
      return firstSend(generation);
    },
    {
      validator: () => {
        mustBePending('resend');
        const wait = lastSendAt + cooldownMs - Date.now();
        if (wait > 0) throw refusal(OTP_REFUSAL.cooldown, `resend: cooldown, retry in ${Math.ceil(wait / 1000)} s`);
      },
    },
  );
  // Update-with-start target: answers once the first code of the first generation is out.
  setHandler(firstSendUpdate, () => firstSend(0));

  /** Waits for a generation's first successful send; fails when every channel failed. */
  async function firstSend(gen: number): Promise<ResendResult> {
    await condition(() => outcomes[gen] !== undefined);
    const outcome = outcomes[gen]!;
    if (outcome.error) throw ApplicationFailure.nonRetryable(outcome.error.message, outcome.error.type);
    return { channel: outcome.channel, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Sends on one channel, then follows delivery; returns whether to fall back to the next channel. */
  async function sendOn(gen: number, channel: ChannelName, isLast: boolean): Promise<boolean> {
    const config = raw.channels?.[channel] ?? DEFAULT_CHANNELS[channel];
    const send: OtpSend = { generation: gen, channel, provider: config.provider, at: new Date().toISOString() };
    sends.push(send);
    const step = gen * 10 + strategy.indexOf(channel);
    let sent;
    try {
      sent =
        mode === 'engine'
          ? await sendOtpCode({ otpId, step, to: raw.to, channel, config, code })
          : await sendProviderOtp({
              otpId,
              step,
              to: raw.to,
              template: raw.engagelabTemplate ?? '',
              strategy,
              code: { ...code, ttlMs },
            });
    } catch (err) {
      const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
      send.error = cause?.type ?? 'Error';
      if ((send.error === 'OtpSendLimitError' || isLast) && outcomes[gen] === undefined) {
        outcomes[gen] = { error: { type: send.error, message: cause?.message ?? 'the code could not be sent' } };
        // No first code at all: nothing can be verified.
        if (gen === 0) {
          status = 'canceled';
          failure = outcomes[gen].error?.message;
          changes++;
        }
      }
      return send.error !== 'OtpSendLimitError' && !isLast;
    }
    if (gen !== generation) return false;
    if (outcomes[gen] === undefined) {
      // The first code of a new generation replaces the old ones and restarts the TTL.
      validHashes = [];
      expiresAt = Date.now() + ttlMs;
      changes++;
    }
    if (sent.codeHash) validHashes.push(sent.codeHash);
    Object.assign(send, {
      providerMessageId: sent.providerMessageId,
      provider: sent.provider,
      channel: sent.channel ?? channel,
    });
    outcomes[gen] ??= { channel: send.channel };
    events.sent(send, step, expiresAt);
    const attempt: Attempt = {
      step,
      channel: send.channel,
      provider: sent.provider,
      state: 'tracking',
      providerMessageId: sent.providerMessageId,
      // EngageLab works through the template's strategy itself: a failed first leg is not the end.
      ...(mode === 'provider' && strategy.length > 1 ? { legs: strategy } : {}),
      timeline: [],
    };
    tracked.push(attempt);
    applyStatus(attempt, {
      provider: sent.provider,
      providerMessageId: sent.providerMessageId,
      status: sent.status,
      occurredAt: sent.acceptedAt,
      source: 'send',
    });
    send.status = attempt.status;
    if (isLast) return false;
    // Fall back when the code is not delivered within the window, or the channel fails.
    let reconciled = false;
    for (;;) {
      const d = decide(
        attempt,
        { onInvalidNumber: true, onFailure: true, notDeliveredWithin: `${windowMs} ms` },
        Date.now(),
        expiresAt,
      );
      if (d.kind === 'fallback' && d.reason === 'not_delivered' && !reconciled) {
        // The window is over: ask the provider once, so a lost "delivered" sends no second code.
        reconciled = true;
        // A lookup that keeps failing is no news: the window's fallback goes ahead.
        const polled = await fetchStatus({
          provider: attempt.provider,
          providerMessageId: sent.providerMessageId,
        }).catch(() => ({ updates: [] as StatusUpdate[] }));
        for (const u of polled.updates) receive({ ...u, source: 'reconcile' });
        if (status !== 'pending' || gen !== generation) return false;
        continue;
      }
      if (d.kind === 'fallback') {
        send.fallback = d.reason;
        return true;
      }
      if (d.kind !== 'wait' || d.onTimeout === 'track_end') return false;
      const seen = changes;
      await condition(
        () => changes !== seen || status !== 'pending' || gen !== generation,
        Math.max(1, d.until - Date.now()),
      );
      if (status !== 'pending' || gen !== generation) return false;
    }
  }

  function startGeneration(gen: number): void {
    generation = gen;
    lastSendAt = Date.now();
    // Provider mode: EngageLab applies the channel strategy of its template itself.
    const channels = mode === 'provider' ? [strategy[0]!] : strategy;
    void (async () => {
      for (let i = 0; i < channels.length; i++)
        if (!(await sendOn(gen, channels[i]!, i === channels.length - 1))) break;
    })();
  }

  startGeneration(0);
  while (status === 'pending') {
    const seen = changes;
    const timedOut = !(await condition(() => changes !== seen, Math.max(1, expiresAt - Date.now())));
    if (timedOut && status === 'pending' && Date.now() >= expiresAt) status = 'expired';
  }
  events.ended(status, attempts);
  await events.drained();
  // Let in-flight update handlers finish, and answer them in a workflow task of their own: a task
  // that also completes the workflow is rejected when a callback arrives meanwhile (UnhandledCommand),
  // and the update answered in it would be lost.
  await condition(allHandlersFinished);
  await sleep(1);
  return state();
}
