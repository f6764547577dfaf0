// kurir otp send | verify | resend | blocks | stats | unblock, over the REST API
import type { Command } from 'commander';
import { parseOrThrow } from '../../client/errors.js';
import { apiError, type RestAnswer } from '../../client/rest.js';
import { OtpRefusedError } from '../../client/start-otp.js';
import { otpInputSchema, verifySchema } from '../../schemas/otp.js';
import type { CliContext } from '../context.js';
import { apiFailure, CliError, EXIT } from '../errors.js';

interface OtpSendOptions {
  to: string;
  strategy?: string;
  length?: string;
  type?: string;
  ttl?: string;
  reference?: string;
}

const int = (v: string | undefined) => (v === undefined ? undefined : Number(v));

export function otpCommands(program: Command, ctx: () => CliContext): void {
  const otp = program.command('otp').description('one-time codes: send, verify, resend');

  otp
    .command('send')
    .description('send a code (answers once it is out)')
    .requiredOption('--to <number>', 'recipient in E.164')
    .option('--strategy <channels>', 'channel order: whatsapp, sms or whatsapp|sms', 'whatsapp|sms')
    .option('--length <n>', 'code length, 4 to 10')
    .option('--type <mask>', 'code alphabet: 1 digits, 2 lowercase, 4 uppercase (sum them)')
    .option('--ttl <duration>', 'how long the code is valid, e.g. "5 minutes"')
    .option('--reference <ref>', 'your reference')
    .action(async (o: OtpSendOptions) => {
      const c = ctx();
      const code = (o.length ?? o.type ?? o.ttl) ? { length: int(o.length), type: int(o.type), ttl: o.ttl } : undefined;
      const input = { to: o.to, strategy: o.strategy, reference: o.reference, ...(code ? { code } : {}) };
      // Checked here first: a bad field is one line (exit 2) before any request. The API applies its OTP policy.
      parseOrThrow(otpInputSchema, input);
      const answer = await c.rest({ method: 'POST', path: '/v1/otp', body: input });
      if (answer.status !== 202) throw otpFailure(answer);
      const sent = answer.body as { id: string; channel?: string; expiresAt: string };
      c.print(sent, `${sent.id}  sent by ${sent.channel ?? '-'}, expires ${sent.expiresAt}`);
    });

  otp
    .command('verify <id> <code>')
    .description('check a code (exit 0 only when approved, 3 when wrong or no longer pending)')
    .action(async (id: string, code: string) => {
      const c = ctx();
      parseOrThrow(verifySchema, { code });
      const answer = await c.rest({ method: 'POST', path: `/v1/otp/${encodeURIComponent(id)}/verify`, body: { code } });
      if (answer.status !== 200) throw otpFailure(answer);
      const result = answer.body as { status: string; attemptsLeft: number };
      c.print(
        { id, ...result },
        result.status === 'approved'
          ? `${id}  approved`
          : `${id}  ${result.status}, ${result.attemptsLeft} attempts left`,
      );
      if (result.status === 'pending')
        throw new CliError(EXIT.refused, `wrong code for ${id} (${result.attemptsLeft} attempts left)`);
      if (result.status !== 'approved') throw new CliError(EXIT.refused, `${id} is ${result.status}`);
    });

  otp
    .command('resend <id>')
    .description('send a new code (cooldown and per-number limit apply: exit 3)')
    .action(async (id: string) => {
      const c = ctx();
      const answer = await c.rest({ method: 'POST', path: `/v1/otp/${encodeURIComponent(id)}/resend` });
      if (answer.status !== 200) throw otpFailure(answer);
      const sent = answer.body as { channel?: string; expiresAt: string };
      c.print({ id, ...sent }, `${id}  resent by ${sent.channel ?? '-'}, expires ${sent.expiresAt}`);
    });

  otp
    .command('blocks')
    .description('number prefixes the OTP guard blocked for sending codes nobody verifies (over the API)')
    .action(async () => {
      const c = ctx();
      const answer = await c.rest({ method: 'GET', path: '/v1/otp-guard/blocks' });
      if (answer.status !== 200) throw apiFailure(answer);
      const items = answer.body.items as Array<{
        prefix: string;
        country: string;
        until: string;
        sends: number;
        verified: number;
      }>;
      c.print(
        answer.body,
        items.length
          ? items.map((b) => `${b.prefix}  ${b.country}  ${b.verified}/${b.sends} verified  blocked until ${b.until}`)
          : 'no prefix is blocked',
      );
    });

  otp
    .command('stats')
    .description('codes sent, OTPs verified and conversion per channel and country; guard refusals (over the API)')
    .option('--window <duration>', 'how far back: 1h, 24h, 7d (at most 7 days)', '24h')
    .action(async (opts: { window: string }) => {
      const c = ctx();
      const answer = await c.rest({
        method: 'GET',
        path: `/v1/otp-guard/stats?window=${encodeURIComponent(opts.window)}`,
      });
      if (answer.status !== 200) throw apiFailure(answer);
      type Row = {
        channel: string;
        country?: string;
        sent: number;
        otps: number;
        verified: number;
        conversion: number | null;
      };
      const body = answer.body as {
        byChannel: Row[];
        byCountry: Row[];
        refused: Array<{ country: string; reason: string; count: number }>;
      };
      const pct = (r: Row) => (r.conversion === null ? '-' : `${(r.conversion * 100).toFixed(1)}%`);
      const line = (r: Row) => `${r.sent} sent  ${r.verified}/${r.otps} verified  ${pct(r)}`;
      c.print(answer.body, [
        `last ${opts.window}, per channel:`,
        ...(body.byChannel.length ? body.byChannel.map((r) => `  ${r.channel}  ${line(r)}`) : ['  no OTP sent']),
        'per country and channel:',
        ...body.byCountry.map((r) => `  ${r.country ?? '-'} ${r.channel}  ${line(r)}`),
        'refused by the guard:',
        ...(body.refused.length ? body.refused.map((r) => `  ${r.country} ${r.reason}  ${r.count}`) : ['  none']),
      ]);
    });

  otp
    .command('unblock <prefix>')
    .description('lift the block of a number prefix (e.g. +6281299): its earlier sends no longer count')
    .action(async (prefix: string) => {
      const c = ctx();
      const answer = await c.rest({
        method: 'POST',
        path: `/v1/otp-guard/blocks/${encodeURIComponent(prefix)}/unblock`,
      });
      if (answer.status !== 200) throw apiFailure(answer);
      c.print(answer.body, `${prefix} unblocked`);
    });
}

const REFUSALS: ReadonlySet<string> = new Set(['send_limit', 'cooldown', 'not_pending', 'send_failed', 'invalid']);

/** An OTP refusal as the SDK's error (its exit code and line), a rate limit as refused, the rest as apiFailure. */
function otpFailure(answer: RestAnswer): Error {
  const { error, message } = answer.body;
  if (typeof error === 'string' && REFUSALS.has(error))
    return new OtpRefusedError(error as OtpRefusedError['reason'], typeof message === 'string' ? message : error);
  if (answer.status === 429) return new CliError(EXIT.refused, apiError(answer, 'the API').message);
  return apiFailure(answer);
}
