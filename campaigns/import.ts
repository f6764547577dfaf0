// Streamed recipient import (CSV or JSON array): rows are validated one by one and inserted in
// batches; a bad row is reported with its line and reason and does not stop the import.
import { parse } from 'csv-parse';
import type { CountryCode } from 'libphonenumber-js';
import { Readable } from 'node:stream';
import { firstLinesOf, insertRecipients, type NewRecipient } from '../db/campaigns.js';
import type { Pool } from '../db/pool.js';
import { JsonArrayError, jsonArrayElements } from './json-stream.js';
import { byteLimit, DEFAULT_MAX_ROWS, MAX_RECORD_SIZE, recordTooLarge, tooManyRows } from './limits.js';
import { validateRow } from './recipient-row.js';

export interface Rejected {
  line: number;
  reason: string;
}
export interface ImportResult {
  imported: number;
  rejected: Rejected[];
  rejectedCount: number;
}

/** A row of the source: its object, or why it could not be read. `line` is where it starts. */
export type SourceRow = { line: number; row: unknown } | { line: number; error: string };

const MAX_REPORTED = 1_000;

/** Rows of a CSV source; with `maxBytes`, a source longer than that fails the import (ImportLimitError). */
export async function* csvRows(
  source: AsyncIterable<string | Buffer>,
  opts: { maxBytes?: number } = {},
): AsyncGenerator<SourceRow> {
  const skipped: SourceRow[] = [];
  const parser = parse({
    columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
    bom: true,
    trim: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: MAX_RECORD_SIZE,
    // A malformed record (bad quoting, wrong column count) is reported, the rest go on.
    skip_records_with_error: true,
  });
  parser.on('skip', (err: Error & { lines?: number; code?: string }) => {
    if (err.code === 'CSV_MAX_RECORD_SIZE') {
      parser.destroy(recordTooLarge(err.lines ?? 0));
      return;
    }
    skipped.push({ line: err.lines ?? 0, error: err.message.replace(/^Invalid Record Length: /, '') });
  });
  // A failing source (client gone) or the byte limit fails the parser, and so this generator,
  // instead of leaving it waiting for data forever. The source itself is not destroyed: for an
  // HTTP upload that would close the socket before the error answer is sent.
  const input = source instanceof Readable ? source : Readable.from(source);
  const limit = opts.maxBytes === undefined ? undefined : byteLimit(opts.maxBytes);
  const fail = (err: Error) => {
    parser.destroy(err);
  };
  const gone = () => new Error('the upload ended early (client disconnected)');
  // Other source errors (a file that cannot be read) pass through with their code.
  input.on('error', (err: Error & { code?: string }) => {
    fail(err.code === 'ECONNRESET' ? gone() : err);
  });
  input.on('close', () => {
    if (!input.readableEnded) fail(gone());
  });
  if (limit) {
    limit.on('error', fail);
    input.pipe(limit).pipe(parser);
  } else input.pipe(parser);
  try {
    for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      while (skipped.length) yield skipped.shift()!;
      yield { line: rec.info.lines, row: rec.record };
    }
    while (skipped.length) yield skipped.shift()!;
  } finally {
    // Stopped early (a limit, an error): the rest of the source is read and dropped, so an HTTP
    // client still gets the answer (the route closes the connection after it).
    if (!input.readableEnded) {
      input.unpipe();
      input.resume();
    }
  }
}

export async function* jsonRows(source: AsyncIterable<string | Buffer>): AsyncGenerator<SourceRow> {
  try {
    for await (const el of jsonArrayElements(source)) {
      try {
        yield { line: el.line, row: JSON.parse(el.text) as unknown };
      } catch (err) {
        yield { line: el.line, error: `invalid JSON: ${(err as Error).message}` };
      }
    }
  } catch (err) {
    if (err instanceof JsonArrayError) {
      yield { line: err.line, error: err.message };
      return;
    }
    throw err;
  }
}

/** Plain objects already in memory (the JSON body of POST /v1/campaigns): line = position (1-based). */
export async function* arrayRows(rows: unknown[]): AsyncGenerator<SourceRow> {
  for (let i = 0; i < rows.length; i++) yield { line: i + 1, row: rows[i] };
}

export interface RowOptions {
  /** DEFAULT_REGION: how numbers without "+" are read; unset: such a number is a rejected row. */
  region?: CountryCode;
  /** CSV_MAX_ROWS: one more source row fails the import with ImportLimitError. */
  maxRows?: number;
  /**
   * Repeated numbers checked here, in memory (the dry run: it stores nothing, and its set is
   * bounded by maxRows). The real import passes false: the database's unique index checks them.
   */
  dedupe?: boolean;
}

const reporter = (result: ImportResult) => (line: number, reason: string) => {
  result.rejectedCount++;
  if (result.rejected.length < MAX_REPORTED) result.rejected.push({ line, reason });
};

// The CSV parser reports malformed records ahead of the good ones it buffered: report in file order.
const sortRejected = (result: ImportResult) => result.rejected.sort((a, b) => a.line - b.line);

/**
 * The rows that pass validation, one message per number; every other row is recorded in
 * `result.rejected` with its line (in file order once the rows are exhausted).
 */
export async function* acceptedRows(
  rows: AsyncIterable<SourceRow>,
  result: ImportResult,
  opts: RowOptions = {},
): AsyncGenerator<NewRecipient & { line: number }> {
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const seen = opts.dedupe === false ? undefined : new Map<string, number>();
  let position = 0;
  const reject = reporter(result);
  for await (const src of rows) {
    position++;
    if (position > maxRows) throw tooManyRows(maxRows);
    if ('error' in src) {
      reject(src.line, src.error);
      continue;
    }
    const r = validateRow(src.row, position, opts.region);
    if (typeof r === 'string') {
      reject(src.line, r);
      continue;
    }
    // One message per number: a repeated number would be sent twice.
    const first = seen?.get(r.phone);
    if (first !== undefined) {
      reject(src.line, repeats(r.phone, first));
      continue;
    }
    seen?.set(r.phone, src.line);
    yield { ...r, line: src.line };
  }
  sortRejected(result);
}

const repeats = (phone: string, line: number) => `phone: ${phone} repeats line ${line}`;

export const emptyImportResult = (): ImportResult => ({ imported: 0, rejected: [], rejectedCount: 0 });

/**
 * Imports rows into campaign_recipients. recipient_id is the row's position among the source's
 * rows (rejected ones included), so it is stable and points back at the file.
 */
export async function importRecipients(
  pool: Pool,
  campaignId: string,
  rows: AsyncIterable<SourceRow>,
  opts: RowOptions & { batchSize?: number } = {},
): Promise<ImportResult> {
  const batchSize = opts.batchSize ?? 1_000;
  const result = emptyImportResult();
  const reject = reporter(result);
  let batch: (NewRecipient & { line: number })[] = [];
  // Repeated numbers: the unique index on (campaign_id, phone) drops them (ON CONFLICT DO NOTHING),
  // so memory stays at one batch however many numbers the file has. The line of the number's
  // first occurrence is read back from the stored row.
  const flush = async () => {
    const stored = new Set(await insertRecipients(pool, campaignId, batch));
    const dropped = batch.filter((r) => !stored.has(r.recipientId));
    const firstLines = await firstLinesOf(
      pool,
      campaignId,
      dropped.map((r) => r.phone),
    );
    for (const r of dropped) reject(r.line, repeats(r.phone, firstLines.get(r.phone) ?? 0));
    result.imported += stored.size;
    batch = [];
  };
  for await (const r of acceptedRows(rows, result, { ...opts, dedupe: false })) {
    batch.push(r);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  sortRejected(result);
  return result;
}
