// REST for OTPs: start (update-with-start: answers when the code is out), verify, resend, status.
import rateLimit from '@fastify/rate-limit';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newOtpId, OtpRefusedError, resendOtp, startOtp, verifyOtp } from '../../client/start-otp.js';
import { otpInputSchema, verifySchema } from '../../schemas/otp.js';
import { otpStatusQuery } from '../../workflows/messages.js';
import { otpPolicyOf } from '../../config/otp-policy.js';
import { otpPolicyViolation } from '../../domain/otp-policy.js';
import type { AppDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { OtpGuard } from '../otp-guard.js';
import { toE164Body } from './phone-input.js';

const idParams = z.object({ id: z.string().regex(/^otp_[A-Za-z0-9-]{1,80}$/, 'must be an OTP id (otp_…)') });
const STATUS_FOR: Record<OtpRefusedError['reason'], number> = {
  send_limit: 429,
  cooldown: 429,
  not_pending: 409,
  send_failed: 502,
  invalid: 400,
};

async function mapped<T>(id: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof OtpRefusedError) throw new HttpError(STATUS_FOR[err.reason], err.message, err.reason);
    if (err instanceof WorkflowNotFoundError) throw notFound(`OTP ${id ?? ''}`);
    throw err;
  }
}

export const otpRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const policy = otpPolicyOf(deps.config);
  const guard = deps.config.OTP_GUARD ? new OtpGuard(deps) : undefined;
  // Guessing codes is throttled per client IP and per OTP id (besides maxAttempts in the workflow).
  await app.register(rateLimit, {
    global: false,
    max: 20,
    timeWindow: '1 minute',
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'rate_limited',
      message: `too many requests, retry in ${Math.ceil(ctx.ttl / 1000)} s`,
    }),
  });

  app.post(
    '/v1/otp',
    {
      schema: {
        tags: ['otp'],
        summary: 'Send a one-time code with channel fallback',
        body: otpInputSchema,
        response: { 202: z.object({ id: z.string(), channel: z.string().optional(), expiresAt: z.string() }) },
      },
      // A national `to` becomes E.164 with DEFAULT_REGION (app/phone-input.ts) before the schema checks it.
      preValidation: async (req) => {
        req.body = toE164Body(req.body, deps.config.DEFAULT_REGION);
      },
    },
    async (req, reply) => {
      const violation = otpPolicyViolation(req.body, policy);
      if (violation)
        throw new HttpError(400, `${violation.field}: ${violation.message}`, 'validation_error', violation.field);
      const id = newOtpId();
      await guard?.admit(req, reply, req.body, id);
      const sent = await mapped(id, () =>
        startOtp(deps.temporal, req.body, {
          id,
          taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
          recipientHashKey: deps.config.RECIPIENT_HASH_KEY,
        }),
      );
      return reply.status(202).send({ id, ...sent });
    },
  );

  app.post(
    '/v1/otp/:id/verify',
    {
      config: {
        rateLimit: {
          max: 10,
          timeWindow: '1 minute',
          keyGenerator: (req) => `${req.ip}|${(req.params as { id?: string }).id ?? ''}`,
        },
      },
      schema: {
        tags: ['otp'],
        summary: 'Verify a code',
        params: idParams,
        body: verifySchema,
        response: { 200: z.object({ status: z.string(), attemptsLeft: z.number() }) },
      },
    },
    async (req) =>
      mapped(req.params.id, () =>
        verifyOtp(deps.temporal, deps.config.OTP_HMAC_KEY, req.params.id, req.body.code, deps.providers.engagelabOtp()),
      ),
  );

  app.post(
    '/v1/otp/:id/resend',
    {
      schema: { tags: ['otp'], summary: 'Send a new code (cooldown and per-number limit apply)', params: idParams },
    },
    async (req) => mapped(req.params.id, () => resendOtp(deps.temporal, req.params.id)),
  );

  app.get(
    '/v1/otp/:id',
    {
      schema: { tags: ['otp'], summary: 'OTP status (never the code)', params: idParams },
    },
    async (req) => mapped(req.params.id, () => deps.temporal.workflow.getHandle(req.params.id).query(otpStatusQuery)),
  );
};
