// fast-check arbitraries of hostile HTTP requests: malformed JSON, wrong types, bad encodings,
// odd content types, junk query strings and path parameters.
import fc from 'fast-check';

export interface Route {
  method: string;
  path: string;
}

const FIELDS = [
  'to',
  'steps',
  'channel',
  'provider',
  'template',
  'params',
  'text',
  'code',
  'phone',
  'name',
  'recipients',
  'concurrency',
  'status',
  'message_id',
  'messageId',
  'id',
  'data',
  'events',
  'session_id',
  'ref_no',
  'error_code',
  'statuses',
  'fallback',
  'ttl',
];

const printable = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);

export const contentTypes = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'text/csv',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
    ),
    printable.filter((s) => s.length > 0),
  ),
  { nil: undefined },
);

/** Bodies: valid JSON of the wrong shape, near-miss objects with known field names, malformed text, invalid UTF-8. */
export const bodies: fc.Arbitrary<string | Buffer | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom(...FIELDS),
      fc.oneof(
        fc.jsonValue(),
        fc.array(fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue(), { maxKeys: 4 }), { maxLength: 3 }),
      ),
      { maxKeys: 6 },
    )
    .map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"to":',
    '[1,2',
    '{"a":1}}',
    'null',
    '""',
    'NaN',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
    '\u0000',
  ),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.constant(Buffer.from([0x7b, 0x22, 0x74, 0x6f, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d])), // {"to":"<invalid UTF-8>"}
);

export const queries = fc.dictionary(
  fc.oneof(
    fc.constantFrom('token', 'limit', 'after', 'status', 'name', 'steps', 'to', 'ref_no', 'session_id'),
    fc.string({ maxLength: 10 }),
  ),
  fc.string({ maxLength: 30 }),
  { maxKeys: 4 },
);

export const paramValues = fc.oneof(
  fc.constantFrom('x', 'msg_1', 'cmp_1', 'otp_1', '..', '%00', 'pause', 'resume', 'cancel'),
  fc.string({ maxLength: 60 }),
);

/** A concrete URL for a route: `{param}` segments filled, a junk query appended. */
export function urlFor(route: Route, params: string[], query: Record<string, string>): string {
  let i = 0;
  const path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[i++ % params.length] ?? 'x'));
  const qs = new URLSearchParams(query).toString();
  return qs ? `${path}?${qs}` : path;
}
