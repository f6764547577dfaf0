// The API as a Fastify plugin (server.ts listens; tests use inject). Zod validates every edge
// and the same schemas produce the OpenAPI reference served at /docs.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerApiKeyAuth } from './auth.js';
import type { AppDeps } from './deps.js';
import { registerErrorHandler } from './error-handler.js';
import { campaignRoutes } from './routes/campaigns.js';
import { registerCallbackRoutes } from './routes/callbacks.js';
import { healthRoutes } from './routes/health.js';
import { inboundRoutes } from './routes/inbound.js';
import { messageRoutes } from './routes/messages.js';
import { metricsRoutes } from './routes/metrics.js';
import { otpRoutes } from './routes/otp.js';

export async function app(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(fastify);
  fastify.addHook('onSend', async (req, reply) => { void reply.header('x-request-id', req.id); });

  await fastify.register(fastifySwagger, {
    openapi: {
      info: { title: 'kurir API', version: '1', description: 'Omnichannel messaging orchestration on Temporal' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await fastify.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await fastify.register(healthRoutes, deps);
  await fastify.register(metricsRoutes, deps);
  registerCallbackRoutes(fastify, deps);
  await fastify.register(async (v1) => {
    registerApiKeyAuth(v1, deps.config.KURIR_API_KEYS);
    await v1.register(messageRoutes, deps);
    await v1.register(inboundRoutes, deps);
    await v1.register(otpRoutes, deps);
    await v1.register(campaignRoutes, deps);
  });
}
