// The event stream for application code: `for await (const e of kurir.events({ messageId }))`.
// Reads GET /v1/events (Server-Sent Events) over fetch with the API key in a header, and on a
// dropped connection resumes with Last-Event-ID, so the iterator sees every event once, in order.
import type { EventType, KurirEvent } from '../workflows/event-types.js';
import { resolveRestTarget } from './rest.js';

export type { EventType, KurirEvent };

export interface EventStreamFilter {
  messageId?: string;
  otpId?: string;
  campaignId?: string;
  reference?: string;
  types?: EventType[];
}

export interface EventStreamOptions {
  /** The kurir API, default KURIR_API_URL or http://127.0.0.1:3000. */
  apiUrl?: string;
  /** An API key (KURIR_API_KEYS), default KURIR_API_KEY (required). */
  apiKey?: string;
  /** Start after this seq (a previous event's `seq`). */
  after?: number;
  /** false: the stored events only, then the iterator ends. Default true (follow live). */
  follow?: boolean;
  /** Reconnect after a dropped connection (default true). */
  reconnect?: boolean;
  signal?: AbortSignal;
}

/** The API refused the stream (bad key, bad filter): reconnecting cannot help. */
export class EventStreamError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'EventStreamError';
  }
}

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

export function parseSseBlock(block: string): SseMessage {
  const msg: SseMessage = {};
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'id') msg.id = value;
    else if (field === 'event') msg.event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length) msg.data = data.join('\n');
  return msg;
}

async function* sseMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let end: RegExpExecArray | null;
    while ((end = /\r?\n\r?\n/.exec(buf))) {
      const block = buf.slice(0, end.index);
      buf = buf.slice(end.index + end[0].length);
      yield parseSseBlock(block);
    }
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

export async function* streamEvents(
  filter: EventStreamFilter = {},
  opts: EventStreamOptions = {},
): AsyncGenerator<KurirEvent> {
  const { base, key } = resolveRestTarget({ apiUrl: opts.apiUrl, apiKey: opts.apiKey });
  const follow = opts.follow ?? true;
  const query = new URLSearchParams();
  for (const k of ['messageId', 'otpId', 'campaignId', 'reference'] as const) if (filter[k]) query.set(k, filter[k]);
  if (filter.types?.length) query.set('types', filter.types.join(','));
  if (!follow) query.set('follow', 'false');
  let last = opts.after;
  let delay = 500;
  // Ours, so that leaving the loop (break, return) also ends the HTTP request.
  const controller = new AbortController();
  opts.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  try {
    while (!controller.signal.aborted) {
      let ended = false;
      try {
        if (last !== undefined) query.set('after', String(last));
        const res = await fetch(`${base}/v1/events?${query}`, {
          headers: {
            accept: 'text/event-stream',
            authorization: `Bearer ${key}`,
            ...(last !== undefined ? { 'last-event-id': String(last) } : {}),
          },
          signal: controller.signal,
        });
        if (res.status >= 400 && res.status < 500) {
          const body = (await res.json().catch(() => ({}))) as { message?: string };
          throw new EventStreamError(res.status, body.message ?? `the event stream answered ${res.status}`);
        }
        if (!res.ok || !res.body) throw new Error(`the event stream answered ${res.status}`);
        delay = 500;
        for await (const msg of sseMessages(res.body)) {
          if (msg.id !== undefined && /^\d+$/.test(msg.id)) last = Number(msg.id);
          if (msg.data !== undefined && msg.event) yield JSON.parse(msg.data) as KurirEvent;
        }
        ended = true;
      } catch (err) {
        if (controller.signal.aborted || err instanceof EventStreamError || opts.reconnect === false) {
          if (controller.signal.aborted) return;
          throw err;
        }
      }
      // A one-shot replay ends when the server ends it; a live stream that ended is resumed.
      if ((ended && !follow) || opts.reconnect === false) return;
      await sleep(delay, controller.signal);
      delay = Math.min(delay * 2, 15_000);
    }
  } finally {
    controller.abort();
  }
}
