// The codec server for the Temporal UI and CLI (Temporal's remote codec contract):
// POST /codec/decode and /codec/encode take {payloads:[{metadata:{k: base64}, data: base64}]}
// and answer the same shape. Only holders of an API key (Authorization: Bearer) may decode;
// browsers may call it only from the configured Temporal UI origins.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AesGcmCodec, PayloadDecryptionError, UnknownEncryptionKeyError } from '../../codec/aes-gcm-codec.js';
import { payloadFromJson, payloadToJson } from '../../codec/payload-json.js';
import { authenticate } from '../auth.js';
import { codecCors, codecOrigins } from '../codec-cors.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const payloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() })).max(10_000),
});
const schema = (summary: string) => ({
  tags: ['codec'],
  summary,
  headers: z.object({ 'x-namespace': z.string().optional() }),
  body: payloads,
  response: { 200: payloads },
});

export const codecRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const codec = deps.config.KURIR_ENCRYPTION_KEY ? AesGcmCodec.fromSpec(deps.config.KURIR_ENCRYPTION_KEY) : undefined;
  const keys = deps.config.KURIR_API_KEYS;
  app.addHook('onRequest', codecCors(codecOrigins(deps.config)));
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'OPTIONS') return;
    authenticate(req, reply, keys);
  });

  function requireCodec(): AesGcmCodec {
    if (!codec)
      throw new HttpError(404, 'payload encryption is off: KURIR_ENCRYPTION_KEY is not set', 'encryption_disabled');
    return codec;
  }

  // Preflights are answered by the CORS hook; these routes only make them routable.
  for (const path of ['/codec/decode', '/codec/encode'])
    app.options(path, { schema: { hide: true } }, async (_req, reply) => reply.status(204).send());

  app.post('/codec/decode', { schema: schema('Decrypt payloads (Temporal codec server contract)') }, async (req) => {
    const active = requireCodec();
    try {
      const decoded = await active.decode(req.body.payloads.map(payloadFromJson));
      return { payloads: decoded.map(payloadToJson) };
    } catch (err) {
      if (err instanceof UnknownEncryptionKeyError) throw new HttpError(422, err.message, 'unknown_encryption_key');
      if (err instanceof PayloadDecryptionError) throw new HttpError(422, err.message, 'undecryptable_payload');
      throw err;
    }
  });

  app.post(
    '/codec/encode',
    { schema: schema('Encrypt payloads with the current key (Temporal codec server contract)') },
    async (req) => {
      const encoded = await requireCodec().encode(req.body.payloads.map(payloadFromJson));
      return { payloads: encoded.map(payloadToJson) };
    },
  );
};
