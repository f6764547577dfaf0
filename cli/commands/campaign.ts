// kurir campaign start FILE.csv | status | pause | resume | cancel, over the REST API
// (POST /v1/campaigns takes the CSV as a text/csv stream; the API owns the database).
import { accessSync, constants } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { createCampaignOverRest } from '../../client/campaign.js';
import { parseOrThrow } from '../../client/errors.js';
import { campaignWorkflowInput } from '../../app/campaigns.js';
import { campaignSpecSchema, type CampaignSpecRaw } from '../../schemas/campaign.js';
import { CAMPAIGN_WORKFLOW_TYPE } from '../../workflows/messages.js';
import { progressLine, watchCampaign, type Progress, type WatchMode } from '../campaign-watch.js';
import type { CliContext } from '../context.js';
import { apiFailure, CliError, EXIT } from '../errors.js';
import { parseStep } from '../steps.js';
import { uploadWithProgress } from '../upload-progress.js';

interface StartOptions {
  step: string[];
  name?: string;
  id?: string;
  concurrency?: string;
  quietHours?: string;
  timeZone?: string;
  parallel?: boolean;
  precheck?: boolean;
  notDeliveredWithin?: string;
  notReadWithin?: string;
  fallbackOnFailure: boolean;
  fallbackOnInvalidNumber: boolean;
  detach?: boolean;
  importOnly?: boolean;
  interval: string;
}

const int = (v: string | undefined) => (v === undefined ? undefined : Number(v));

function quietHours(v: string | undefined): { start: string; end: string } | undefined {
  if (v === undefined) return undefined;
  const m = /^([\d:]+)-([\d:]+)$/.exec(v);
  if (!m) throw new CliError(EXIT.usage, `--quiet-hours ("${v}"): expected START-END, e.g. 21:00-08:00`);
  return { start: m[1]!, end: m[2]! };
}

/** GET /v1/campaigns/:id: the progress (404: not found, exit 4). */
async function progressOf(c: CliContext, id: string): Promise<Progress> {
  const answer = await c.rest({ method: 'GET', path: `/v1/campaigns/${encodeURIComponent(id)}` });
  if (answer.status !== 200) throw apiFailure(answer);
  return answer.body as unknown as Progress;
}

function summary(p: Progress): string[] {
  const providers =
    Object.entries(p.byProvider)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || '-';
  return [progressLine(p), `  by provider: ${providers}  fallbacks ${p.fallbackUsed}  runs ${p.runs}`];
}

export function campaignCommands(program: Command, ctx: () => CliContext): void {
  const campaign = program.command('campaign').description('campaigns: one message to the recipients of a CSV file');

  campaign
    .command('start <file>')
    .description(
      'import FILE.csv (columns phone, param1..N or params, time_zone) and send; follows progress until done',
    )
    .requiredOption(
      '--step <spec>',
      'channel:provider:key=value… (repeat, in order); {{1}} in text is param1',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--name <name>', 'campaign name (default: the file name)')
    .option('--id <id>', 'campaign id (cmp_…)')
    .option('--concurrency <n>', 'recipients in flight at once (1-2000, default 50)')
    .option('--quiet-hours <start-end>', "no sends in this local window, e.g. 21:00-08:00 (recipient's time_zone)")
    .option('--time-zone <tz>', 'time zone of recipients without one (IANA, default UTC)')
    .option('--parallel', 'send every step at once')
    .option('--precheck', "check each number with the provider's number checker first")
    .option('--not-delivered-within <duration>', 'fall back when not delivered within, e.g. "1 hour"')
    .option('--not-read-within <duration>', 'fall back when not read within, e.g. "2 days"')
    .option('--no-fallback-on-failure', 'do not fall back when a step fails')
    .option('--no-fallback-on-invalid-number', 'do not fall back on an invalid number')
    .option('--detach', 'print the campaign id and exit; it runs on')
    .option('--import-only', 'import only; start it later with any Temporal client (see README)')
    .option('--interval <ms>', 'progress poll interval', '1000')
    .action(async (file: string, o: StartOptions) => {
      const c = ctx();
      try {
        accessSync(file, constants.R_OK);
      } catch {
        throw new CliError(EXIT.usage, `${file}: cannot read the file`);
      }
      const raw = {
        name: o.name ?? basename(file),
        steps: o.step.map(parseStep),
        mode: o.parallel ? 'parallel' : 'sequential',
        precheck: Boolean(o.precheck),
        fallback: {
          onFailure: o.fallbackOnFailure,
          onInvalidNumber: o.fallbackOnInvalidNumber,
          notDeliveredWithin: o.notDeliveredWithin,
          notReadWithin: o.notReadWithin,
        },
        concurrency: int(o.concurrency),
        quietHours: quietHours(o.quietHours),
        timeZone: o.timeZone,
      };
      // Validated here: a bad setting is one line naming the field before any upload.
      const spec = parseOrThrow(campaignSpecSchema, raw);
      const mode: WatchMode = c.json ? 'quiet' : process.stdout.isTTY ? 'bar' : 'lines';
      const { id, ...imported } = await c.reach(() =>
        createCampaignOverRest(
          c.api,
          raw as CampaignSpecRaw, // parsed just above: the API gets the settings as given
          { csv: uploadWithProgress(file, mode) },
          { id: o.id, start: !o.importOnly },
        ),
      );
      if (!c.json) {
        const rejected = imported.rejected.slice(0, 5).map((r) => `  line ${r.line}: ${r.reason}`);
        process.stderr.write(
          [
            `imported ${imported.imported}, rejected ${imported.rejectedCount}`,
            ...rejected,
            ...(imported.rejectedCount > 5 ? ['  …'] : []),
          ].join('\n') + '\n',
        );
      }
      if (o.importOnly) {
        // What any Temporal client starts it with: workflow id = campaign id, input from the settings.
        const input = campaignWorkflowInput(id, spec);
        if (!c.json)
          process.stderr.write(
            `start it with: temporal workflow start --type ${CAMPAIGN_WORKFLOW_TYPE} --task-queue ${c.config.TEMPORAL_TASK_QUEUE} --workflow-id ${id} --input '${JSON.stringify(input)}'\n`,
          );
        return c.print({ id, ...imported, workflowInput: input }, id);
      }
      if (o.detach) return c.print({ id, ...imported }, id);
      const final = await watchCampaign(() => progressOf(c, id), mode, Math.max(100, Number(o.interval) || 1000));
      c.print({ id, ...imported, ...final }, summary(final));
      if (final.state !== 'completed') throw new CliError(EXIT.runtime, `campaign ${id} ended ${final.state}`);
    });

  campaign
    .command('status <id>')
    .description('progress of a campaign: counts per status and per provider')
    .action(async (id: string) => {
      const c = ctx();
      const p = await progressOf(c, id);
      c.print(p, summary(p));
    });

  const control = {
    pause: 'stop new sends (messages in flight finish)',
    resume: 'resume a paused campaign',
    cancel: 'stop for good: in-flight messages finish, the rest are recorded not_sent',
  } as const;
  for (const [action, description] of Object.entries(control)) {
    campaign
      .command(`${action} <id>`)
      .description(description)
      .action(async (id: string) => {
        const c = ctx();
        const answer = await c.rest({ method: 'POST', path: `/v1/campaigns/${encodeURIComponent(id)}/${action}` });
        if (answer.status !== 202) throw apiFailure(answer);
        c.print({ id, accepted: action }, `${id}  ${action} requested`);
      });
  }
}
