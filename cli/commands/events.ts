// kurir events [--follow] [--message ID] [--otp ID] [--campaign ID] [--reference REF] [--types a,b]:
// the event stream from the API (GET /v1/events), one line per event (--json: one JSON per line).
// Without --follow it prints the stored events and exits; with it, it follows until Ctrl-C.
import type { Command } from 'commander';
import { EventStreamError, streamEvents, type EventStreamFilter } from '../../client/events.js';
import { EVENT_TYPES, type EventType, type KurirEvent } from '../../workflows/event-types.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';

interface EventsOptions {
  follow?: boolean;
  message?: string;
  otp?: string;
  campaign?: string;
  reference?: string;
  types?: string;
  after?: string;
}

export function describeEvent(e: KurirEvent): string {
  const subject = e.messageId ?? e.otpId ?? e.campaignId ?? '-';
  const via = e.provider ? `${e.channel ?? '?'}/${e.provider}` : '';
  const d = e.data;
  const s = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v));
  const detail =
    e.type === 'message.fallback'
      ? `step ${s(d.fromStep)} → ${s(d.toStep)} (${s(d.reason)})`
      : e.type === 'message.completed'
        ? `outcome ${s(d.outcome)}`
        : e.type.startsWith('campaign.')
          ? `${s(d.state)} ${s(d.total)} recipients, ${s(d.pending)} pending`
          : d.step !== undefined
            ? `step ${s(d.step)}`
            : '';
  return [String(e.seq).padStart(6), e.occurredAt, e.type.padEnd(24), subject, via, detail].filter(Boolean).join('  ');
}

export function eventCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('events')
    .description('events from the API (message, OTP, campaign, inbound); --follow to stream live')
    .option('-f, --follow', 'keep streaming new events (Ctrl-C to stop)')
    .option('--message <id>', 'only this message')
    .option('--otp <id>', 'only this OTP')
    .option('--campaign <id>', 'only this campaign')
    .option('--reference <ref>', 'only events with this reference')
    .option('--types <list>', `comma-separated types (${EVENT_TYPES.join(', ')})`)
    .option('--after <seq>', 'start after this event seq')
    .action(async (opts: EventsOptions) => {
      const c = ctx();
      const types = opts.types
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const unknown = types?.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
      if (unknown) throw new CliError(EXIT.usage, `--types: unknown event type "${unknown}"`);
      if (opts.after !== undefined && !/^\d+$/.test(opts.after))
        throw new CliError(EXIT.usage, '--after: must be an event seq');
      const filter: EventStreamFilter = {
        messageId: opts.message,
        otpId: opts.otp,
        campaignId: opts.campaign,
        reference: opts.reference,
        types: types as EventType[] | undefined,
      };
      const { apiUrl, apiKey } = c.api;
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      try {
        for await (const e of streamEvents(filter, {
          apiUrl,
          apiKey,
          follow: Boolean(opts.follow),
          reconnect: Boolean(opts.follow),
          signal: stop.signal,
          after: opts.after === undefined ? undefined : Number(opts.after),
        }))
          c.print(e, describeEvent(e));
      } catch (err) {
        if (err instanceof EventStreamError)
          throw new CliError(err.status === 401 ? EXIT.refused : EXIT.usage, err.message);
        throw new CliError(
          EXIT.runtime,
          `cannot read events from ${apiUrl}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    });
}
