/// <reference lib="dom" />
// Sends per minute as an inline SVG bar chart, with the provider cap as a dashed line when the
// cap is within sight of the bars (a cap hundreds of times higher would flatten every bar).
const NS = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

export interface MinuteBar {
  minute: string;
  sends: number;
}

export function sendsChart(bars: MinuteBar[], capPerMinute: number | undefined): SVGSVGElement {
  const W = 640;
  const H = 200;
  const L = 48;
  const B = 28;
  const T = 12;
  const maxSends = Math.max(1, ...bars.map((b) => b.sends));
  const showCap = capPerMinute !== undefined && capPerMinute <= maxSends * 4;
  const top = Math.max(maxSends, showCap ? capPerMinute : 0) * 1.1;
  const y = (v: number) => T + (H - T - B) * (1 - v / top);
  const desc =
    `${bars.length} minute${bars.length === 1 ? '' : 's'}, at most ${maxSends} sends in a minute` +
    (capPerMinute === undefined
      ? '; no provider cap configured'
      : `; provider cap ${capPerMinute} per minute${showCap ? '' : ' (far above the bars, not drawn)'}`);
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': `Sends per minute: ${desc}`,
    class: 'chart',
  });
  root.append(svg('line', { x1: L, y1: y(0), x2: W, y2: y(0), class: 'axis' }));
  root.append(svg('text', { x: L - 6, y: y(0) + 4, 'text-anchor': 'end', class: 'tick' }, '0'));
  root.append(svg('text', { x: L - 6, y: y(maxSends) + 4, 'text-anchor': 'end', class: 'tick' }, String(maxSends)));
  const slot = (W - L) / Math.max(bars.length, 1);
  bars.forEach((b, i) => {
    const x = L + i * slot + slot * 0.15;
    const rect = svg('rect', {
      x,
      y: y(b.sends),
      width: Math.max(2, slot * 0.7),
      height: y(0) - y(b.sends),
      class: 'bar',
    });
    rect.append(
      svg('title', {}, `${new Date(b.minute).toLocaleTimeString(undefined, { hour12: false })}: ${b.sends} sends`),
    );
    root.append(rect);
    if (bars.length <= 12 || i % Math.ceil(bars.length / 12) === 0) {
      root.append(
        svg(
          'text',
          { x: x + slot * 0.35, y: H - 8, 'text-anchor': 'middle', class: 'tick' },
          new Date(b.minute).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false }),
        ),
      );
    }
  });
  if (showCap && capPerMinute !== undefined) {
    root.append(svg('line', { x1: L, y1: y(capPerMinute), x2: W, y2: y(capPerMinute), class: 'cap' }));
    root.append(
      svg(
        'text',
        { x: W - 4, y: y(capPerMinute) - 4, 'text-anchor': 'end', class: 'cap-label' },
        `cap ${capPerMinute}/min`,
      ),
    );
  }
  return root;
}

export interface RateRow {
  label: string;
  /** 0..1, or null when there was nothing to rate. */
  delivered: number | null;
  read: number | null;
}

/** Delivery and read rates per provider and channel as horizontal bars (0–100 %). */
export function ratesChart(rows: RateRow[]): SVGSVGElement {
  const W = 640;
  const L = 170;
  const R = 120;
  const ROW = 34;
  const H = 20 + rows.length * ROW;
  const x = (v: number) => L + (W - L - R) * v;
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': `Delivery and read rates: ${rows
      .map((r) => `${r.label} ${pctText(r.delivered)} delivered, ${pctText(r.read)} read`)
      .join('; ')}`,
    class: 'chart',
  });
  rows.forEach((r, i) => {
    const top = 10 + i * ROW;
    root.append(svg('text', { x: L - 8, y: top + 17, 'text-anchor': 'end', class: 'tick' }, r.label));
    for (const [j, [kind, v]] of (
      [
        ['delivered', r.delivered],
        ['read', r.read],
      ] as const
    ).entries()) {
      const y = top + j * 13;
      const bar = svg('rect', { x: L, y, width: Math.max(1, x(v ?? 0) - L), height: 11, class: `bar ${kind}` });
      bar.append(svg('title', {}, `${r.label}: ${pctText(v)} ${kind}`));
      root.append(bar, svg('text', { x: x(v ?? 0) + 4, y: y + 10, class: 'tick' }, `${pctText(v)} ${kind}`));
    }
  });
  return root;
}

const pctText = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);
