// CORS for the codec endpoint: the Temporal UI calls it from the user's browser, from the UI's
// origin. Only configured origins get CORS headers; preflights from others are refused.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';

const ALLOWED_HEADERS = 'authorization, content-type, x-namespace';

/** CODEC_CORS_ORIGINS, else the origin of TEMPORAL_UI_URL, else the local dev server's UI. */
export function codecOrigins(config: Config): string[] {
  if (config.CODEC_CORS_ORIGINS?.length) return config.CODEC_CORS_ORIGINS;
  if (config.TEMPORAL_UI_URL) return [new URL(config.TEMPORAL_UI_URL).origin];
  return [`http://localhost:${config.TEMPORAL_UI_PORT}`, `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`];
}

/** An onRequest hook: CORS headers for allowed origins (also on 401s, so the UI can show them), preflight answered here. */
export function codecCors(origins: string[]) {
  const allowed = new Set(origins);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    void reply.header('vary', 'Origin');
    const ok = origin !== undefined && allowed.has(origin);
    if (ok) void reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true');
    if (req.method !== 'OPTIONS') return;
    if (!ok)
      return reply.status(403).send({
        error: 'forbidden',
        message: `origin ${origin ?? '(none)'} may not call the codec endpoint (CODEC_CORS_ORIGINS)`,
        requestId: req.id,
      });
    return reply
      .status(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', '600')
      .send();
  };
}
