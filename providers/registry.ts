// Builds the configured providers: a live client when the provider's credentials are set,
// otherwise a client of its sandbox (with the sandbox's credentials) at *_BASE_URL or the
// local sandbox port `npm start` uses.
import type { Config } from '../config/index.js';
import { EngageLabOtpClient, EngageLabProvider, engagelabCallbackEndpoints, ENGAGELAB_SANDBOX_CREDENTIALS, type EngageLabOptions } from './engagelab/index.js';
import { ItdProvider, itdCallbackEndpoints, ITD_SANDBOX_CREDENTIALS } from './itd/index.js';
import { NusaSmsProvider, nusasmsCallbackEndpoints, NUSASMS_SANDBOX_CREDENTIALS } from './nusasms/index.js';
import { SmsMaskingProvider, smsMaskingCallbackEndpoints, SMS_MASKING_SANDBOX_CREDENTIALS } from './sms-masking/index.js';
import type { CallbackEndpoint, ChannelProvider, ProviderName } from './types.js';
import { WappinProvider, wappinCallbackEndpoints, WAPPIN_SANDBOX_CREDENTIALS } from './wappin/index.js';
import { PROVIDER_NAMES } from './types.js';

export type ProviderMode = 'live' | 'sandbox';

/** The providers' production endpoints, used when credentials are set and no *_BASE_URL overrides them. */
export const LIVE_BASE_URLS: Record<ProviderName, string> = {
  wappin: 'https://api.wappin.id',
  itd: 'https://ida.itdchile.cl/api/v2',
  engagelab: 'https://otp.api.engagelab.cc',
  nusasms: 'http://api.nusasms.com',
  'sms-masking': 'http://103.16.199.187/masking',
};

export function sandboxPort(config: Config, name: ProviderName): number {
  return config.SANDBOX_BASE_PORT + PROVIDER_NAMES.indexOf(name);
}

export function providerMode(config: Config, name: ProviderName): ProviderMode {
  switch (name) {
    case 'wappin': return config.WAPPIN_CLIENT_ID && config.WAPPIN_SECRET_KEY ? 'live' : 'sandbox';
    case 'itd': return config.ITD_TOKEN ? 'live' : 'sandbox';
    case 'engagelab': return config.ENGAGELAB_DEV_KEY && config.ENGAGELAB_DEV_SECRET ? 'live' : 'sandbox';
    case 'nusasms': return config.NUSASMS_USERNAME && config.NUSASMS_PASSWORD ? 'live' : 'sandbox';
    case 'sms-masking': return config.SMS_MASKING_USERNAME && config.SMS_MASKING_PASSWORD ? 'live' : 'sandbox';
  }
}

export function configuredBaseUrl(config: Config, name: ProviderName): string | undefined {
  return {
    wappin: config.WAPPIN_BASE_URL, itd: config.ITD_BASE_URL, engagelab: config.ENGAGELAB_BASE_URL,
    nusasms: config.NUSASMS_BASE_URL, 'sms-masking': config.SMS_MASKING_BASE_URL,
  }[name];
}

export function baseUrl(config: Config, name: ProviderName): string {
  const configured = configuredBaseUrl(config, name);
  if (configured) return configured;
  return providerMode(config, name) === 'live' ? LIVE_BASE_URLS[name] : `http://127.0.0.1:${sandboxPort(config, name)}`;
}

function engagelabOptions(config: Config): EngageLabOptions {
  const url = baseUrl(config, 'engagelab');
  return providerMode(config, 'engagelab') === 'live'
    ? { baseUrl: url, devKey: config.ENGAGELAB_DEV_KEY!, devSecret: config.ENGAGELAB_DEV_SECRET! }
    : { baseUrl: url, ...ENGAGELAB_SANDBOX_CREDENTIALS };
}

function build(config: Config, name: ProviderName): ChannelProvider {
  const url = baseUrl(config, name);
  const live = providerMode(config, name) === 'live';
  switch (name) {
    case 'wappin': return new WappinProvider(live
      ? { baseUrl: url, clientId: config.WAPPIN_CLIENT_ID!, secretKey: config.WAPPIN_SECRET_KEY!, projectId: config.WAPPIN_PROJECT_ID ?? '' }
      : { baseUrl: url, ...WAPPIN_SANDBOX_CREDENTIALS });
    case 'itd': return new ItdProvider(live ? { baseUrl: url, token: config.ITD_TOKEN! } : { baseUrl: url, ...ITD_SANDBOX_CREDENTIALS });
    case 'engagelab': return new EngageLabProvider(engagelabOptions(config));
    case 'nusasms': return new NusaSmsProvider(live
      ? { baseUrl: url, username: config.NUSASMS_USERNAME!, password: config.NUSASMS_PASSWORD! }
      : { baseUrl: url, ...NUSASMS_SANDBOX_CREDENTIALS });
    case 'sms-masking': return new SmsMaskingProvider(live
      ? { baseUrl: url, username: config.SMS_MASKING_USERNAME!, password: config.SMS_MASKING_PASSWORD! }
      : { baseUrl: url, ...SMS_MASKING_SANDBOX_CREDENTIALS });
  }
}

export interface ProviderRegistry {
  get(name: ProviderName): ChannelProvider;
  /** EngageLab's OTP API (templates, provider-generated codes, verification). */
  engagelabOtp(): EngageLabOtpClient;
  modes: Record<ProviderName, ProviderMode>;
}

export function createProviderRegistry(config: Config): ProviderRegistry {
  const providers = new Map<ProviderName, ChannelProvider>();
  const modes = Object.fromEntries(PROVIDER_NAMES.map((n) => [n, providerMode(config, n)])) as Record<ProviderName, ProviderMode>;
  let otpClient: EngageLabOtpClient | undefined;
  return {
    modes,
    engagelabOtp: () => (otpClient ??= new EngageLabOtpClient(engagelabOptions(config))),
    get(name) {
      let p = providers.get(name);
      if (!p) {
        p = build(config, name);
        providers.set(name, p);
      }
      return p;
    },
  };
}

export function allCallbackEndpoints(): CallbackEndpoint[] {
  return [...wappinCallbackEndpoints, ...itdCallbackEndpoints, ...engagelabCallbackEndpoints, ...nusasmsCallbackEndpoints, ...smsMaskingCallbackEndpoints];
}
