// Pieces every callback parser shares: the body as JSON whatever the content type said, and the
// 400 that names the provider and the first offending field of a query-string callback.
import type { z } from 'zod';
import { BadRequestError } from './errors.js';
import type { CallbackRequest } from './types.js';

/** The parsed body; a JSON body that arrived as text (wrong content type) is parsed here. Unparseable → undefined. */
export function jsonBody(req: CallbackRequest): unknown {
  const body = req.body;
  if (typeof body !== 'string' && !(body === undefined && req.rawBody)) return body;
  try {
    return JSON.parse(typeof body === 'string' ? body : (req.rawBody ?? '')) as unknown;
  } catch {
    return undefined;
  }
}

/** A zod failure of a callback's values as a 400: "<provider> callback: <field>: is required | <message>". */
export function invalidCallback(provider: string, error: z.ZodError, source: Record<string, unknown>): BadRequestError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'query';
  const missing = issue !== undefined && issue.path.length > 0 && source[String(issue.path[0])] == null;
  return new BadRequestError(
    `${provider} callback: ${field}: ${missing ? 'is required' : (issue?.message ?? 'is invalid')}`,
    { provider, field },
  );
}
