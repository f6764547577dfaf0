// One webhook POST to the address that was checked: the name is resolved once, vetted, and the
// socket connects to that address through a `lookup` that never asks DNS again (a TTL-0 name
// cannot answer public for the check and 169.254.169.254 for the connection). Host header and TLS
// SNI stay the name, so virtual hosts and certificates work as with any client.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostOf, resolveVetted, WebhookUrlError, type ResolveAll, type VettedAddress } from './url-policy.js';

/** What a failed attempt stores: a coarse class, never socket text (addresses and ports would make it a scanner). */
export type DeliveryErrorClass =
  | 'timeout'
  | 'connection_refused'
  | 'connection_error'
  | 'dns'
  | 'tls'
  | 'blocked_address'
  | 'http_3xx'
  | 'http_4xx'
  | 'http_5xx';

export class DeliveryError extends Error {
  constructor(
    readonly kind: DeliveryErrorClass,
    readonly status?: number,
  ) {
    super(kind);
    this.name = 'DeliveryError';
  }
}

export function statusClass(status: number): DeliveryErrorClass {
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return 'http_4xx';
  return 'http_3xx';
}

const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** Maps a thrown error to its class. */
export function classifyError(err: unknown): DeliveryErrorClass {
  if (err instanceof DeliveryError) return err.kind;
  if (err instanceof WebhookUrlError) return /does not resolve/.test(err.message) ? 'dns' : 'blocked_address';
  const e = err as { name?: string; code?: string } | undefined;
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT' || e?.code === 'ABORT_ERR')
    return 'timeout';
  if (e?.code === 'ECONNREFUSED') return 'connection_refused';
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return 'dns';
  if (e?.code && TLS_CODE.test(e.code)) return 'tls';
  return 'connection_error';
}

/** A `lookup` that answers with the vetted address only (in both the single and the `all` form Node may ask for). */
export function pinnedLookup(vetted: VettedAddress): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  }) as LookupFunction;
}

export interface PinnedPost {
  url: URL;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivate: boolean;
  /** DNS, injectable for tests. */
  resolve?: ResolveAll;
}

/** POSTs and resolves with the status (the body is discarded); throws DeliveryError or a socket error. */
export async function postPinned(p: PinnedPost): Promise<{ status: number; address: string }> {
  const signal = AbortSignal.timeout(p.timeoutMs);
  const vetted = await resolveVetted(hostOf(p.url), { allowPrivate: p.allowPrivate, resolve: p.resolve });
  if (signal.aborted) throw new DeliveryError('timeout');
  const transport = p.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      p.url,
      {
        method: 'POST',
        signal,
        lookup: pinnedLookup(vetted),
        agent: false,
        headers: { ...p.headers, 'content-length': String(Buffer.byteLength(p.body)) },
      },
      (res) => {
        // Only the status matters; the body is drained and dropped.
        res.resume();
        res.on('error', () => undefined);
        resolve({ status: res.statusCode ?? 0, address: vetted.address });
        req.destroy();
      },
    );
    req.on('error', reject);
    req.end(p.body);
  });
}
