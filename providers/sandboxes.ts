// Starts the sandbox of every provider that has no credentials, with callbacks pointed at the
// API. `npm start` uses fixed ports (SANDBOX_BASE_PORT + n); tests use ephemeral ones.
import type { Config } from '../config/index.js';
import { startEngageLabSandbox } from './engagelab/index.js';
import { startItdSandbox } from './itd/index.js';
import { startNusaSmsSandbox } from './nusasms/index.js';
import { configuredBaseUrl, providerMode, sandboxPort } from './registry.js';
import type { LoggedRequest, RunningSandbox } from './sandbox-kit.js';
import { startSmsMaskingSandbox } from './sms-masking/index.js';
import { PROVIDER_NAMES, type ProviderName } from './types.js';
import { startWappinSandbox } from './wappin/index.js';

export interface RunningSandboxes {
  urls: Partial<Record<ProviderName, string>>;
  summary: string;
  /** Requests a sandbox received (for exactly-once checks in tests). */
  requests(name: string): LoggedRequest[];
  close(): Promise<void>;
}

const BASE_URL_VARS: Record<ProviderName, string> = {
  wappin: 'WAPPIN_BASE_URL', itd: 'ITD_BASE_URL', engagelab: 'ENGAGELAB_BASE_URL', nusasms: 'NUSASMS_BASE_URL', 'sms-masking': 'SMS_MASKING_BASE_URL',
};

/** Environment that points the worker at the running sandboxes. */
export function sandboxEnvironment(s: RunningSandboxes): Record<string, string> {
  return Object.fromEntries(Object.entries(s.urls).map(([name, url]) => [BASE_URL_VARS[name as ProviderName], url]));
}

/** `all`: start every sandbox, also for providers with credentials (tests of wrong credentials). */
/** `callbackRetryDelayMs`: the wait between callback retries (tests of a database outage need the retries spread wider). */
export async function startSandboxes(config: Config, apiUrl: string, opts: { ephemeralPorts?: boolean; all?: boolean; callbackRetryDelayMs?: number } = {}): Promise<RunningSandboxes> {
  const running = new Map<ProviderName, RunningSandbox>();
  const common = (name: ProviderName) => ({
    port: opts.ephemeralPorts ? 0 : sandboxPort(config, name),
    callbackDelayMs: config.SANDBOX_CALLBACK_DELAY_MS,
    callbackRetries: 3,
    callbackRetryDelayMs: opts.callbackRetryDelayMs ?? 200,
  });
  const token = encodeURIComponent(config.CALLBACK_TOKEN);
  const starters: Record<ProviderName, () => Promise<RunningSandbox>> = {
    wappin: () => startWappinSandbox({ ...common('wappin'), callbackUrl: `${apiUrl}/callbacks/wappin`, callbackToken: config.WAPPIN_CALLBACK_TOKEN }),
    itd: () => startItdSandbox({ ...common('itd'), callbackUrl: `${apiUrl}/callbacks/itd/status?token=${token}`, inboundCallbackUrl: `${apiUrl}/callbacks/itd/inbound?token=${token}` }),
    engagelab: () => startEngageLabSandbox({ ...common('engagelab'), callbackUrl: `${apiUrl}/callbacks/engagelab`, callbackSecret: config.ENGAGELAB_CALLBACK_SECRET }),
    nusasms: () => startNusaSmsSandbox({ ...common('nusasms'), callbackUrl: `${apiUrl}/callbacks/nusasms?token=${token}` }),
    'sms-masking': () => startSmsMaskingSandbox({ ...common('sms-masking'), callbackUrl: `${apiUrl}/callbacks/sms-masking?token=${token}` }),
  };
  try {
    for (const name of PROVIDER_NAMES) {
      const wanted = opts.all || (providerMode(config, name) === 'sandbox' && !configuredBaseUrl(config, name));
      if (wanted) running.set(name, await starters[name]());
    }
  } catch (err) {
    await Promise.all([...running.values()].map((s) => s.close()));
    throw new Error(`a provider sandbox could not start (ports ${config.SANDBOX_BASE_PORT}-${config.SANDBOX_BASE_PORT + 4} taken? set SANDBOX_BASE_PORT): ${String(err)}`, { cause: err });
  }
  return {
    urls: Object.fromEntries([...running].map(([n, s]) => [n, s.url])),
    summary: PROVIDER_NAMES.map((n) => `${n}: ${running.has(n) ? `sandbox ${running.get(n)!.url}` : providerMode(config, n)}`).join(', '),
    requests: (name) => running.get(name as ProviderName)?.requests ?? [],
    close: async () => { await Promise.all([...running.values()].map((s) => s.close())); },
  };
}
