// Pieces every callback parser shares: the body as JSON whatever the content type said, and the
// 400 that names the provider and the first offending field of a query-string callback.
import type { z } from 'zod';
import { BadRequestError } from './errors.js';
import type { CallbackRequest, ParsedCallback, ProviderName, StatusEvent } from './types.js';

/**
 * A report whose status value no mapping knows (not in the document, a number where a name was
 * shown): kept as `unmapped` with the raw value, so the callback is stored, acknowledged and
 * visible, and the message's status does not move.
 */
export function unmappedEvent(
  provider: ProviderName,
  providerMessageId: string,
  rawStatus: unknown,
  occurredAt: Date,
  raw: unknown,
): StatusEvent {
  const value = typeof rawStatus === 'string' ? rawStatus.trim() : JSON.stringify(rawStatus ?? null);
  return {
    provider,
    providerMessageId,
    status: 'unmapped',
    rawStatus: value.slice(0, 200),
    occurredAt,
    precise: false,
    providerCode: value.slice(0, 100),
    raw,
  };
}

/**
 * Wraps a status parser so a callback is refused only when it names no message at all: any other
 * value the parser cannot read (a type it did not expect, a malformed optional field) becomes an
 * `unmapped` report for that message, with the parser's complaint as its raw value.
 */
export function tolerantStatusParser(
  provider: ProviderName,
  parse: (req: CallbackRequest) => ParsedCallback,
  messageIdOf: (req: CallbackRequest) => string | undefined,
): (req: CallbackRequest) => ParsedCallback {
  return (req) => {
    try {
      return parse(req);
    } catch (err) {
      const id = messageIdOf(req)?.trim();
      if (!(err instanceof BadRequestError) || !id) throw err;
      const body = jsonBody(req);
      return {
        kind: 'status',
        events: [unmappedEvent(provider, id, err.message, req.receivedAt ?? new Date(), body ?? req.query)],
      };
    }
  };
}

/** A string or number field of an object body, as text (message ids arrive as either). */
export function idField(value: unknown, key: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

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
