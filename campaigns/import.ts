// Streamed recipient import (CSV or JSON array): rows are validated one by one and inserted in
// batches; a bad row is reported with its line and reason and does not stop the import.
import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { insertRecipients, type NewRecipient } from '../db/campaigns.js';
import type { Pool } from '../db/pool.js';
import { JsonArrayError, jsonArrayElements } from './json-stream.js';
import { validateRow } from './recipient-row.js';

export interface Rejected { line: number; reason: string }
export interface ImportResult { imported: number; rejected: Rejected[]; rejectedCount: number }

/** A row of the source: its object, or why it could not be read. `line` is where it starts. */
export type SourceRow = { line: number; row: unknown } | { line: number; error: string };

const MAX_REPORTED = 1_000;

export async function* csvRows(source: AsyncIterable<string | Buffer>): AsyncGenerator<SourceRow> {
  const skipped: SourceRow[] = [];
  const parser = Readable.from(source).pipe(parse({
    columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
    bom: true, trim: true, skip_empty_lines: true, info: true,
    // A malformed record (bad quoting, wrong column count) is reported, the rest go on.
    skip_records_with_error: true,
  }));
  parser.on('skip', (err: Error & { lines?: number }) => { skipped.push({ line: err.lines ?? 0, error: err.message.replace(/^Invalid Record Length: /, '') }); });
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    while (skipped.length) yield skipped.shift()!;
    yield { line: rec.info.lines, row: rec.record };
  }
  while (skipped.length) yield skipped.shift()!;
}

export async function* jsonRows(source: AsyncIterable<string | Buffer>): AsyncGenerator<SourceRow> {
  try {
    for await (const el of jsonArrayElements(source)) {
      try { yield { line: el.line, row: JSON.parse(el.text) as unknown }; } catch (err) { yield { line: el.line, error: `invalid JSON: ${(err as Error).message}` }; }
    }
  } catch (err) {
    if (err instanceof JsonArrayError) { yield { line: err.line, error: err.message }; return; }
    throw err;
  }
}

/** Plain objects already in memory (the JSON body of POST /v1/campaigns): line = position (1-based). */
export async function* arrayRows(rows: unknown[]): AsyncGenerator<SourceRow> {
  for (let i = 0; i < rows.length; i++) yield { line: i + 1, row: rows[i] };
}

/**
 * The rows that pass validation, one message per number; every other row is recorded in
 * `result.rejected` with its line (in file order once the rows are exhausted).
 */
export async function* acceptedRows(rows: AsyncIterable<SourceRow>, result: ImportResult): AsyncGenerator<NewRecipient> {
  const seen = new Map<string, number>();
  let position = 0;
  const reject = (line: number, reason: string) => {
    result.rejectedCount++;
    if (result.rejected.length < MAX_REPORTED) result.rejected.push({ line, reason });
  };
  for await (const src of rows) {
    position++;
    if ('error' in src) { reject(src.line, src.error); continue; }
    const r = validateRow(src.row, position);
    if (typeof r === 'string') { reject(src.line, r); continue; }
    // One message per number: a repeated number would be sent twice.
    const first = seen.get(r.phone);
    if (first !== undefined) { reject(src.line, `phone: ${r.phone} repeats line ${first}`); continue; }
    seen.set(r.phone, src.line);
    yield r;
  }
  // The CSV parser reports malformed records ahead of the good ones it buffered: report in file order.
  result.rejected.sort((a, b) => a.line - b.line);
}

export const emptyImportResult = (): ImportResult => ({ imported: 0, rejected: [], rejectedCount: 0 });

/**
 * Imports rows into campaign_recipients. recipient_id is the row's position among the source's
 * rows (rejected ones included), so it is stable and points back at the file.
 */
export async function importRecipients(pool: Pool, campaignId: string, rows: AsyncIterable<SourceRow>, opts: { batchSize?: number } = {}): Promise<ImportResult> {
  const batchSize = opts.batchSize ?? 1_000;
  const result = emptyImportResult();
  let batch: NewRecipient[] = [];
  for await (const r of acceptedRows(rows, result)) {
    batch.push(r);
    if (batch.length >= batchSize) { await insertRecipients(pool, campaignId, batch); result.imported += batch.length; batch = []; }
  }
  await insertRecipients(pool, campaignId, batch);
  result.imported += batch.length;
  return result;
}
