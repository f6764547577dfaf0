// Activities of the message workflow: send a step, check a number, look up a status.
// Idempotent: a retried send finds the provider message it already created and returns it.
import type { Pool } from '../db/pool.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { OutboundMessage, SendResult, StatusEvent } from '../providers/types.js';
import type { Step } from '../schemas/message.js';
import type { CanonicalStatus, ChannelName, ProviderName, Reports, StatusUpdate } from '../workflows/types.js';
import { findStepMessage, recordProviderMessage } from '../db/provider-messages.js';
import { ApplicationFailure } from '@temporalio/activity';
import { isOpen, pickProvider, recordSend, type BreakerSettings } from '../db/circuits.js';
import { lastInboundAt } from '../db/service-window.js';
import { BadRequestError, InvalidNumberError, NoSendSlotError, SendRejectedError } from '../providers/errors.js';
import { suppressionOf } from '../db/suppressions.js';
import { toStatusUpdate } from '../providers/status-update.js';
import type { SendPacer } from './send-pacer.js';

export interface SendStepInput {
  workflowId: string;
  stepIndex: number;
  to: string;
  reference?: string;
  step: Step;
  /** The workflow the relay signals with this message's statuses, when not `workflowId` (a campaign's recipient). */
  signalTo?: string;
}

export interface SendStepResult {
  providerMessageId: string;
  acceptedAt: string;
  status: CanonicalStatus;
  providerCode?: string;
  /** What the step's channel and provider can report (the workflow skips rules waiting for more). */
  reports: Reports;
  /** The provider's own channel strategy, when it runs one (EngageLab). */
  legs?: ChannelName[];
  /** A WhatsApp step with a text and a template: which one went. */
  form?: 'session' | 'template';
}

/** A step not sent: its recipient opted out of its channel (db/suppressions.ts), or its session text found the window closed. */
export interface SendStepSkipped {
  skipped: 'suppressed' | 'outside_service_window';
  detail: string;
}

/** Where the WhatsApp customer-service window applies, and how long it is. */
export interface ServiceWindowSettings {
  providers: readonly string[];
  ms: number;
}

export function toOutbound(input: SendStepInput): OutboundMessage {
  const { step } = input;
  return {
    to: input.to,
    // The provider-side reference is ours: workflow id + step, stable across activity retries.
    reference: `${input.workflowId}/${input.stepIndex}`,
    ...(step.template ? { template: { name: step.template, params: step.params ?? [], language: step.language } } : {}),
    ...(step.text ? { text: step.text } : {}),
    ...(step.media ? { media: step.media } : {}),
  };
}

/** `pace`, on the provider send queues: waits for the provider's next send slot (activities/send-pacer.ts). */
export function createMessageActivities(deps: {
  pool: Pool;
  providers: ProviderRegistry;
  pace?: SendPacer;
  serviceWindow?: ServiceWindowSettings;
  breaker?: BreakerSettings;
}) {
  /** Sends through the provider, counting the result on its circuit (db/circuits.ts). */
  async function sendCounted(name: ProviderName, send: () => Promise<SendResult>): Promise<SendResult> {
    const breaker = deps.breaker;
    if (!breaker) return send();
    let sent: SendResult;
    try {
      sent = await send();
    } catch (err) {
      // A wrong number, our own bad request, a rejected text or our own pacer's refusal says nothing
      // about the provider's health.
      if (!(
        err instanceof InvalidNumberError ||
        err instanceof BadRequestError ||
        err instanceof SendRejectedError ||
        err instanceof NoSendSlotError
      ))
        await recordSend(deps.pool, name, false, breaker);
      throw err;
    }
    await recordSend(deps.pool, name, true, breaker);
    return sent;
  }

  /**
   * The body a WhatsApp step sends under the service window: its text inside it, its template
   * outside it; a text alone outside it is not sent. Other steps go as they are.
   */
  async function windowed(
    input: SendStepInput,
  ): Promise<{ step: Step; form?: 'session' | 'template' } | SendStepSkipped> {
    const { step } = input;
    const sw = deps.serviceWindow;
    if (step.channel !== 'whatsapp' || step.text === undefined || !sw?.providers.includes(step.provider))
      return step.text !== undefined && step.template !== undefined
        ? { step: { ...step, template: undefined }, form: 'session' }
        : { step };
    const last = await lastInboundAt(deps.pool, step.provider, input.to);
    if (last && Date.now() - last.getTime() < sw.ms) return { step: { ...step, template: undefined }, form: 'session' };
    if (step.template !== undefined) return { step: { ...step, text: undefined }, form: 'template' };
    return {
      skipped: 'outside_service_window',
      detail: last
        ? `the customer last wrote at ${last.toISOString()}, outside the ${Math.round(sw.ms / 3_600_000)} h window`
        : 'the customer never wrote to this number: a session text needs an open service window',
    };
  }

  return {
    async sendStep(input: SendStepInput): Promise<SendStepResult | SendStepSkipped> {
      const reports = deps.providers.reports(input.step.provider, input.step.channel);
      const existing = await findStepMessage(deps.pool, input.workflowId, input.stepIndex);
      if (existing)
        return {
          providerMessageId: existing.providerMessageId,
          acceptedAt: existing.createdAt.toISOString(),
          status: 'accepted',
          reports,
        };
      if ((input.step.category ?? 'utility') !== 'authentication') {
        const opted = await suppressionOf(deps.pool, input.to, input.step.channel);
        if (opted) return { skipped: 'suppressed', detail: `opted out of ${opted.channel}: ${opted.reason}` };
      }
      const body = await windowed(input);
      if ('skipped' in body) return body;
      const provider = deps.providers.get(input.step.provider);
      // With somewhere else to go, an open circuit ends the retries at once: the workflow fails over.
      if (deps.breaker && input.step.alternatives?.length && (await isOpen(deps.pool, provider.name)))
        throw ApplicationFailure.nonRetryable(`${provider.name}: its circuit is open`, 'CircuitOpenError');
      const sent = await sendCounted(provider.name, async () => {
        if (deps.pace) {
          // A token fetched at the slot would hold the sends behind it and release them together.
          await provider.prepare?.();
          await deps.pace(provider.name);
        }
        return provider.send(toOutbound({ ...input, step: body.step }));
      });
      await recordProviderMessage(deps.pool, {
        provider: provider.name,
        providerMessageId: sent.providerMessageId,
        workflowId: input.workflowId,
        stepIndex: input.stepIndex,
        ...(input.signalTo ? { signalTo: input.signalTo } : {}),
      });
      return {
        providerMessageId: sent.providerMessageId,
        acceptedAt: sent.acceptedAt.toISOString(),
        status: sent.status,
        providerCode: sent.providerCode,
        reports,
        ...(sent.legs ? { legs: sent.legs } : {}),
        ...(body.form ? { form: body.form } : {}),
      };
    },

    /** The first of `providers` whose circuit lets a send through (db/circuits.ts). */
    async pickProvider(input: { providers: ProviderName[] }): Promise<ProviderName> {
      if (!deps.breaker) return input.providers[0]!;
      return (await pickProvider(deps.pool, input.providers, deps.breaker)) as ProviderName;
    },

    async checkNumber(input: {
      provider: ProviderName;
      to: string;
    }): Promise<{ supported: boolean; valid: boolean; providerCode?: string }> {
      const provider = deps.providers.get(input.provider);
      if (!provider.checkNumber) return { supported: false, valid: true };
      const check = await provider.checkNumber(input.to);
      return { supported: true, valid: check.valid, providerCode: check.providerCode };
    },

    async fetchStatus(input: {
      provider: ProviderName;
      providerMessageId: string;
    }): Promise<{ supported: boolean; updates: StatusUpdate[] }> {
      const provider = deps.providers.get(input.provider);
      if (!provider.getStatus) return { supported: false, updates: [] };
      const events = await provider.getStatus(input.providerMessageId);
      const receivedAt = new Date();
      return { supported: true, updates: events.map((e: StatusEvent) => toStatusUpdate(e, 'poll', receivedAt)) };
    },
  };
}

export type MessageActivities = ReturnType<typeof createMessageActivities>;
