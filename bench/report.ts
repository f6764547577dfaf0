// Folds bench/results/*.json into bench/results/latest.md and a chart (latest.svg, rendered to
// latest.png with headless Chromium when it is installed), and prints one line per benchmark
// with each figure beside its target, saying plainly which targets are missed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './results.js';
import { renderChart, type Chart } from './report-chart.js';

type Json = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), o);

function load(name: string): Json | undefined {
  const file = join(RESULTS_DIR, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : undefined;
}

interface Figure {
  label: string;
  value: string;
  target: string;
  met: boolean | undefined;
}
interface Section {
  name: string;
  measuredAt?: string;
  figures: Figure[];
}

const fig = (label: string, value: string, target: string, met: unknown): Figure => ({
  label,
  value,
  target,
  met: typeof met === 'boolean' ? met : undefined,
});

function sections(): Section[] {
  const out: Section[] = [];
  const cb = load('callbacks');
  if (cb)
    out.push({
      name: 'callbacks',
      measuredAt: cb.measuredAt as string | undefined,
      figures: [
        fig(
          'ingest ratio to bare Fastify',
          `${num(cb.ratio)} (${num(cb.kurirRps)}/s vs ${num(cb.bareRps)}/s)`,
          `≥${num(get(cb, 'targets.ratio'))}`,
          get(cb, 'met.ratio'),
        ),
        fig('ingest rate', `${num(cb.kurirRps)}/s`, `≥${num(get(cb, 'targets.rps'))}/s`, get(cb, 'met.rps')),
        fig(
          'callback → signal p50',
          `${num(get(cb, 'latencyMs.p50'))} ms`,
          `≤${num(get(cb, 'targets.p50'))} ms`,
          get(cb, 'met.p50'),
        ),
        fig(
          'callback → signal p99',
          `${num(get(cb, 'latencyMs.p99'))} ms`,
          `≤${num(get(cb, 'targets.p99'))} ms`,
          get(cb, 'met.p99'),
        ),
      ],
    });
  const otp = load('otp');
  if (otp)
    out.push({
      name: 'otp',
      measuredAt: otp.measuredAt as string | undefined,
      figures: [
        fig(
          'verify p50',
          `${num(get(otp, 'verifyMs.p50'))} ms (bare HTTP ${num(get(otp, 'bareMs.p50'))} ms)`,
          `≤${num(get(otp, 'targets.p50'))} ms`,
          get(otp, 'met.p50'),
        ),
        fig(
          'verify p99',
          `${num(get(otp, 'verifyMs.p99'))} ms (bare HTTP ${num(get(otp, 'bareMs.p99'))} ms)`,
          `≤${num(get(otp, 'targets.p99'))} ms`,
          get(otp, 'met.p99'),
        ),
        fig(
          'guard on a start (alone, p50)',
          `${num(get(otp, 'guardAloneMs.p50'))} ms (REST start p50 ${num(get(otp, 'startMs.guardOn.p50'))} ms with, ${num(get(otp, 'startMs.guardOff.p50'))} ms without)`,
          `≤${num(get(otp, 'targets.guardAddedP50'))} ms`,
          get(otp, 'met.guardAddedP50'),
        ),
      ],
    });
  const st = load('stats');
  if (st)
    out.push({
      name: 'stats',
      measuredAt: st.measuredAt as string | undefined,
      figures: Object.entries((st.p50Ms ?? {}) as Record<string, number>).map(([name, ms]) =>
        fig(`${name} at ${num(st.messages)} messages`, `${ms} ms`, `<${num(st.targetMs)} ms`, get(st, `met.${name}`)),
      ),
    });
  const c = load('campaign');
  if (c)
    out.push({
      name: 'campaign',
      measuredAt: c.measuredAt as string | undefined,
      figures: [
        fig(
          'ratio to Promise-pool loop',
          `${num(c.ratio)} (${num(c.campaignRate)}/s vs ${num(c.poolRate)}/s, n=${num(c.n)})`,
          '≥0.25',
          get(c, 'met.ratio'),
        ),
        fig(
          'paced rate of cap',
          `${num(get(c, 'pacing.ofCap'))} (${num(get(c, 'pacing.achievedRate'))}/s of ${num(get(c, 'pacing.cap'))}/s)`,
          '≥0.95',
          get(c, 'met.pacingRate'),
        ),
        fig(
          'CPU per recipient (all processes)',
          `${num(get(c, 'cpuPerRecipient.totalMs'))} ms: dev server ${num(get(c, 'cpuPerRecipient.temporalMs'))}, worker ${num(get(c, 'cpuPerRecipient.workerMs'))}, API + relay + sandboxes ${num(get(c, 'cpuPerRecipient.apiAndSandboxesMs'))}; ${((num(get(c, 'cpuPerRecipient.totalMs')) * num(get(c, 'pacing.cap'))) / 1000).toFixed(1)} cores at the cap`,
          '≤15 ms',
          get(c, 'met.cpuPerRecipient'),
        ),
        fig(
          'busiest second',
          `${num(get(c, 'pacing.busiestSecond'))} sends`,
          `≤${num(get(c, 'pacing.cap'))}`,
          get(c, 'met.pacingNeverAbove'),
        ),
        fig(
          'paced rate of a reachable cap',
          `${num(get(c, 'pacingLow.ofCap'))} (${num(get(c, 'pacingLow.achievedRate'))}/s of ${num(get(c, 'pacingLow.cap'))}/s)`,
          '≥0.95',
          num(get(c, 'pacingLow.ofCap')) >= 0.95,
        ),
        fig(
          'busiest second at that cap',
          `${num(get(c, 'pacingLow.busiestSecond'))} sends`,
          `≤${num(get(c, 'pacingLow.cap'))}`,
          num(get(c, 'pacingLow.busiestSecond')) <= num(get(c, 'pacingLow.cap')),
        ),
        fig(
          `time per recipient ${num(get(c, 'growth.small.n'))} → ${num(get(c, 'growth.large.n'))}`,
          `×${num(get(c, 'growth.timePerRecipientGrowth'))} (${num(get(c, 'growth.small.msPerRecipient'))} → ${num(get(c, 'growth.large.msPerRecipient'))} ms)`,
          '≤×1.25 (linear)',
          get(c, 'met.linearTime'),
        ),
        fig(
          'worker peak RSS growth',
          `×${num(get(c, 'growth.memoryGrowth'))} (${num(get(c, 'growth.small.peakRssMb'))} → ${num(get(c, 'growth.large.peakRssMb'))} MB)`,
          '≤×1.25 (flat)',
          get(c, 'met.flatMemory'),
        ),
        fig(
          'longest campaign run',
          `${num(c.longestRunHistory)} history events (${num(get(c, 'growth.large.runs'))} runs for ${num(get(c, 'growth.large.n'))} recipients)`,
          '≤10,000',
          get(c, 'met.historyPerRun'),
        ),
      ],
    });
  const wh = load('webhooks');
  if (wh)
    out.push({
      name: 'webhooks',
      measuredAt: wh.measuredAt as string | undefined,
      figures: [
        fig(
          'event delivery ratio to bare POST loop',
          `${num(wh.ratio)}`,
          typeof get(wh, 'targets.ratio') === 'number' ? `≥${num(get(wh, 'targets.ratio'))}` : 'none set',
          get(wh, 'met.ratio'),
        ),
      ],
    });
  // A result file from an older benchmark version lacks some figures: leave those out.
  return out.map((s) => ({ ...s, figures: s.figures.filter((f) => !f.value.includes('NaN')) }));
}

function chart(all: Section[]): Chart {
  const cb = load('callbacks');
  const otp = load('otp');
  const c = load('campaign');
  const wh = load('webhooks');
  return {
    ratios: [
      { label: 'callback ingest', value: num(cb?.ratio), target: num(get(cb, 'targets.ratio')) },
      { label: 'campaign', value: num(c?.ratio), target: 0.25 },
      { label: 'paced rate / cap', value: num(get(c, 'pacing.ofCap')), target: 0.95 },
      { label: 'webhook delivery', value: num(wh?.ratio), target: num(get(wh, 'targets.ratio')) },
    ].filter((r) => Number.isFinite(r.value)),
    latencies: [
      {
        label: 'callback→signal',
        p50: num(get(cb, 'latencyMs.p50')),
        p99: num(get(cb, 'latencyMs.p99')),
        targetP50: 25,
        targetP99: 150,
      },
      {
        label: 'OTP verify',
        p50: num(get(otp, 'verifyMs.p50')),
        p99: num(get(otp, 'verifyMs.p99')),
        targetP50: 15,
        targetP99: 50,
      },
    ].filter((l) => Number.isFinite(l.p50)),
    scaling: c
      ? {
          small: num(get(c, 'growth.small.n')),
          large: num(get(c, 'growth.large.n')),
          msPerRecipient: [num(get(c, 'growth.small.msPerRecipient')), num(get(c, 'growth.large.msPerRecipient'))],
          rssMb: [num(get(c, 'growth.small.peakRssMb')), num(get(c, 'growth.large.peakRssMb'))],
        }
      : undefined,
    missed: all.flatMap((s) => s.figures.filter((f) => f.met === false).map((f) => `${s.name}: ${f.label}`)),
  };
}

const all = sections();
const status = (f: Figure) => (f.met === undefined ? 'no target' : f.met ? 'met' : '**MISSED**');
const md = [
  '# kurir benchmark report',
  '',
  `Generated ${new Date().toISOString()} by \`npm run bench\` from \`bench/results/*.json\`. Every ratio is against a baseline measured in the same run, on the same machine.`,
  '',
  ...all.flatMap((s) => [
    `## ${s.name}${s.measuredAt ? ` (measured ${s.measuredAt})` : ''}`,
    '',
    '| figure | value | target | |',
    '|---|---|---|---|',
    ...s.figures.map((f) => `| ${f.label} | ${f.value} | ${f.target} | ${status(f)} |`),
    '',
  ]),
  '![benchmark chart](latest.png)',
  '',
];
writeFileSync(join(RESULTS_DIR, 'latest.md'), md.join('\n'));
for (const s of all) {
  process.stdout.write(
    `${s.name}: ${s.figures.map((f) => `${f.label} ${f.value} (target ${f.target}: ${f.met === undefined ? '-' : f.met ? 'met' : 'MISSED'})`).join('; ')}\n`,
  );
}
const missed = all.flatMap((s) => s.figures.filter((f) => f.met === false).map((f) => `${s.name} ${f.label}`));
process.stdout.write(missed.length ? `MISSED targets: ${missed.join('; ')}\n` : 'every target met\n');
const png = await renderChart(chart(all), RESULTS_DIR);
process.stdout.write(
  `report: ${join(RESULTS_DIR, 'latest.md')}; chart: ${png ?? `${join(RESULTS_DIR, 'latest.svg')} (PNG skipped: Chromium not found; set CHROMIUM_PATH)`}\n`,
);
