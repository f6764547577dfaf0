// The SDK's calls to the kurir REST API (campaigns live in the deployment's PostgreSQL, which only
// the API reaches). Same defaults as the event stream: KURIR_API_URL and KURIR_API_KEY.
import { KurirConfigError } from './errors.js';

export interface RestTarget {
  /** The kurir API, default KURIR_API_URL or http://127.0.0.1:3000. */
  apiUrl?: string;
  /** An API key (one of the server's KURIR_API_KEYS), default KURIR_API_KEY (required). */
  apiKey?: string;
}

/** The API answered with an error the SDK has no typed error for; `code` is its `error` field. */
export class KurirApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'KurirApiError';
  }
}

export interface RestAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface RestRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  /** An object is sent as JSON; a byte stream is sent as is with `contentType` (streamed, not buffered). */
  body?: object | AsyncIterable<Uint8Array>;
  contentType?: string;
  /** More request headers (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
}

const isStream = (b: unknown): b is AsyncIterable<Uint8Array> =>
  typeof b === 'object' && b !== null && Symbol.asyncIterator in b;

/** The API's base URL (default KURIR_API_URL, then the local API) and key (KURIR_API_KEY; no default). */
export function resolveRestTarget(target: RestTarget): { base: string; key: string } {
  const base = (target.apiUrl ?? process.env.KURIR_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const key = target.apiKey ?? process.env.KURIR_API_KEY;
  if (!key)
    throw new KurirConfigError('apiKey', 'set an API key of the kurir API (the kurirApiKey option or KURIR_API_KEY)');
  return { base, key };
}

/** One request; answers every status (the caller maps the ones it knows to typed errors). */
export async function restCall(target: RestTarget, req: RestRequest): Promise<RestAnswer> {
  const { base, key } = resolveRestTarget(target);
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) query.set(k, v);
  const headers: Record<string, string> = {
    ...req.headers,
    accept: 'application/json',
    authorization: `Bearer ${key}`,
  };
  let body: string | AsyncIterable<Uint8Array> | undefined;
  if (isStream(req.body)) {
    body = req.body;
    headers['content-type'] = req.contentType ?? 'application/octet-stream';
  } else if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] = 'application/json';
  }
  const qs = query.size ? `?${query}` : '';
  // duplex 'half': required by fetch for a streamed request body.
  const res = await fetch(`${base}${req.path}${qs}`, {
    method: req.method,
    headers,
    ...(body === undefined ? {} : { body, duplex: 'half' }),
  } as RequestInit);
  const text = await res.text();
  try {
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  } catch {
    return { status: res.status, body: { message: text } };
  }
}

/** The error for an answer the caller did not expect. */
export function apiError(answer: RestAnswer, what: string): KurirApiError {
  const code = typeof answer.body.error === 'string' ? answer.body.error : 'error';
  const message =
    typeof answer.body.message === 'string' ? answer.body.message : `${what}: the API answered ${answer.status}`;
  return new KurirApiError(answer.status, code, message, answer.body);
}
