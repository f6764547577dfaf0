// kurir send | status | cancel
import type { Command } from 'commander';
import { parseOrThrow } from '../../client/errors.js';
import { newMessageId, startMessage } from '../../client/start-message.js';
import { messageInputSchema } from '../../schemas/message.js';
import {
  cancelMessageUpdate,
  cancelOtpUpdate,
  MESSAGE_WORKFLOW_TYPE,
  messageStatusQuery,
  OTP_WORKFLOW_TYPE,
  otpStatusQuery,
} from '../../workflows/messages.js';
import type { MessageResult, MessageStatus } from '../../workflows/types.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { parseStep } from '../steps.js';

interface SendOptions {
  to: string;
  step: string[];
  id?: string;
  reference?: string;
  parallel?: boolean;
  precheck?: boolean;
  notDeliveredWithin?: string;
  notReadWithin?: string;
  fallbackOnFailure: boolean;
  fallbackOnInvalidNumber: boolean;
  wait?: boolean;
}

const GOOD_OUTCOMES = new Set(['sent', 'delivered', 'read']);

function attemptLines(attempts: MessageStatus['attempts']): string[] {
  return attempts.map(
    (a) =>
      `  step ${a.step}  ${a.channel}/${a.provider}  ${a.status ?? a.state}` +
      `${a.fallback ? `  → fallback (${a.fallback.reason})` : ''}${a.error ? `  error ${a.error.type}: ${a.error.message}` : ''}`,
  );
}

/** The workflow type of an id, so one `status`/`cancel` serves messages and OTPs alike. */
async function workflowType(ctx: CliContext, id: string): Promise<string> {
  const { type } = await (await ctx.client()).workflow.getHandle(id).describe();
  if (type !== MESSAGE_WORKFLOW_TYPE && type !== OTP_WORKFLOW_TYPE)
    throw new CliError(EXIT.notFound, `${id} is a ${type} workflow, not a kurir message or OTP`);
  return type;
}

export function messageCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('send')
    .description('send a message through ordered steps with fallback')
    .requiredOption('--to <number>', 'recipient in E.164, e.g. +6281234567890')
    .requiredOption(
      '--step <spec>',
      'channel:provider:key=value… (repeat, in order)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--id <id>', 'workflow id (the same id twice never sends twice)')
    .option('--reference <ref>', 'your reference, searchable in Temporal')
    .option('--parallel', 'send every step at once')
    .option('--precheck', "check the number with the provider's number checker first")
    .option('--not-delivered-within <duration>', 'fall back when not delivered within, e.g. "1 hour"')
    .option('--not-read-within <duration>', 'fall back when not read within, e.g. "2 days"')
    .option('--no-fallback-on-failure', 'do not fall back when a step fails')
    .option('--no-fallback-on-invalid-number', 'do not fall back on an invalid number')
    .option('--wait', 'wait for the final outcome (exit 1 unless sent, delivered or read)')
    .action(async (o: SendOptions) => {
      const c = ctx();
      const input = parseOrThrow(messageInputSchema, {
        to: o.to,
        steps: o.step.map(parseStep),
        reference: o.reference,
        mode: o.parallel ? 'parallel' : 'sequential',
        precheck: Boolean(o.precheck),
        fallback: {
          onFailure: o.fallbackOnFailure,
          onInvalidNumber: o.fallbackOnInvalidNumber,
          notDeliveredWithin: o.notDeliveredWithin,
          notReadWithin: o.notReadWithin,
        },
      });
      const id = o.id ?? newMessageId();
      const handle = await startMessage(await c.client(), input, {
        id,
        taskQueue: c.config.TEMPORAL_TASK_QUEUE,
        recipientHashKey: c.config.RECIPIENT_HASH_KEY,
      });
      if (!o.wait) return c.print({ id }, id);
      const result = (await handle.result()) as MessageResult;
      c.print({ id, ...result }, [
        `${id}  ${result.outcome}${result.deliveredBy ? ` by ${result.deliveredBy}` : ''}`,
        ...attemptLines(result.attempts),
      ]);
      if (!GOOD_OUTCOMES.has(result.outcome)) throw new CliError(EXIT.runtime, `message ${id} ended ${result.outcome}`);
    });

  program
    .command('status <id>')
    .description('status of a message or an OTP')
    .action(async (id: string) => {
      const c = ctx();
      const handle = (await c.client()).workflow.getHandle(id);
      if ((await workflowType(c, id)) === OTP_WORKFLOW_TYPE) {
        const s = await handle.query(otpStatusQuery);
        return c.print(
          { id, type: 'otp', ...s },
          `${id}  otp  ${s.status}  channel ${s.channel ?? '-'}  attempts left ${s.attemptsLeft}  expires ${s.expiresAt}`,
        );
      }
      const s = await handle.query(messageStatusQuery);
      c.print({ id, type: 'message', ...s }, [
        `${id}  message  ${s.state}${s.outcome ? `  outcome ${s.outcome}` : ''}  step ${s.currentStep}`,
        ...attemptLines(s.attempts),
      ]);
    });

  program
    .command('cancel <id>')
    .description('cancel a message (no further steps) or an OTP')
    .action(async (id: string) => {
      const c = ctx();
      const handle = (await c.client()).workflow.getHandle(id);
      if ((await workflowType(c, id)) === OTP_WORKFLOW_TYPE) {
        const v = await handle.executeUpdate(cancelOtpUpdate);
        return c.print({ id, ...v }, `${id}  ${v.status}`);
      }
      const r = await handle.executeUpdate(cancelMessageUpdate, { args: [{ reason: 'kurir cancel' }] });
      c.print({ id, ...r }, `${id}  ${r.canceled ? 'canceled' : 'nothing left to cancel'}`);
    });
}
