// Retention: one activity prunes every table by its configured age and returns what it removed.
// Started by the `kurir-retention` Temporal Schedule (temporal/retention-schedule.ts).
import { proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities } from '../activities/retention-activities.js';

/** How long each kind of row is kept, in milliseconds (from the RETENTION_* settings). */
export interface RetentionAges {
  /** Relayed callbacks (and dead ones, once the relay has a dead state). */
  callbacks: number;
  /** Callbacks still waiting for a provider message that no workflow owns. */
  unownedCallbacks: number;
  /** Events and their delivered or dead-lettered webhook deliveries. */
  events: number;
  inbound: number;
  /** After a campaign completed or was canceled: its recipients' phone numbers and parameters. */
  campaignRecipients: number;
  idempotencyKeys: number;
  /** Never less than the OTP send window (the limit counts these rows). */
  otpSends: number;
}

/** Rows removed (or, for campaign recipients, blanked) per kind. */
export interface RetentionCounts {
  relayedCallbacks: number;
  deadCallbacks: number;
  unownedCallbacks: number;
  webhookDeliveries: number;
  events: number;
  inboundMessages: number;
  campaignRecipients: number;
  idempotencyKeys: number;
  otpSends: number;
  /** Feed rows (messages and OTPs) and delivery attempts (the KPIs), kept as long as events. */
  activity: number;
  deliveryAttempts: number;
}

const { pruneRetention } = proxyActivities<RetentionActivities>({
  // A long backlog is pruned in batches; each batch heartbeats, so a stuck one is retried soon.
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 3 },
});

export async function retention(ages: RetentionAges): Promise<RetentionCounts> {
  return pruneRetention(ages);
}
