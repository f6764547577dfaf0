// Edge checks on an authenticated provider callback before it is stored (security review H1):
// what the database or a signal cannot carry is refused with a 400 naming the field, so the
// provider hears of it and the relay never meets it. Generic over providers: it walks the request
// (every string and key of the body and query) and then checks what the parser made of it.
import { isPlausibleDate } from '../providers/plausible-time.js';
import type { CallbackRequest, ParsedCallback } from '../providers/types.js';
import { HttpError } from './errors.js';

/** Longer strings are no provider's field: a text message is a few KiB at most. */
export const MAX_CALLBACK_STRING_CHARS = 64 * 1024;
/** Provider message ids are tens of characters; the database indexes them. */
export const MAX_CALLBACK_ID_CHARS = 256;
/** Provider bodies are a few levels deep; the database's JSON reader has its own, higher, limit. */
export const MAX_CALLBACK_DEPTH = 32;

// C0 controls but tab, line feed and carriage return. PostgreSQL refuses NUL in text and jsonb; the
// others have no business in an id, a status or a text and only break logs and terminals.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

const refuse = (field: string, message: string): HttpError =>
  new HttpError(400, `${field}: ${message}`, 'invalid_callback', field);

const join = (path: string, key: string | number): string => (path ? `${path}.${key}` : String(key));

function checkString(value: string, field: string): void {
  if (value.length > MAX_CALLBACK_STRING_CHARS)
    throw refuse(field, `is longer than ${MAX_CALLBACK_STRING_CHARS} characters`);
  const bad = CONTROL.exec(value);
  if (bad)
    throw refuse(
      field,
      `contains the control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`,
    );
}

/** Every string and key under `root`, depth-first without recursion (a deep body cannot blow the stack). */
function walk(root: unknown, rootPath: string): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: rootPath, depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    const field = path || 'body';
    if (typeof value === 'string') {
      checkString(value, field);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_CALLBACK_DEPTH) throw refuse(field, `is nested deeper than ${MAX_CALLBACK_DEPTH} levels`);
    const entries: Array<[string | number, unknown]> = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof key === 'string') checkString(key, join(path, key));
      stack.push({ value: child, path: join(path, key), depth: depth + 1 });
    }
  }
}

/** The body's path of a string equal to `value` (trimmed), to name the field a parsed value came from. */
function pathOf(root: unknown, value: string): string | undefined {
  const stack: Array<{ v: unknown; path: string }> = [{ v: root, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string' && v.trim() === value) return path || 'body';
    if (v !== null && typeof v === 'object')
      for (const [k, c] of Object.entries(v)) stack.push({ v: c, path: join(path, k) });
  }
  return undefined;
}

/** Control characters, oversize strings and deep nesting in the body and the query: 400. */
export function guardCallbackRequest(req: CallbackRequest): void {
  walk(req.query, 'query');
  walk(req.body, '');
}

/** What the parser produced: ids of a sane length, times a Date and the database can hold. */
export function guardParsedCallback(req: CallbackRequest, parsed: ParsedCallback): void {
  const items =
    parsed.kind === 'status'
      ? parsed.events.map((e, i) => ({
          id: e.providerMessageId,
          at: e.occurredAt,
          name: `events.${i}`,
          time: 'occurredAt',
        }))
      : parsed.messages.map((m, i) => ({
          id: m.providerMessageId,
          at: m.receivedAt,
          name: `messages.${i}`,
          time: 'receivedAt',
        }));
  for (const item of items) {
    if (item.id.length > MAX_CALLBACK_ID_CHARS) {
      throw refuse(
        pathOf(req.body, item.id) ?? `${item.name}.providerMessageId`,
        `is longer than ${MAX_CALLBACK_ID_CHARS} characters`,
      );
    }
    // The parsers refuse such times themselves; this holds for any parser added later.
    if (!(item.at instanceof Date) || !isPlausibleDate(item.at))
      throw refuse(`${item.name}.${item.time}`, 'is not a time between 2000 and ten years from now');
  }
}
