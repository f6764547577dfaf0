// Shared plumbing for the provider sandboxes: a real node:http server, body parsing,
// outcome scripting by recipient number, a request log for exactly-once checks, and a
// callback sender that retries like the providers do. Each sandboxes/<name>.ts
// implements its provider's contract on top of this.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Outcomes scripted by the recipient number (documented in the README): WhatsApp sandboxes read the
 * last three digits, SMS sandboxes the three before them, so one number can script both channels of
 * a fallback (e.g. +62812345000601: WhatsApp says invalid number, SMS is read):
 *   601 invalid number · 602 send rejected (permanent) · 603 accepted then failed ·
 *   604 sent+delivered, never read · 605 sent, never delivered · 606 no callbacks (status only by polling) ·
 *   607 first send answers 5xx, the retry succeeds · 608 callbacks duplicated and in reverse order ·
 *   609 callbacks arrive before the send response · 610 send times out once (slow response), then succeeds ·
 *   611 before the last normal status, one report with a status value the document does not list ·
 *   612 before the last normal status, one report with a number where the document shows a name or letter ·
 *   anything else: sent → delivered → read.
 * 611/612 are the surprises a document allows without showing; a sandbox whose callbacks cannot carry
 * them (every query value is text) says so in docs/providers.md and otherwise plays the default.
 */
export type Scenario =
  | 'invalid_number'
  | 'rejected'
  | 'fails_later'
  | 'never_read'
  | 'never_delivered'
  | 'no_callbacks'
  | 'flaky_once'
  | 'duplicate_reversed'
  | 'callback_before_response'
  | 'slow_once'
  | 'unknown_status'
  | 'numeric_status'
  | 'read';

const SCENARIOS: Record<string, Scenario> = {
  '601': 'invalid_number',
  '602': 'rejected',
  '603': 'fails_later',
  '604': 'never_read',
  '605': 'never_delivered',
  '606': 'no_callbacks',
  '607': 'flaky_once',
  '608': 'duplicate_reversed',
  '609': 'callback_before_response',
  '610': 'slow_once',
  '611': 'unknown_status',
  '612': 'numeric_status',
};

export function scenarioFor(recipient: string, channel: 'whatsapp' | 'sms' = 'whatsapp'): Scenario {
  const digits = recipient.replace(/\D/g, '');
  const code = channel === 'whatsapp' ? digits.slice(-3) : digits.slice(-6, -3);
  return SCENARIOS[code] ?? 'read';
}

/** Which progress statuses a scenario reaches (before any provider-specific naming). */
export function progressFor(scenario: Scenario): Array<'sent' | 'delivered' | 'read' | 'failed'> {
  switch (scenario) {
    case 'invalid_number':
    case 'rejected':
      return [];
    case 'fails_later':
      return ['failed'];
    case 'never_read':
      return ['sent', 'delivered'];
    case 'never_delivered':
      return ['sent'];
    default:
      return ['sent', 'delivered', 'read'];
  }
}

export interface SandboxRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** JSON or form body parsed to an object; undefined when neither. */
  body: unknown;
}

export interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  recipient?: string;
  status: number;
  /** What the request carried (JSON/form body, else the query), as a phone would see it: tests read OTP codes here. */
  content: string;
  /** The body the sandbox answered (tests find the message id it issued here). */
  answer: string;
}

export interface SandboxReply {
  status: number;
  body: unknown;
  contentType?: string;
  /** Wait this long before answering (used to make callbacks overtake the response). */
  delayMs?: number;
}

export type SandboxHandler = (req: SandboxRequest) => Promise<SandboxReply> | SandboxReply;

export interface RunningSandbox {
  url: string;
  port: number;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

export function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

const bodyText = (reply: SandboxReply): string =>
  typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);

function send(res: ServerResponse, reply: SandboxReply): void {
  const isText = typeof reply.body === 'string';
  res.writeHead(reply.status, { 'content-type': reply.contentType ?? (isText ? 'text/plain' : 'application/json') });
  res.end(bodyText(reply));
}

/**
 * Starts a sandbox server on 127.0.0.1. `recipientOf` pulls the recipient out of a request so the
 * log can count provider requests per number. `GET /__sandbox/requests` returns the log and
 * `POST /__sandbox/reset` clears it, so tests in another process can count sends;
 * `POST /__sandbox/outage?on=true|false` plays a provider outage (every request 503).
 */
export async function startSandboxServer(opts: {
  port?: number;
  handler: SandboxHandler;
  recipientOf?: (req: SandboxRequest) => string | undefined;
}): Promise<RunningSandbox> {
  const requests: LoggedRequest[] = [];
  let outage = false;
  const server: Server = createServer((req, res) => {
    // A provider counts a request against its limits when it arrives, not when it has answered it.
    const at = new Date().toISOString();
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://sandbox');
        if (url.pathname === '/__sandbox/requests') return send(res, { status: 200, body: requests });
        // A provider outage, for failover tests: every provider request answers 503 until it is lifted.
        if (url.pathname === '/__sandbox/outage') {
          outage = url.searchParams.get('on') !== 'false';
          return send(res, { status: 200, body: { outage } });
        }
        if (outage) return send(res, { status: 503, body: 'Service Unavailable' });
        if (url.pathname === '/__sandbox/reset') {
          requests.length = 0;
          return send(res, { status: 200, body: { ok: true } });
        }
        const rawBody = await readBody(req);
        const sreq: SandboxRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          rawBody,
          body: parseBody(rawBody, req.headers['content-type']),
        };
        const reply = await opts.handler(sreq);
        requests.push({
          at,
          method: sreq.method,
          path: sreq.path,
          recipient: opts.recipientOf?.(sreq),
          status: reply.status,
          content: sreq.rawBody || JSON.stringify(sreq.query),
          answer: bodyText(reply),
        });
        if (reply.delayMs) await sleep(reply.delayMs);
        send(res, reply);
      } catch (err) {
        send(res, { status: 500, body: { error: err instanceof Error ? err.message : String(err) } });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface OutgoingCallback {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  json?: unknown;
}

/**
 * Sends one callback the way providers do: a failed delivery (network error or an answer that
 * `accepted` rejects) is retried `retries` more times after `retryDelayMs`. Bounded; never throws.
 */
export async function deliverCallback(
  cb: OutgoingCallback,
  opts: {
    retries: number;
    retryDelayMs: number;
    accepted?: (status: number, body: string) => boolean;
    onResult?: (ok: boolean, attempts: number) => void;
  },
): Promise<boolean> {
  const url = new URL(cb.url);
  for (const [k, v] of Object.entries(cb.query ?? {})) url.searchParams.set(k, v);
  const accepted = opts.accepted ?? ((status) => status >= 200 && status < 300);
  let last = '';
  for (let attempt = 1; attempt <= opts.retries + 1; attempt++) {
    try {
      const res = await fetch(url, {
        method: cb.method,
        headers: { ...(cb.json === undefined ? {} : { 'content-type': 'application/json' }), ...cb.headers },
        body: cb.json === undefined ? undefined : JSON.stringify(cb.json),
        signal: AbortSignal.timeout(5_000),
      });
      const text = await res.text();
      if (accepted(res.status, text)) {
        opts.onResult?.(true, attempt);
        return true;
      }
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (attempt <= opts.retries) await sleep(opts.retryDelayMs);
  }
  // A provider gives up silently; the sandbox says so (path only: the query may hold a token).
  process.stderr.write(
    `[sandbox] callback ${cb.method} ${url.pathname} given up after ${opts.retries + 1} attempts (last: ${last})\n`,
  );
  opts.onResult?.(false, opts.retries + 1);
  return false;
}

/** Common sandbox options every provider sandbox accepts. */
export interface SandboxOptions {
  port?: number;
  /** Where status callbacks go (e.g. http://127.0.0.1:3000/callbacks/wappin?token=…). Unset: no callbacks. */
  callbackUrl?: string;
  /** Delay before the first callback and between successive statuses. */
  callbackDelayMs?: number;
  /** How many times a rejected callback is retried, and how long to wait between tries. */
  callbackRetries?: number;
  callbackRetryDelayMs?: number;
}
