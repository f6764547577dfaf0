// EngageLab OTP (WhatsApp/SMS/voice/email): the descriptor kurir reads everything from.
import { z } from 'zod';
import type { ProviderDescriptor, ProviderSettings } from '../descriptor.js';
import { baseUrlVar, callbackSecretVar, credentialVar } from '../env.js';
import { engagelabCallbackEndpoints } from './callbacks.js';
import {
  ENGAGELAB_SANDBOX_CREDENTIALS,
  EngageLabOtpClient,
  EngageLabProvider,
  type EngageLabOptions,
} from './client.js';
import { ENGAGELAB_STATUS_MAP } from './statuses.js';

function options({ baseUrl, live, setting }: ProviderSettings): EngageLabOptions {
  return live
    ? { baseUrl, devKey: setting('ENGAGELAB_DEV_KEY')!, devSecret: setting('ENGAGELAB_DEV_SECRET')! }
    : { baseUrl, ...ENGAGELAB_SANDBOX_CREDENTIALS };
}

/** EngageLab's OTP API (templates, provider-generated codes, verification) on the same settings as its sender. */
export function engagelabOtpClient(settings: ProviderSettings): EngageLabOtpClient {
  return new EngageLabOtpClient(options(settings));
}

const env = {
  ENGAGELAB_BASE_URL: baseUrlVar,
  ENGAGELAB_DEV_KEY: credentialVar,
  ENGAGELAB_DEV_SECRET: credentialVar,
  // The HMAC key of the X-CALLBACK-ID header.
  ENGAGELAB_CALLBACK_SECRET: callbackSecretVar('dev-engagelab-callback-secret'),
  // The account's callback username: when set, a signed header naming another is refused.
  ENGAGELAB_CALLBACK_USERNAME: z.string().min(1).optional(),
};

export const engagelab: ProviderDescriptor<'engagelab', typeof env> = {
  name: 'engagelab',
  channels: ['whatsapp', 'sms'],
  env,
  baseUrlEnv: 'ENGAGELAB_BASE_URL',
  credentialEnv: ['ENGAGELAB_DEV_KEY', 'ENGAGELAB_DEV_SECRET'],
  liveBaseUrl: 'https://otp.api.engagelab.cc',
  createClient: (settings) => new EngageLabProvider(options(settings)),
  callbacks: engagelabCallbackEndpoints,
  statusMap: ENGAGELAB_STATUS_MAP,
  sendQueue: { defaultRatePerSecond: 80 },
  sandbox: 'sandboxes/engagelab.ts',
};
