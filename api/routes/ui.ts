// GET /ui: the operator dashboard's built files (ui/dist, `npm run build:ui`), served from
// memory-cheap reads. Hashed assets are immutable and cached for a year; index.html is revalidated
// so a new build is picked up at once. The page itself holds no data: it calls /v1 with the key.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

export const UI_DIST = fileURLToPath(new URL('../../ui/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
// The page loads only its own scripts and styles and talks only to this origin.
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const uiRoutes: FastifyPluginAsync<{ dist?: string }> = async (app, opts) => {
  const dist = opts.dist ?? UI_DIST;

  async function send(file: string, reply: import('fastify').FastifyReply, immutable: boolean) {
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      body = await readFile(file);
    } catch {
      if (file.endsWith('index.html'))
        return reply
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('The dashboard is not built: run `npm run build:ui`.\n');
      return reply.status(404).type('text/plain; charset=utf-8').send('not found\n');
    }
    return reply
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', CSP)
      .header('referrer-policy', 'no-referrer')
      .send(body);
  }

  app.get('/ui', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui/', 301));
  app.get('/ui/', { schema: { hide: true } }, async (_req, reply) => send(join(dist, 'index.html'), reply, false));
  app.get<{ Params: { '*': string } }>('/ui/*', { schema: { hide: true } }, async (req, reply) => {
    const rel = normalize(req.params['*']);
    // No way out of dist: no absolute paths, no `..` segments.
    if (rel.startsWith('..') || rel.startsWith(sep) || rel.includes(`${sep}..${sep}`))
      return reply.status(404).send('not found\n');
    const file = join(dist, rel);
    // Vite puts content-hashed files under assets/; anything else (deep links) gets the page.
    if (rel.startsWith(`assets${sep}`)) return send(file, reply, true);
    if (extname(rel)) return send(file, reply, false);
    return send(join(dist, 'index.html'), reply, false);
  });
};
