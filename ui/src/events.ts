/// <reference lib="dom" />
// The live event stream (GET /v1/events, Server-Sent Events) read with fetch, so the API key
// travels in the Authorization header, never in a URL as EventSource would need. Reconnects
// with Last-Event-ID; when the stream is missing (404) or drops, pages keep polling anyway.
import { authHeaders } from './api.js';

export interface KurirEvent {
  id?: string;
  type: string;
  data: { messageId?: string; campaignId?: string; otpId?: string; reference?: string; [k: string]: unknown };
}
export type StreamState = 'connecting' | 'live' | 'unavailable';

export function connectEvents(onEvent: (e: KurirEvent) => void, onState: (s: StreamState) => void): () => void {
  let stopped = false;
  let lastId: string | undefined;
  let controller: AbortController | undefined;
  let retryMs = 2_000;

  async function run(): Promise<void> {
    while (!stopped) {
      onState('connecting');
      controller = new AbortController();
      try {
        const res = await fetch('/v1/events', {
          headers: { accept: 'text/event-stream', ...authHeaders(), ...(lastId ? { 'last-event-id': lastId } : {}) },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (!res.ok || !res.body) {
          onState('unavailable');
          // No stream on this server (yet): look again now and then, quietly.
          await wait(res.status === 404 ? 60_000 : retryMs);
          retryMs = Math.min(retryMs * 2, 30_000);
          continue;
        }
        onState('live');
        retryMs = 2_000;
        await read(res.body);
      } catch {
        /* network error or abort */
      }
      if (stopped) return;
      onState('unavailable');
      await wait(retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    }
  }

  async function read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buf.search(/\r?\n\r?\n/)) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end).replace(/^\r?\n\r?\n/, '');
        dispatch(block);
      }
    }
  }

  function dispatch(block: string): void {
    let type = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (id) lastId = id;
    if (data.length === 0) return;
    try {
      onEvent({ id, type, data: JSON.parse(data.join('\n')) as KurirEvent['data'] });
    } catch {
      /* not JSON: ignore */
    }
  }

  function wait(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
