// The benchmark chart as SVG (no charting dependency), rendered to PNG by headless Chromium
// (Debian `chromium` via playwright-core, the same browser the dashboard test drives).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Chart {
  ratios: Array<{ label: string; value: number; target: number }>;
  latencies: Array<{ label: string; p50: number; p99: number; targetP50: number; targetP99: number }>;
  scaling?: { small: number; large: number; msPerRecipient: [number, number]; rssMb: [number, number] };
  missed: string[];
}

const W = 960;
const PANEL_H = 230;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const text = (x: number, y: number, s: string, extra = '') => `<text x="${x}" y="${y}" ${extra}>${esc(s)}</text>`;

/** Horizontal bars with a target tick each; `max` is the scale's right end. */
function bars(
  top: number,
  title: string,
  rows: Array<{ label: string; value: number; target?: number; unit: string; good: boolean }>,
  max: number,
): string {
  const left = 230;
  const width = W - left - 120;
  const h = 22;
  const parts = [text(20, top + 20, title, 'font-weight="bold" font-size="15"')];
  rows.forEach((r, i) => {
    const y = top + 40 + i * (h + 10);
    const len = Math.max(1, (Math.min(r.value, max) / max) * width);
    parts.push(text(20, y + 16, r.label, 'font-size="13"'));
    parts.push(`<rect x="${left}" y="${y}" width="${len}" height="${h}" fill="${r.good ? '#2f855a' : '#c53030'}"/>`);
    parts.push(text(left + len + 6, y + 16, `${r.value}${r.unit}`, 'font-size="12"'));
    if (r.target !== undefined && Number.isFinite(r.target)) {
      const tx = left + (Math.min(r.target, max) / max) * width;
      parts.push(
        `<line x1="${tx}" x2="${tx}" y1="${y - 3}" y2="${y + h + 3}" stroke="#1a202c" stroke-width="2" stroke-dasharray="3,2"/>`,
      );
    }
  });
  return parts.join('\n');
}

export function chartSvg(chart: Chart): string {
  const panels: string[] = [];
  let top = 10;
  if (chart.ratios.length) {
    panels.push(
      bars(
        top,
        'Ratio to the in-run baseline (dashed: target; green: met)',
        chart.ratios.map((r) => ({
          label: r.label,
          value: r.value,
          target: r.target,
          unit: '',
          good: !(r.value < r.target),
        })),
        1,
      ),
    );
    top += PANEL_H;
  }
  if (chart.latencies.length) {
    const rows = chart.latencies.flatMap((l) => [
      { label: `${l.label} p50`, value: l.p50, target: l.targetP50, unit: ' ms', good: l.p50 <= l.targetP50 },
      { label: `${l.label} p99`, value: l.p99, target: l.targetP99, unit: ' ms', good: l.p99 <= l.targetP99 },
    ]);
    panels.push(bars(top, 'Latency percentiles (dashed: target)', rows, Math.max(200, ...rows.map((r) => r.value))));
    top += PANEL_H;
  }
  if (chart.scaling) {
    const s = chart.scaling;
    const rows = [
      { label: `ms/recipient @ ${s.small}`, value: s.msPerRecipient[0], unit: ' ms', good: true },
      {
        label: `ms/recipient @ ${s.large}`,
        value: s.msPerRecipient[1],
        target: s.msPerRecipient[0] * 1.25,
        unit: ' ms',
        good: s.msPerRecipient[1] <= s.msPerRecipient[0] * 1.25,
      },
      { label: `worker RSS @ ${s.small}`, value: s.rssMb[0], unit: ' MB', good: true },
      {
        label: `worker RSS @ ${s.large}`,
        value: s.rssMb[1],
        target: s.rssMb[0] * 1.25,
        unit: ' MB',
        good: s.rssMb[1] <= s.rssMb[0] * 1.25,
      },
    ];
    const timeMax = Math.max(...s.msPerRecipient) * 1.4;
    const memMax = Math.max(...s.rssMb) * 1.4;
    panels.push(
      bars(
        top,
        `Campaign scaling ${s.small} → ${s.large} recipients (dashed: ×1.25 of the small run)`,
        rows.slice(0, 2),
        timeMax,
      ),
    );
    panels.push(bars(top + 80, '', rows.slice(2), memMax));
    top += PANEL_H;
  }
  const footer = chart.missed.length ? `Missed: ${chart.missed.join('; ')}` : 'Every target met';
  panels.push(text(20, top + 10, footer, `font-size="13" fill="${chart.missed.length ? '#c53030' : '#2f855a'}"`));
  const height = top + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${panels.join('\n')}
</svg>`;
}

function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => !!p && existsSync(p),
  );
}

/** Writes latest.svg and, when Chromium is installed, latest.png; returns the PNG path or undefined. */
export async function renderChart(chart: Chart, dir: string): Promise<string | undefined> {
  const svg = chartSvg(chart);
  writeFileSync(join(dir, 'latest.svg'), svg);
  const executablePath = chromiumPath();
  if (!executablePath) return undefined;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: W, height: 200 } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    const png = join(dir, 'latest.png');
    await page.locator('svg').screenshot({ path: png });
    return png;
  } finally {
    await browser.close();
  }
}
