// What a provider tells the rest of kurir about itself. Each providers/<name>/index.ts exports one
// of these; providers/registry.ts lists them. Config, callbacks, the worker's send queues, the
// dashboard and the CLI read everything provider-specific from here, so adding a provider is one
// new folder and one line in PROVIDERS.
import type { z } from 'zod';
import type { Reports } from '../domain/statuses.js';
import type { CallbackEndpoint, CanonicalStatus, Channel, ChannelProvider } from './types.js';

/** What a client factory gets: where to call and the provider's own variables. */
export interface ProviderSettings {
  baseUrl: string;
  /** True when every credential variable is set; otherwise the client uses its sandbox credentials. */
  live: boolean;
  /** The value of one of the provider's `env` variables (undefined when unset). */
  setting: (key: string) => string | undefined;
  /**
   * Called when the provider issues a new API access token (Wappin), before the client uses it:
   * the worker records its hash so the API can accept callbacks that carry it.
   */
  onAccessToken?: (token: string, validUntil: Date) => Promise<void>;
  /** Called when a status lookup answers in a shape the client cannot read (it then throws): log and count it. */
  onLookupUnparsed?: (detail: string) => void;
}

export interface ProviderDescriptor<N extends string = string, E extends z.ZodRawShape = z.ZodRawShape> {
  name: N;
  channels: readonly Channel[];
  /** Every environment variable the provider reads, with its rule; config/schema.ts merges them. */
  env: E;
  /** The variable that overrides the base URL (a sandbox elsewhere, a proxy). */
  baseUrlEnv: string;
  /** Live mode when all of these are set; the local sandbox otherwise. */
  credentialEnv: readonly string[];
  /** The production endpoint, used in live mode unless `baseUrlEnv` overrides it. */
  liveBaseUrl: string;
  createClient: (settings: ProviderSettings) => ChannelProvider;
  /** The routes the API serves for it; each names its auth kind and the variable holding the secret. */
  callbacks: readonly CallbackEndpoint[];
  /**
   * What the provider can report per channel, where it is less than the channel allows
   * (domain/statuses.ts CHANNEL_REPORTS). A fallback rule waiting for a status the step can never
   * report does not apply to that step.
   */
  reports?: Partial<Record<Channel, Reports>>;
  /** Provider status or report code → canonical status (for listings and docs; parsers use it too). */
  statusMap: Readonly<Record<string, CanonicalStatus>>;
  /** Sends go through the paced task queue `<TEMPORAL_TASK_QUEUE>-send-<name>` at this cap unless PROVIDER_RATE_LIMITS names it. */
  sendQueue: { defaultRatePerSecond: number };
  /**
   * Its sandbox, as a path from the repository root. Only dev tooling and tests start it
   * (sandboxes/index.ts keeps the starters, keyed by name); production never loads it.
   */
  sandbox: string;
}
