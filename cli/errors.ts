// Exit codes of the `kurir` command and the one line each error becomes on stderr.
import { WorkflowNotFoundError } from '@temporalio/client';
import { CommanderError } from 'commander';
import { KurirValidationError } from '../client/errors.js';
import { apiError, KurirApiError, type RestAnswer } from '../client/rest.js';
import { CampaignEmptyError, CampaignExistsError, CampaignNotFoundError } from '../client/campaign-errors.js';
import { OtpRefusedError } from '../client/start-otp.js';
import { ConfigError } from '../config/index.js';

export const EXIT = { ok: 0, runtime: 1, usage: 2, refused: 3, notFound: 4 } as const;

/** An error the CLI raises itself, with the exit code it means. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The CLI's exit code for an API refusal: 404 not found, 401/403/429 refused, 400/409/413/422 usage. */
const EXIT_OF_STATUS: Readonly<Record<number, number>> = {
  400: EXIT.usage,
  401: EXIT.refused,
  403: EXIT.refused,
  404: EXIT.notFound,
  409: EXIT.usage,
  413: EXIT.usage,
  422: EXIT.usage,
  429: EXIT.refused,
};

const firstLine = (s: string) =>
  s
    .split('\n')
    .find((l) => l.trim())
    ?.trim() ?? s;

/** Maps any error to an exit code and a single line (never a stack trace). */
export function describeError(err: unknown): { exitCode: number; line: string } {
  if (err instanceof CliError) return { exitCode: err.exitCode, line: err.message };
  // Commander already printed its own one-line message.
  if (err instanceof CommanderError) return { exitCode: err.exitCode === 0 ? EXIT.ok : EXIT.usage, line: '' };
  if (err instanceof KurirValidationError) return { exitCode: EXIT.usage, line: err.message };
  if (err instanceof ConfigError)
    return { exitCode: EXIT.usage, line: `invalid configuration: ${err.problems.join('; ')}` };
  if (err instanceof OtpRefusedError) {
    const exitCode = err.reason === 'invalid' ? EXIT.usage : err.reason === 'send_failed' ? EXIT.runtime : EXIT.refused;
    return { exitCode, line: `refused (${err.reason}): ${firstLine(err.message)}` };
  }
  if (err instanceof CampaignNotFoundError) return { exitCode: EXIT.notFound, line: `not found: ${err.message}` };
  if (err instanceof CampaignEmptyError || err instanceof CampaignExistsError)
    return { exitCode: EXIT.usage, line: err.message };
  // An API answer the SDK has no typed error for (e.g. a CSV upload over CSV_MAX_BYTES: 413).
  if (err instanceof KurirApiError) return { exitCode: EXIT_OF_STATUS[err.status] ?? EXIT.runtime, line: err.message };
  if (err instanceof WorkflowNotFoundError)
    return { exitCode: EXIT.notFound, line: `not found: ${firstLine(err.message)}` };
  return { exitCode: EXIT.runtime, line: err instanceof Error ? firstLine(err.message) : String(err) };
}

export function apiFailure(answer: RestAnswer): CliError {
  return new CliError(EXIT_OF_STATUS[answer.status] ?? EXIT.runtime, apiError(answer, 'the API').message);
}
