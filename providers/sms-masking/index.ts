// SMS masking gateway (Indonesia, SMS): the descriptor kurir reads everything from.
import { z } from 'zod';
import { isRetentionSchedule } from '../../schemas/retention-schedule.js';
import type { ProviderDescriptor } from '../descriptor.js';
import { baseUrlVar, callbackTokenVar, credentialVar } from '../env.js';
import { smsMaskingCallbackEndpoints } from './callbacks.js';
import { SMS_MASKING_SANDBOX_CREDENTIALS, SmsMaskingProvider } from './client.js';
import { SMS_MASKING_CODES } from './statuses.js';

const env = {
  SMS_MASKING_BASE_URL: baseUrlVar,
  SMS_MASKING_USERNAME: credentialVar,
  SMS_MASKING_PASSWORD: credentialVar,
  SMS_MASKING_CALLBACK_TOKEN: callbackTokenVar,
  // inbox.php polling (temporal/inbox-poll-schedule.ts): only collocation-modem customers have an
  // inbox, so off unless set; when on, an interval ("1 minute") or cron expression, as RETENTION_SCHEDULE.
  SMS_MASKING_INBOX_POLL: z
    .string()
    .refine(
      isRetentionSchedule,
      'must be "off", an interval of at least a minute ("1 minute") or a 5-field cron expression ("*/5 * * * *")',
    )
    .default('off'),
};

export const smsMasking: ProviderDescriptor<'sms-masking', typeof env> = {
  name: 'sms-masking',
  channels: ['sms'],
  env,
  baseUrlEnv: 'SMS_MASKING_BASE_URL',
  credentialEnv: ['SMS_MASKING_USERNAME', 'SMS_MASKING_PASSWORD'],
  liveBaseUrl: 'http://103.16.199.187/masking',
  createClient: ({ baseUrl, live, setting, onLookupUnparsed }) =>
    new SmsMaskingProvider({
      ...(live
        ? { baseUrl, username: setting('SMS_MASKING_USERNAME')!, password: setting('SMS_MASKING_PASSWORD')! }
        : { baseUrl, ...SMS_MASKING_SANDBOX_CREDENTIALS }),
      onLookupUnparsed,
    }),
  callbacks: smsMaskingCallbackEndpoints,
  statusMap: Object.fromEntries(Object.entries(SMS_MASKING_CODES).map(([code, info]) => [code, info.status])),
  sendQueue: { defaultRatePerSecond: 80 },
  sandbox: 'sandboxes/sms-masking.ts',
};
