// The one place a provider is registered: PROVIDERS. Everything provider-specific elsewhere
// (config variables, callback routes, send queues, sandboxes, dashboard, CLI) is derived from it.
// A provider runs live when its credentials are set, otherwise against its sandbox (with the
// sandbox's credentials) at its *_BASE_URL or the local sandbox port `npm start` uses.
import type { Config } from '../config/index.js';
import type { ProviderDescriptor, ProviderSettings } from './descriptor.js';
import { engagelab, engagelabOtpClient } from './engagelab/index.js';
import type { EngageLabOtpClient } from './engagelab/client.js';
import { itd } from './itd/index.js';
import { nusasms } from './nusasms/index.js';
import { smsMasking } from './sms-masking/index.js';
import { CHANNEL_REPORTS, type Reports } from '../domain/statuses.js';
import { secretList } from './env.js';
import type { CallbackEndpoint, Channel, ChannelProvider } from './types.js';
import { wappin } from './wappin/index.js';

/** Every provider, in the order of their sandbox ports (SANDBOX_BASE_PORT + index). */
export const PROVIDERS = [wappin, itd, engagelab, nusasms, smsMasking] as const;

export type ProviderName = (typeof PROVIDERS)[number]['name'];
export const PROVIDER_NAMES: readonly ProviderName[] = PROVIDERS.map((p) => p.name);

/** A list of descriptors: PROVIDERS, or another list in tests (a throwaway provider). */
export type ProviderList = readonly ProviderDescriptor[];

export type ProviderMode = 'live' | 'sandbox';

/** One configuration variable by name (provider variables are merged into Config from the descriptors). */
export function setting(config: Config, key: string): string | undefined {
  const value: unknown = (config as unknown as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The secrets a callback endpoint accepts, current first: its own variable's comma-separated list,
 * or, when that is unset, its fallback's (CALLBACK_TOKEN).
 */
export function callbackSecrets(config: Config, endpoint: CallbackEndpoint): string[] {
  const own = setting(config, endpoint.secretEnv);
  return secretList(own ?? (endpoint.fallbackSecretEnv ? setting(config, endpoint.fallbackSecretEnv) : undefined));
}

export function descriptorOf(name: string, providers: ProviderList = PROVIDERS): ProviderDescriptor {
  const d = providers.find((p) => p.name === name);
  if (!d) throw new Error(`unknown provider "${name}" (one of ${providers.map((p) => p.name).join(', ')})`);
  return d;
}

export function sandboxPort(config: Config, name: string, providers: ProviderList = PROVIDERS): number {
  return config.SANDBOX_BASE_PORT + providers.indexOf(descriptorOf(name, providers));
}

export function providerMode(config: Config, name: string, providers: ProviderList = PROVIDERS): ProviderMode {
  return descriptorOf(name, providers).credentialEnv.every((key) => setting(config, key)) ? 'live' : 'sandbox';
}

export function configuredBaseUrl(
  config: Config,
  name: string,
  providers: ProviderList = PROVIDERS,
): string | undefined {
  return setting(config, descriptorOf(name, providers).baseUrlEnv);
}

export function baseUrl(config: Config, name: string, providers: ProviderList = PROVIDERS): string {
  const configured = configuredBaseUrl(config, name, providers);
  if (configured) return configured;
  if (providerMode(config, name, providers) === 'live') return descriptorOf(name, providers).liveBaseUrl;
  return `http://127.0.0.1:${sandboxPort(config, name, providers)}`;
}

/** What the process running the clients does with what they learn (the worker records access tokens). */
export interface ProviderHooks {
  onAccessToken?: (provider: string, token: string, validUntil: Date) => Promise<void>;
  onLookupUnparsed?: (provider: string, detail: string) => void;
}

function settings(config: Config, name: string, providers: ProviderList, hooks: ProviderHooks): ProviderSettings {
  const { onAccessToken, onLookupUnparsed } = hooks;
  return {
    baseUrl: baseUrl(config, name, providers),
    live: providerMode(config, name, providers) === 'live',
    setting: (key) => setting(config, key),
    ...(onAccessToken ? { onAccessToken: (token, validUntil) => onAccessToken(name, token, validUntil) } : {}),
    ...(onLookupUnparsed ? { onLookupUnparsed: (detail: string) => onLookupUnparsed(name, detail) } : {}),
  };
}

export interface ProviderRegistry {
  /** The registered providers' names, in list order. */
  names: readonly ProviderName[];
  get(name: ProviderName): ChannelProvider;
  /** What a step on this provider and channel can report (domain CHANNEL_REPORTS narrowed by the descriptor). */
  reports(name: ProviderName, channel: Channel): Reports;
  /** EngageLab's OTP API (templates, provider-generated codes, verification). */
  engagelabOtp(): EngageLabOtpClient;
  modes: Record<ProviderName, ProviderMode>;
}

export function createProviderRegistry(
  config: Config,
  providers: ProviderList = PROVIDERS,
  hooks: ProviderHooks = {},
): ProviderRegistry {
  const clients = new Map<string, ChannelProvider>();
  // A list other than PROVIDERS carries names outside the ProviderName union (tests only).
  const names = providers.map((p) => p.name) as ProviderName[];
  const modes = Object.fromEntries(names.map((n) => [n, providerMode(config, n, providers)])) as Record<
    ProviderName,
    ProviderMode
  >;
  let otpClient: EngageLabOtpClient | undefined;
  return {
    names,
    modes,
    reports: (name, channel) => ({ ...CHANNEL_REPORTS[channel], ...descriptorOf(name, providers).reports?.[channel] }),
    engagelabOtp: () => (otpClient ??= engagelabOtpClient(settings(config, engagelab.name, providers, hooks))),
    get(name) {
      let client = clients.get(name);
      if (!client) {
        client = descriptorOf(name, providers).createClient(settings(config, name, providers, hooks));
        clients.set(name, client);
      }
      return client;
    },
  };
}

export function allCallbackEndpoints(providers: ProviderList = PROVIDERS): CallbackEndpoint[] {
  return providers.flatMap((p) => p.callbacks);
}
