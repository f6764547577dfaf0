// Wappin (Indonesia, WhatsApp + SMS omnichannel): the descriptor kurir reads everything from.
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
  // The Bearer token Wappin puts on its callbacks.
  WAPPIN_CALLBACK_TOKEN: callbackSecretVar('dev-wappin-callback-token'),
};

export const wappin: ProviderDescriptor<'wappin', typeof env> = {
  name: 'wappin',
  channels: ['whatsapp', 'sms'],
  env,
  baseUrlEnv: 'WAPPIN_BASE_URL',
  credentialEnv: ['WAPPIN_CLIENT_ID', 'WAPPIN_SECRET_KEY'],
  liveBaseUrl: 'https://api.wappin.id',
  createClient: ({ baseUrl, live, setting }) =>
    new WappinProvider(
      live
        ? {
            baseUrl,
            clientId: setting('WAPPIN_CLIENT_ID')!,
            secretKey: setting('WAPPIN_SECRET_KEY')!,
            projectId: setting('WAPPIN_PROJECT_ID') ?? '',
          }
        : { baseUrl, ...WAPPIN_SANDBOX_CREDENTIALS },
    ),
  callbacks: wappinCallbackEndpoints,
  statusMap: WAPPIN_STATUS_MAP,
  sendQueue: { defaultRatePerSecond: 80 },
  sandbox: 'sandboxes/wappin.ts',
};
