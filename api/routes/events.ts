// GET /v1/events: the event stream as Server-Sent Events, filtered by message, OTP, campaign,
// reference or type. Resumes after `Last-Event-ID` (or ?after=); without either, a stream for one
// subject starts at that subject's first event and an unfiltered stream starts live.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { lastEventSeq } from '../../db/events.js';
import { parseDurationMs } from '../../schemas/duration.js';
import { EVENT_TYPES, type EventType } from '../../workflows/event-types.js';
import { bearerToken } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { SseFanout } from '../sse-fanout.js';
import { SseStream } from '../sse-stream.js';

const seq = z.string().regex(/^\d{1,18}$/, 'must be an event seq (the SSE id)');
const id = z.string().min(1).max(200);

export const eventRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const open = new Set<SseStream>();
  // Open streams per API key (by digest): a client in a reconnect loop cannot hold the whole pool.
  const perKey = new Map<string, number>();
  const { SSE_MAX_STREAMS_PER_KEY: maxPerKey, SSE_MAX_STREAMS: maxAll } = deps.config;
  let total = 0;
  const fanout = new SseFanout({ pool: deps.pool, notifier: deps.events });
  // Open streams never end by themselves: end them, or closing the server would wait for them forever.
  app.addHook('preClose', async () => {
    for (const s of open) s.close();
    await fanout.stop();
  });

  /** Takes a slot for this key, or answers 429 naming the limit; the returned function gives it back once. */
  const reserve = (authorization: string | undefined): (() => void) => {
    const key = createHash('sha256')
      .update(bearerToken(authorization) ?? '')
      .digest('base64url');
    const mine = perKey.get(key) ?? 0;
    if (mine >= maxPerKey) {
      throw new HttpError(
        429,
        `too many open event streams for this API key (SSE_MAX_STREAMS_PER_KEY=${maxPerKey}); close one first`,
        'too_many_streams',
      );
    }
    if (total >= maxAll)
      throw new HttpError(
        429,
        `too many open event streams (SSE_MAX_STREAMS=${maxAll}); try again later`,
        'too_many_streams',
      );
    perKey.set(key, mine + 1);
    total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      total--;
      const left = (perKey.get(key) ?? 1) - 1;
      if (left > 0) perKey.set(key, left);
      else perKey.delete(key);
    };
  };

  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Event stream (text/event-stream): id = seq, event = type, data = the event JSON',
        querystring: z.object({
          messageId: id.optional(),
          otpId: id.optional(),
          campaignId: id.optional(),
          reference: id.optional(),
          types: z.string().max(1_000).optional().describe('comma-separated event types'),
          after: seq.optional().describe('start after this seq (Last-Event-ID wins)'),
          follow: z.enum(['true', 'false']).default('true').describe('false: send the stored events, then end'),
        }),
        headers: z.object({ 'last-event-id': seq.optional() }),
      },
    },
    async (req, reply) => {
      const q = req.query;
      const types = q.types
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const unknown = types?.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
      if (unknown) throw new HttpError(400, `types: unknown event type "${unknown}"`, 'validation_error', 'types');
      const filter = {
        messageId: q.messageId,
        otpId: q.otpId,
        campaignId: q.campaignId,
        reference: q.reference,
        types: types as EventType[] | undefined,
      };
      const resumeAt = req.headers['last-event-id'] ?? q.after;
      const oneSubject = Boolean(q.messageId ?? q.otpId ?? q.campaignId ?? q.reference);
      const release = reserve(req.headers.authorization);
      let cursor: number;
      try {
        cursor = resumeAt !== undefined ? Number(resumeAt) : oneSubject ? 0 : await lastEventSeq(deps.pool);
      } catch (err) {
        release();
        throw err;
      }

      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      reply.raw.write('retry: 2000\n\n');
      const stream = new SseStream(reply.raw, {
        pool: deps.pool,
        filter,
        cursor,
        follow: q.follow === 'true',
        fanout,
        heartbeatMs: parseDurationMs(deps.config.SSE_HEARTBEAT) ?? 15_000,
      });
      open.add(stream);
      void stream.done.then(() => {
        open.delete(stream);
        release();
      });
      stream.start();
    },
  );
};
