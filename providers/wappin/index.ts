// Wappin (Indonesia, WhatsApp + SMS omnichannel): the descriptor kurir reads everything from.
import { z } from 'zod';
import type { ProviderDescriptor } from '../descriptor.js';
import { baseUrlVar, callbackSecretVar, credentialVar } from '../env.js';
import { wappinCallbackEndpoints } from './callbacks.js';
import { WAPPIN_SANDBOX_CREDENTIALS, WappinProvider } from './client.js';
import { WAPPIN_STATUS_MAP } from './statuses.js';

const env = {
  WAPPIN_BASE_URL: baseUrlVar,
  WAPPIN_CLIENT_ID: credentialVar,
  WAPPIN_SECRET_KEY: credentialVar,
  WAPPIN_PROJECT_ID: credentialVar,
  // A static Bearer secret for callbacks, for a Wappin setup that sends one (WAPPIN_CALLBACK_AUTH).
  WAPPIN_CALLBACK_TOKEN: callbackSecretVar('dev-wappin-callback-token'),
  // Which Bearer value a callback may carry: Wappin's documented `Bearer [token]` is read as its
  // current API access token (access-token); a static WAPPIN_CALLBACK_TOKEN (static); or either.
  WAPPIN_CALLBACK_AUTH: z.enum(['either', 'access-token', 'static']).default('either'),
};

export const wappin: ProviderDescriptor<'wappin', typeof env> = {
  name: 'wappin',
  channels: ['whatsapp', 'sms'],
  env,
  baseUrlEnv: 'WAPPIN_BASE_URL',
  credentialEnv: ['WAPPIN_CLIENT_ID', 'WAPPIN_SECRET_KEY'],
  liveBaseUrl: 'https://api.wappin.id',
  createClient: ({ baseUrl, live, setting, onAccessToken }) =>
    new WappinProvider({
      ...(live
        ? {
            baseUrl,
            clientId: setting('WAPPIN_CLIENT_ID')!,
            secretKey: setting('WAPPIN_SECRET_KEY')!,
            projectId: setting('WAPPIN_PROJECT_ID') ?? '',
          }
        : { baseUrl, ...WAPPIN_SANDBOX_CREDENTIALS }),
      ...(onAccessToken ? { onToken: onAccessToken } : {}),
    }),
  callbacks: wappinCallbackEndpoints,
  statusMap: WAPPIN_STATUS_MAP,
  sendQueue: { defaultRatePerSecond: 80 },
  sandbox: 'sandboxes/wappin.ts',
};
