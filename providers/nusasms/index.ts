// NusaSMS (WhatsApp): the descriptor kurir reads everything from.
import type { ProviderDescriptor } from '../descriptor.js';
import { baseUrlVar, callbackTokenVar, credentialVar } from '../env.js';
import { nusasmsCallbackEndpoints } from './callbacks.js';
import { NUSASMS_SANDBOX_CREDENTIALS, NusaSmsProvider } from './client.js';
import { NUSASMS_DR_STATUSES } from './statuses.js';

const env = {
  NUSASMS_BASE_URL: baseUrlVar,
  NUSASMS_USERNAME: credentialVar,
  NUSASMS_PASSWORD: credentialVar,
  NUSASMS_CALLBACK_TOKEN: callbackTokenVar,
};

export const nusasms: ProviderDescriptor<'nusasms', typeof env> = {
  name: 'nusasms',
  channels: ['whatsapp'],
  env,
  baseUrlEnv: 'NUSASMS_BASE_URL',
  credentialEnv: ['NUSASMS_USERNAME', 'NUSASMS_PASSWORD'],
  liveBaseUrl: 'http://api.nusasms.com',
  createClient: ({ baseUrl, live, setting, onLookupUnparsed }) =>
    new NusaSmsProvider({
      ...(live
        ? { baseUrl, username: setting('NUSASMS_USERNAME')!, password: setting('NUSASMS_PASSWORD')! }
        : { baseUrl, ...NUSASMS_SANDBOX_CREDENTIALS }),
      onLookupUnparsed,
    }),
  callbacks: nusasmsCallbackEndpoints,
  // The document shows one report, D (delivered), and no read: a read rule cannot apply here.
  reports: { whatsapp: { delivered: true, read: false } },
  statusMap: NUSASMS_DR_STATUSES,
  sendQueue: { defaultRatePerSecond: 80 },
  sandbox: 'sandboxes/nusasms.ts',
};
