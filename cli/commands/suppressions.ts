// kurir suppress | unsuppress | suppressions | preview, over the REST API (/v1/suppressions,
// POST /v1/messages/preview).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { apiFailure } from '../errors.js';
import { parseStep } from '../steps.js';

interface Suppression {
  phone: string;
  channel: string;
  reason: string;
  source: string;
  createdAt: string;
}
interface StepPreview {
  step: number;
  channel: string;
  provider: string;
  encoding: string | null;
  characters: number | null;
  parts: number | null;
  unicodeCharacters: string[];
  cost: { amount: number; currency: string } | null;
  note: string | null;
}

const line = (s: Suppression) => `${s.phone}  ${s.channel}  ${s.reason}  (${s.source}, ${s.createdAt})`;

export function suppressionCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('suppress <phone>')
    .description('stop marketing and utility messages to a number (OTPs still go)')
    .option('--channel <channel>', 'whatsapp, sms or all', 'all')
    .option('--reason <text>', 'why (kept with the suppression)', 'requested')
    .action(async (phone: string, o: { channel: string; reason: string }) => {
      const c = ctx();
      const answer = await c.rest({ method: 'POST', path: '/v1/suppressions', body: { phone, ...o } });
      if (answer.status !== 201) throw apiFailure(answer);
      c.print(answer.body, `suppressed ${line(answer.body as unknown as Suppression)}`);
    });

  program
    .command('unsuppress <phone>')
    .description("lift a number's suppressions")
    .option('--channel <channel>', 'only this channel: whatsapp, sms or all')
    .action(async (phone: string, o: { channel?: string }) => {
      const c = ctx();
      const query = o.channel ? `?channel=${encodeURIComponent(o.channel)}` : '';
      const answer = await c.rest({ method: 'DELETE', path: `/v1/suppressions/${encodeURIComponent(phone)}${query}` });
      if (answer.status !== 200) throw apiFailure(answer);
      const items = answer.body.items as Suppression[];
      c.print(
        answer.body,
        items.map((s) => `lifted ${line(s)}`),
      );
    });

  program
    .command('suppressions')
    .description('suppressed numbers, newest first')
    .option('--phone <number>', 'one number')
    .action(async (o: { phone?: string }) => {
      const c = ctx();
      const query = o.phone ? `?phone=${encodeURIComponent(o.phone)}` : '';
      const answer = await c.rest({ method: 'GET', path: `/v1/suppressions${query}` });
      if (answer.status !== 200) throw apiFailure(answer);
      const items = answer.body.items as Suppression[];
      c.print(answer.body, items.length ? items.map(line) : 'no number is suppressed');
    });

  program
    .command('preview')
    .description('what each step would be sent as (SMS encoding, characters, parts, cost), without sending')
    .requiredOption('--to <number>', 'recipient in E.164, e.g. +6281234567890')
    .requiredOption(
      '--step <spec>',
      'channel:provider:key=value… (repeat, in order)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .action(async (o: { to: string; step: string[] }) => {
      const c = ctx();
      const answer = await c.rest({
        method: 'POST',
        path: '/v1/messages/preview',
        body: { to: o.to, steps: o.step.map(parseStep) },
      });
      if (answer.status !== 200) throw apiFailure(answer);
      const steps = answer.body.steps as StepPreview[];
      c.print(
        answer.body,
        steps.map(
          (s) =>
            `step ${s.step}  ${s.channel}/${s.provider}  ` +
            (s.encoding
              ? `${s.encoding}, ${s.characters} characters, ${s.parts} part${s.parts === 1 ? '' : 's'}` +
                (s.cost ? `, ${s.cost.amount} ${s.cost.currency}` : '') +
                (s.unicodeCharacters.length ? ` (UCS-2 for ${s.unicodeCharacters.join(' ')})` : '')
              : (s.note ?? '')),
        ),
      );
    });
}
