// Inbox polling: one activity fetches a provider's inbox and stores what is new in inbound_messages.
// Started by the `kurir-sms-masking-inbox` Temporal Schedule (temporal/inbox-poll-schedule.ts) for
// SMS masking collocation-modem customers, whose inbound SMS exist only behind inbox.php.
import { proxyActivities } from '@temporalio/workflow';
import type { InboxActivities } from '../activities/inbox-activities.js';

/** Counts only: the messages (numbers, texts) stay out of Temporal history. */
export interface InboxPollCounts {
  /** Messages the inbox answered with. */
  listed: number;
  /** Of those, the ones not stored before. */
  stored: number;
}

const { pollInbox } = proxyActivities<InboxActivities>({
  startToCloseTimeout: '2 minutes',
  // The next scheduled run polls again anyway: a few quick retries, no backlog of attempts.
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

export async function inboxPoll(provider: 'sms-masking'): Promise<InboxPollCounts> {
  return pollInbox(provider);
}
