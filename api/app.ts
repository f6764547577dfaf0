// The API as a Fastify plugin (server.ts listens; tests use inject). Zod validates every edge
// and the same schemas produce the OpenAPI reference served at /docs.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerApiKeyAuth } from './auth.js';
import { isProduction } from '../config/production-secrets.js';
import type { AppDeps } from './deps.js';
import { registerErrorHandler } from './error-handler.js';
import { campaignRoutes } from './routes/campaigns.js';
import { codecRoutes } from './routes/codec.js';
import { callbackRoutes } from './routes/callbacks.js';
import { deadCallbackRoutes } from './routes/callbacks-dead.js';
import { healthRoutes } from './routes/health.js';
import { inboundRoutes } from './routes/inbound.js';
import { messageRoutes } from './routes/messages.js';
import { metricsRoutes } from './routes/metrics.js';
import { otpRoutes } from './routes/otp.js';
import { otpGuardRoutes } from './routes/otp-guard.js';
import { activityRoutes } from './routes/activity.js';
import { previewRoutes } from './routes/preview.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { contactRoutes } from './routes/contacts.js';
import { providerRoutes } from './routes/providers.js';
import { eventRoutes } from './routes/events.js';
import { webhookRoutes } from './routes/webhooks.js';
import { uiMessageRoutes } from './routes/ui-messages.js';
import { uiOverviewRoutes } from './routes/ui-overview.js';
import { uiRoutes } from './routes/ui.js';

export async function app(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(fastify);
  fastify.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });

  await fastify.register(fastifySwagger, {
    openapi: {
      info: { title: 'kurir API', version: '1', description: 'Omnichannel messaging orchestration on Temporal' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // The reference names every route and its auth mode: in production only when API_DOCS_PUBLIC.
  if (!isProduction(deps.config) || deps.config.API_DOCS_PUBLIC)
    await fastify.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await fastify.register(healthRoutes, deps);
  await fastify.register(metricsRoutes, deps);
  // The Temporal UI's codec server: API key and CORS of its own (see routes/codec.ts).
  await fastify.register(codecRoutes, deps);
  // Callbacks carry their own credentials, raw-body JSON parser and body limit (routes/callbacks.ts).
  await fastify.register(callbackRoutes, deps);
  // The dashboard's static files need no key; the page signs in and calls /v1 with one.
  await fastify.register(uiRoutes);
  await fastify.register(async (v1) => {
    registerApiKeyAuth(v1, deps.config.KURIR_API_KEYS);
    await v1.register(messageRoutes, deps);
    await v1.register(activityRoutes, deps);
    await v1.register(previewRoutes, deps);
    await v1.register(suppressionRoutes, deps);
    await v1.register(contactRoutes, deps);
    await v1.register(providerRoutes, deps);
    await v1.register(inboundRoutes, deps);
    await v1.register(otpRoutes, deps);
    await v1.register(otpGuardRoutes, deps);
    await v1.register(campaignRoutes, deps);
    await v1.register(webhookRoutes, deps);
    await v1.register(eventRoutes, deps);
    await v1.register(uiOverviewRoutes, deps);
    await v1.register(uiMessageRoutes, deps);
    await v1.register(deadCallbackRoutes, deps);
  });
}
