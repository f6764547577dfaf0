// ITD Chile (WhatsApp): the descriptor kurir reads everything from.
import { z } from 'zod';
import type { ProviderDescriptor } from '../descriptor.js';
import { baseUrlVar, callbackTokenVar, credentialVar } from '../env.js';
import { itdCallbackEndpoints } from './callbacks.js';
import { ITD_SANDBOX_CREDENTIALS, ItdProvider } from './client.js';
import { ITD_AUTH_SCHEMES, type ItdAuthScheme } from './contract.js';
import { ITD_STATUS_MAP } from './statuses.js';

const env = {
  ITD_BASE_URL: baseUrlVar,
  ITD_TOKEN: credentialVar,
  ITD_CALLBACK_TOKEN: callbackTokenVar,
  // Which header carries the token: the document does not name it (contract.ts).
  ITD_AUTH_SCHEME: z.enum(ITD_AUTH_SCHEMES).default('bearer'),
};

export const itd: ProviderDescriptor<'itd', typeof env> = {
  name: 'itd',
  channels: ['whatsapp'],
  env,
  baseUrlEnv: 'ITD_BASE_URL',
  credentialEnv: ['ITD_TOKEN'],
  liveBaseUrl: 'https://ida.itdchile.cl/api/v2',
  createClient: ({ baseUrl, live, setting }) =>
    new ItdProvider({
      ...(live ? { baseUrl, token: setting('ITD_TOKEN')! } : { baseUrl, ...ITD_SANDBOX_CREDENTIALS }),
      authScheme: (setting('ITD_AUTH_SCHEME') as ItdAuthScheme | undefined) ?? 'bearer',
    }),
  callbacks: itdCallbackEndpoints,
  statusMap: ITD_STATUS_MAP,
  sendQueue: { defaultRatePerSecond: 80 },
  sandbox: 'sandboxes/itd.ts',
};
