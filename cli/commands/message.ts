// kurir send | status | cancel, over the REST API (POST /v1/messages, GET /v1/messages/:id,
// GET /v1/otp/:id, POST /v1/messages/:id/cancel). Cancelling an OTP has no route: it goes to Temporal.
import type { Command } from 'commander';
import { parseOrThrow } from '../../client/errors.js';
import { messageInputSchema } from '../../schemas/message.js';
import { cancelOtpUpdate, OTP_WORKFLOW_TYPE } from '../../workflows/messages.js';
import type { OtpState } from '../../workflows/otp-types.js';
import type { MessageStatus } from '../../workflows/types.js';
import type { CliContext } from '../context.js';
import { apiFailure, CliError, EXIT } from '../errors.js';
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
const isOtp = (id: string) => id.startsWith('otp_');

function attemptLines(attempts: MessageStatus['attempts']): string[] {
  return attempts.map(
    (a) =>
      `  step ${a.step}  ${a.channel}/${a.provider}  ${a.status ?? a.state}` +
      `${a.fallback ? `  → fallback (${a.fallback.reason})` : ''}${a.error ? `  error ${a.error.type}: ${a.error.message}` : ''}`,
  );
}

async function messageStatus(c: CliContext, id: string): Promise<MessageStatus> {
  const answer = await c.rest({ method: 'GET', path: `/v1/messages/${encodeURIComponent(id)}` });
  if (answer.status !== 200) throw apiFailure(answer);
  return answer.body as unknown as MessageStatus;
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
    .option('--id <key>', 'idempotency key: the same key twice never sends twice (answers the first id)')
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
      const input = {
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
      };
      // Checked here first: a bad field is one line (exit 2) before any request.
      parseOrThrow(messageInputSchema, input);
      const answer = await c.rest({
        method: 'POST',
        path: '/v1/messages',
        body: input,
        headers: o.id ? { 'idempotency-key': o.id } : undefined,
      });
      if (answer.status !== 202) throw apiFailure(answer);
      const id = String(answer.body.id);
      if (!o.wait) return c.print({ id }, id);
      let s = await messageStatus(c, id);
      while (s.state !== 'completed') {
        await new Promise((r) => setTimeout(r, 500));
        s = await messageStatus(c, id);
      }
      const outcome = s.outcome ?? 'failed';
      const by = GOOD_OUTCOMES.has(outcome) ? s.attempts.findLast((a) => a.status === outcome)?.provider : undefined;
      c.print({ id, ...s, ...(by ? { deliveredBy: by } : {}) }, [
        `${id}  ${outcome}${by ? ` by ${by}` : ''}`,
        ...attemptLines(s.attempts),
      ]);
      if (!GOOD_OUTCOMES.has(outcome)) throw new CliError(EXIT.runtime, `message ${id} ended ${outcome}`);
    });

  program
    .command('status <id>')
    .description('status of a message or an OTP (otp_…)')
    .action(async (id: string) => {
      const c = ctx();
      if (isOtp(id)) {
        const answer = await c.rest({ method: 'GET', path: `/v1/otp/${encodeURIComponent(id)}` });
        if (answer.status !== 200) throw apiFailure(answer);
        const s = answer.body as unknown as OtpState;
        return c.print(
          { id, type: 'otp', ...s },
          `${id}  otp  ${s.status}  channel ${s.channel ?? '-'}  attempts left ${s.attemptsLeft}  expires ${s.expiresAt}`,
        );
      }
      const s = await messageStatus(c, id);
      c.print({ id, type: 'message', ...s }, [
        `${id}  message  ${s.state}${s.outcome ? `  outcome ${s.outcome}` : ''}  step ${s.currentStep}`,
        ...attemptLines(s.attempts),
      ]);
    });

  program
    .command('cancel <id>')
    .description('cancel a message (no further steps) or an OTP (otp_…: over Temporal, the API has no route)')
    .action(async (id: string) => {
      const c = ctx();
      if (isOtp(id)) {
        const handle = (await c.client()).workflow.getHandle(id);
        const { type } = await handle.describe();
        if (type !== OTP_WORKFLOW_TYPE) throw new CliError(EXIT.notFound, `${id} is a ${type} workflow, not an OTP`);
        const v = await handle.executeUpdate(cancelOtpUpdate);
        return c.print({ id, ...v }, `${id}  ${v.status}`);
      }
      const answer = await c.rest({ method: 'POST', path: `/v1/messages/${encodeURIComponent(id)}/cancel` });
      if (answer.status !== 200) throw apiFailure(answer);
      const canceled = answer.body.canceled === true;
      c.print({ id, canceled }, `${id}  ${canceled ? 'canceled' : 'nothing left to cancel'}`);
    });
}
