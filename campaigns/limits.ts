// Limits on one recipient import, so an upload cannot exhaust the API's memory or the database:
// bytes of the body (CSV_MAX_BYTES), rows (CSV_MAX_ROWS), bytes of one CSV record.
import { Transform, type TransformCallback } from 'node:stream';

/** csv-parse's max_record_size: one record (e.g. an unterminated quote) never buffers more. */
export const MAX_RECORD_SIZE = 64 * 1024;

export const DEFAULT_MAX_ROWS = 1_000_000;

/** The import stops: the whole upload is refused (413 for size, 400 for an unreadable record). */
export class ImportLimitError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ImportLimitError';
  }
}

export const tooManyRows = (max: number) =>
  new ImportLimitError(`body: more than ${max} rows (CSV_MAX_ROWS)`, 413, 'payload_too_large');
export const tooManyBytes = (max: number) =>
  new ImportLimitError(`body: larger than ${max} bytes (CSV_MAX_BYTES)`, 413, 'payload_too_large');
// csv-parse cannot find the next record after an oversize one, so the file is refused rather than
// imported up to that line without notice.
export const recordTooLarge = (line: number) =>
  new ImportLimitError(
    `body: the record at line ${line} is larger than ${MAX_RECORD_SIZE} bytes; the file cannot be read past it`,
    400,
    'validation_error',
  );

/** Passes the stream through and fails it once more than `max` bytes went by. */
export function byteLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer | string, _enc: BufferEncoding, done: TransformCallback) {
      seen += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      if (seen > max) {
        done(tooManyBytes(max));
        return;
      }
      done(null, chunk);
    },
  });
}
