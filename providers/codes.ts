// The shape of the providers' code tables (answer codes, report codes, HTTP errors), shared so that
// each statuses.ts holds only its rows.
import type { ProviderError, ProviderErrorDetails } from './errors.js';
import type { CanonicalStatus } from './types.js';

/** A named provider error class (errors.ts), as a table row names it. */
export type ErrorClass = new (message: string, details?: ProviderErrorDetails) => ProviderError;

/** One row of an answer/report code table. */
export interface CodeInfo {
  /** The document's meaning of the code. */
  meaning: string;
  /** What the code means for the message it answered. */
  status: CanonicalStatus;
  /** The error an answer with this code throws; absent for success codes. */
  error?: ErrorClass;
  /** The request parameter the code is about, when it names one. */
  field?: string;
}

/** One row of an HTTP error table. */
export interface HttpCodeInfo {
  httpStatus: number;
  error: ErrorClass;
  meaning: string;
}
