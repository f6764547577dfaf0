// The request serializer of the API's logs: Fastify's default logs the full URL, and callback
// routes authenticate with ?token=<secret> (some providers can only call a URL), so secret-bearing
// query parameters are masked before the URL reaches a log line.
import type { FastifyRequest } from 'fastify';

const SECRET_PARAMS = /^(token|password|passwd|pwd|secret|key|api_key|apikey|access_token|signature|code)$/i;

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) if (SECRET_PARAMS.test(name)) params.set(name, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
}

/**
 * Masks the path segment a route takes as a secret (`/callbacks/nusasms/:secret`): the route's
 * pattern says which segment it is.
 */
export function redactPathSecret(url: string, pattern: string | undefined): string {
  const at = pattern?.split('/').indexOf(':secret') ?? -1;
  if (at < 0) return url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const parts = path.split('/');
  if (parts[at] !== undefined) parts[at] = '[redacted]';
  return parts.join('/') + (q < 0 ? '' : url.slice(q));
}

export function requestSerializer(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(redactPathSecret(req.url, req.routeOptions?.url)),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
