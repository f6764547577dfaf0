// Small readers for the gateway's plain-text answers: amounts, CSV report files, Jakarta dates.

/** "12500", "Rp 12.500", "12,500.50", "Saldo: 12500" → the number; undefined when there is none. */
export function parseAmount(text: string): number | undefined {
  const m = /-?\d[\d.,]*/.exec(text.replace(/rp\.?/gi, ''));
  if (!m) return undefined;
  const raw = m[0].replace(/[.,]$/, '');
  // Indonesian grouping (12.500 or 1.250.000,50) vs English (12,500.50).
  const normal = /^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(raw)
    ? raw.replace(/\./g, '').replace(',', '.')
    : raw.replace(/,/g, '');
  const n = Number(normal);
  return Number.isFinite(n) ? n : undefined;
}

/** A CSV file with a header row into records; `,`, `;` or tab separated, double quotes honoured. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const headerLine = lines[0];
  if (!headerLine) return [];
  const counts = [',', ';', '\t'].map((s) => [s, headerLine.split(s).length] as const);
  const sep = counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  const split = (line: string): string[] => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted && ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = !quoted;
      else if (ch === sep && !quoted) {
        cells.push(cell);
        cell = '';
      } else cell += ch;
    }
    cells.push(cell);
    return cells.map((c) => c.trim());
  };
  const header = split(headerLine);
  return lines.slice(1).map((line) => Object.fromEntries(split(line).map((v, i) => [header[i] ?? `col${i + 1}`, v])));
}

/** `dd-mm-yyyy` of a date's Jakarta (UTC+7) calendar day, the form's `date("d-m-Y")`. */
export function jakartaDay(date: Date): string {
  const d = new Date(date.getTime() + 7 * 3_600_000).toISOString();
  return `${d.slice(8, 10)}-${d.slice(5, 7)}-${d.slice(0, 4)}`;
}

/** `yyyy-mm-dd hh:mm[:ss]` as Jakarta time (assumption: the gateway's local clock); ISO with a zone as is. */
export function parseJakarta(value: string | undefined): Date | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v);
  const date = m
    ? new Date(
        Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]) - 7, Number(m[5]), Number(m[6] ?? 0)),
      )
    : /[zZ]|[+-]\d{2}:?\d{2}$/.test(v)
      ? new Date(v)
      : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}
