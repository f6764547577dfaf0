// kurir campaign start FILE.csv | status | pause | resume | cancel
import { accessSync, constants } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { CampaignHandle } from '../../client/campaign.js';
import { parseOrThrow } from '../../client/errors.js';
import { campaignWorkflowInput, createCampaignFromCsvFile, newCampaignId } from '../../app/campaigns.js';
import { campaignSpecSchema } from '../../schemas/campaign.js';
import { createPool } from '../../db/pool.js';
import { CAMPAIGN_WORKFLOW_TYPE } from '../../workflows/messages.js';
import type { CampaignProgress } from '../../workflows/campaign-types.js';
import { progressLine, watchCampaign } from '../campaign-watch.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { parseStep } from '../steps.js';

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

/** The handle of a campaign workflow; another workflow type under that id is "not found". */
async function campaignHandle(c: CliContext, id: string): Promise<CampaignHandle> {
  const handle = (await c.client()).workflow.getHandle(id);
  const { type } = await handle.describe();
  if (type !== CAMPAIGN_WORKFLOW_TYPE)
    throw new CliError(EXIT.notFound, `${id} is a ${type} workflow, not a kurir campaign`);
  return new CampaignHandle(id, handle);
}

function summary(p: CampaignProgress): string[] {
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
    .option('--concurrency <n>', 'messages in flight at once (1-500, default 50)')
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
      if (!c.config.DATABASE_URL)
        throw new CliError(
          EXIT.usage,
          'campaigns need DATABASE_URL (the kurir database: recipients are imported there)',
        );
      const spec = parseOrThrow(campaignSpecSchema, {
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
      });
      const temporal = await c.client();
      const pool = createPool(c.config.DATABASE_URL, 4);
      let handle: CampaignHandle;
      try {
        const { id, ...imported } = await createCampaignFromCsvFile(
          { pool, temporal, taskQueue: c.config.TEMPORAL_TASK_QUEUE },
          spec,
          file,
          o.id ?? newCampaignId(),
          { start: !o.importOnly, region: c.config.DEFAULT_REGION, maxRows: c.config.CSV_MAX_ROWS },
        );
        handle = new CampaignHandle(id, temporal.workflow.getHandle(id), imported);
      } finally {
        await pool.end();
      }
      const imported = handle.imported!;
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
        const input = campaignWorkflowInput(handle.id, spec);
        if (!c.json)
          process.stderr.write(
            `start it with: temporal workflow start --type ${CAMPAIGN_WORKFLOW_TYPE} --task-queue ${c.config.TEMPORAL_TASK_QUEUE} --workflow-id ${handle.id} --input '${JSON.stringify(input)}'\n`,
          );
        return c.print({ id: handle.id, ...imported, workflowInput: input }, handle.id);
      }
      if (o.detach) return c.print({ id: handle.id, ...imported }, handle.id);
      const mode = c.json ? 'quiet' : process.stdout.isTTY ? 'bar' : 'lines';
      const final = await watchCampaign(handle, mode, Math.max(100, Number(o.interval) || 1000));
      c.print({ id: handle.id, ...imported, ...final }, summary(final));
      if (final.state !== 'completed') throw new CliError(EXIT.runtime, `campaign ${handle.id} ended ${final.state}`);
    });

  campaign
    .command('status <id>')
    .description('progress of a campaign: counts per status and per provider')
    .action(async (id: string) => {
      const c = ctx();
      const p = await (await campaignHandle(c, id)).progress();
      c.print(p, summary(p));
    });

  const control = {
    pause: ['stop new sends (messages in flight finish)', (h: CampaignHandle) => h.pause()],
    resume: ['resume a paused campaign', (h: CampaignHandle) => h.resume()],
    cancel: [
      'stop for good: in-flight messages finish, the rest are recorded not_sent',
      (h: CampaignHandle) => h.cancel('kurir campaign cancel'),
    ],
  } as const;
  for (const [action, [description, run]] of Object.entries(control)) {
    campaign
      .command(`${action} <id>`)
      .description(description)
      .action(async (id: string) => {
        const c = ctx();
        await run(await campaignHandle(c, id));
        c.print({ id, accepted: action }, `${id}  ${action} requested`);
      });
  }
}
