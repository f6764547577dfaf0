// REST for messages: start (with Idempotency-Key), status, cancel.
import { recipientMessageStatus } from '../../app/recipient-message.js';
import { createHash } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newMessageId, startMessage } from '../../client/start-message.js';
import { claimIdempotencyKey, releaseIdempotencyKey, requestHash } from '../../db/idempotency.js';
import { messageInputSchema } from '../../schemas/message.js';
import { cancelMessageUpdate, messageStatusQuery } from '../../workflows/messages.js';
import { bearerToken } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { toE164Body } from './phone-input.js';

const idParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_.:/-]{1,200}$/, 'must be a message id') });

export const messageRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.post(
    '/v1/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Send a message through ordered steps with fallback rules',
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        body: messageInputSchema,
        response: { 202: z.object({ id: z.string(), idempotent: z.boolean() }) },
      },
      // A national `to` becomes E.164 with DEFAULT_REGION (app/phone-input.ts) before the schema checks it.
      preValidation: async (req) => {
        req.body = toE164Body(req.body, deps.config.DEFAULT_REGION);
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      let id = newMessageId();
      let replay = false;
      // Keys are scoped per API key, so two clients cannot collide.
      const scope = createHash('sha256')
        .update(bearerToken(req.headers.authorization) ?? '')
        .digest('hex')
        .slice(0, 16);
      if (key) {
        const hash = requestHash(req.body);
        const claim = await claimIdempotencyKey(deps.pool, { scope, key, workflowId: id, requestHash: hash });
        if (claim.requestHash !== hash)
          throw new HttpError(
            422,
            'Idempotency-Key was already used with a different request body',
            'idempotency_conflict',
            'idempotency-key',
          );
        id = claim.workflowId;
        replay = !claim.fresh;
      }
      try {
        await startMessage(deps.temporal, req.body, {
          id,
          taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
          recipientHashKey: deps.config.RECIPIENT_HASH_KEY,
        });
      } catch (err) {
        // Nothing started: free the key so the client's retry can start it.
        if (key && !replay) await releaseIdempotencyKey(deps.pool, scope, key).catch(() => undefined);
        throw err;
      }
      return reply.status(202).send({ id, idempotent: replay });
    },
  );

  app.get(
    '/v1/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'Current status: steps, attempts and their status timelines',
        params: idParams,
      },
    },
    async (req) => {
      const recipient = await recipientMessageStatus(deps, req.params.id);
      if (recipient) return recipient;
      try {
        return await deps.temporal.workflow.getHandle(req.params.id).query(messageStatusQuery);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw notFound(`message ${req.params.id}`);
        throw err;
      }
    },
  );

  app.post(
    '/v1/messages/:id/cancel',
    {
      schema: {
        tags: ['messages'],
        summary: 'Stop sending further steps',
        params: idParams,
        response: { 200: z.object({ canceled: z.boolean() }) },
      },
    },
    async (req) => {
      try {
        return await deps.temporal.workflow.getHandle(req.params.id).executeUpdate(cancelMessageUpdate, { args: [{}] });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw notFound(`message ${req.params.id}`);
        throw err;
      }
    },
  );
};
