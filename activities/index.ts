// All activities, built from their dependencies (samples-typescript's createActivities(deps)).
import type { Pool } from '../db/pool.js';
import type { BreakerSettings } from '../db/circuits.js';
import type { OptKeywords } from '../domain/opt-keywords.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { ProviderName } from '../providers/types.js';
import { createBatchActivities } from './batch-activities.js';
import { createCampaignActivities } from './campaign-activities.js';
import { createEventActivities } from './event-activities.js';
import { createInboxActivities } from './inbox-activities.js';
import { createMessageActivities, type ServiceWindowSettings } from './message-activities.js';
import { createOtpActivities } from './otp-activities.js';
import { createRetentionActivities } from './retention-activities.js';

export interface ActivityDeps {
  pool: Pool;
  providers: ProviderRegistry;
  otpHmacKey: string;
  otpSendLimit: number;
  otpSendWindow: string;
  recipientHashKey: string;
  optKeywords?: OptKeywords;
  serviceWindow?: ServiceWindowSettings;
  breaker?: BreakerSettings;
  /** Sends per second per provider: campaign sends wait for their slot (activities/batch-activities.ts). */
  rateLimits?: Partial<Record<ProviderName, number>>;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createMessageActivities(deps),
    ...createOtpActivities(deps),
    ...createCampaignActivities(deps),
    ...createBatchActivities(deps),
    ...createEventActivities(deps),
    ...createRetentionActivities(deps),
    ...createInboxActivities(deps),
  };
}
