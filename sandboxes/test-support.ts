// Test support shared by the provider tests: a real node:http receiver for GET callbacks,
// server start/stop, a bounded wait, and an assertion on the named provider error.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderError } from '../providers/errors.js';
import type { CallbackRequest } from '../providers/types.js';

export type ErrorClass = abstract new (...args: never[]) => ProviderError;

export interface Receiver {
  url: string;
  hits: CallbackRequest[];
  failNext: number;
  close(): Promise<void>;
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Captures GET callbacks; answers 500 to the next `failNext` of them. */
export async function startReceiver(): Promise<Receiver> {
  const r: Receiver = { url: '', hits: [], failNext: 0, close: () => close(server) };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    if (r.failNext > 0) {
      r.failNext--;
      res.writeHead(500).end('nope');
      return;
    }
    r.hits.push({
      method: req.method ?? 'GET',
      query: Object.fromEntries(url.searchParams),
      headers: {},
      body: undefined,
    });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
  });
  r.url = await listen(server);
  return r;
}

export async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function rejectsWith(
  p: Promise<unknown>,
  cls: ErrorClass,
  check?: (e: ProviderError) => void,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    check?.(e);
    return true;
  });
}
