/// <reference lib="dom" />
// A tiny element builder: text always goes in as text nodes (never innerHTML), so provider
// codes or campaign names cannot inject markup.
type Attrs = Record<string, string | number | boolean | undefined | null | ((ev: Event) => void)>;
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export function table(caption: string, headers: string[], rows: Child[][], opts: { empty?: string } = {}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, opts.empty ?? `${caption}: none yet.`);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
    ),
  );
}

export const time = (iso: string | null | undefined): string => {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { hour12: false });
};

export const pct = (n: number): string => `${(Math.round(n * 1000) / 10).toFixed(1)}%`;

/** A "last 1h / 24h / 7d" select; `onChange` gets the chosen window. */
export function windowPicker(
  id: string,
  windows: string[],
  initial: string,
  onChange: (w: string) => void,
): HTMLSelectElement {
  return h(
    'select',
    {
      id,
      class: 'narrow',
      'aria-label': 'Window',
      onchange: (e: Event) => onChange((e.target as HTMLSelectElement).value),
    },
    ...windows.map((w) => h('option', { value: w, selected: w === initial }, `last ${w}`)),
  );
}
