// Dry run of a recipient import (POST /v1/campaigns?dryRun=true): the same row validation and
// duplicate check as importRecipients, nothing stored, so the dashboard can show the bad rows
// before a campaign starts.
import { acceptedRows, emptyImportResult, type ImportResult, type RowOptions, type SourceRow } from './import.js';

/**
 * Repeats are found with a set in memory here (nothing is stored to let the database find them);
 * the row cap (CSV_MAX_ROWS) bounds it.
 */
export async function previewRecipients(
  rows: AsyncIterable<SourceRow>,
  opts: Omit<RowOptions, 'dedupe'> = {},
): Promise<ImportResult> {
  const result = emptyImportResult();
  for await (const _row of acceptedRows(rows, result, { ...opts, dedupe: true })) result.imported++;
  return result;
}
