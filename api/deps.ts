// What the API needs from the outside, passed in so tests can build it with real parts.
import type { Client } from '@temporalio/client';
import type { Config } from '../config/index.js';
import type { Pool } from '../db/pool.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { CallbackEndpoint } from '../providers/types.js';
import type { EventNotifier } from '../services/event-notifier.js';
import type { OutcomeCollector } from '../services/outcome-collector.js';
import type { Relay } from '../services/relay.js';
import type { WebhookDispatcher } from '../services/webhooks/dispatcher.js';

export interface AppDeps {
  config: Config;
  pool: Pool;
  temporal: Client;
  callbackEndpoints: CallbackEndpoint[];
  /** Provider clients the API calls itself (EngageLab verification of provider-mode OTPs). */
  providers: ProviderRegistry;
  /** Woken after a callback is stored so it reaches its workflow at once. */
  relay?: Relay;
  /** Wakes SSE streams when an event commits (without it they poll). */
  events?: EventNotifier;
  /** Woken after a replay so dead-lettered events go out at once. */
  webhooks?: WebhookDispatcher;
  /** Counts closed workflows at each /metrics scrape (without it only the process's own metrics are served). */
  outcomes?: OutcomeCollector;
}
