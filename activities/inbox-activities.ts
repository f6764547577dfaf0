// The inbox polling workflow's one activity: fetch the provider's inbox, store each message once.
import { Context } from '@temporalio/activity';
import { storeInbound } from '../db/inbound-messages.js';
import type { Pool } from '../db/pool.js';
import type { OptKeywords } from '../domain/opt-keywords.js';
import { inTransaction } from '../db/transaction.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { SmsMaskingProvider } from '../providers/sms-masking/client.js';
import type { InboxPollCounts } from '../workflows/inbox-poll.js';

export function createInboxActivities(deps: { pool: Pool; providers: ProviderRegistry; optKeywords?: OptKeywords }) {
  return {
    async pollInbox(provider: 'sms-masking'): Promise<InboxPollCounts> {
      const client = deps.providers.get(provider);
      if (!(client instanceof SmsMaskingProvider)) throw new Error(`${provider}: has no inbox to poll`);
      const messages = await client.getInbox();
      let stored = 0;
      // One message a transaction: the unique (provider, provider_message_id) key makes a repeat a
      // no-op, so a retry after a partial run stores only what is still missing.
      for (const m of messages)
        if (await inTransaction(deps.pool, (db) => storeInbound(db, m, deps.optKeywords))) stored++;
      const counts = { listed: messages.length, stored };
      Context.current().log.info('inbox poll done', { provider, ...counts });
      return counts;
    },
  };
}

export type InboxActivities = ReturnType<typeof createInboxActivities>;
