// Dry run of a recipient import (POST /v1/campaigns?dryRun=true): the same row validation and
// duplicate check as importRecipients, nothing stored, so the dashboard can show the bad rows
// before a campaign starts.
import { acceptedRows, emptyImportResult, type ImportResult, type SourceRow } from './import.js';

export async function previewRecipients(rows: AsyncIterable<SourceRow>): Promise<ImportResult> {
  const result = emptyImportResult();
  for await (const _row of acceptedRows(rows, result)) result.imported++;
  return result;
}
