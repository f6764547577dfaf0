// Starts the sandbox of every provider that has no credentials, with callbacks pointed at the
// API. `npm start` uses fixed ports (SANDBOX_BASE_PORT + n); tests use ephemeral ones.
// Dev tooling and tests only: nothing in the production graph imports sandboxes/ (ESLint fence,
// test/production-graph.test.ts).
import type { Config } from '../config/index.js';
import {
  allCallbackEndpoints,
  callbackSecrets,
  configuredBaseUrl,
  descriptorOf,
  PROVIDERS,
  providerMode,
  sandboxPort,
  type ProviderList,
} from '../providers/registry.js';
import { startEngageLabSandbox } from './engagelab.js';
import { startItdSandbox } from './itd.js';
import type { LoggedRequest, RunningSandbox, SandboxOptions } from './kit.js';
import { startNusaSmsSandbox } from './nusasms.js';
import { startSmsMaskingSandbox } from './sms-masking.js';
import { startWappinSandbox } from './wappin.js';

export interface RunningSandboxes {
  urls: Partial<Record<string, string>>;
  summary: string;
  /** Requests a sandbox received (for exactly-once checks in tests). */
  requests(name: string): LoggedRequest[];
  close(): Promise<void>;
}

/** What a starter gets: the kit's options, where the API takes callbacks, and the configuration (for secrets). */
export interface SandboxStart {
  common: SandboxOptions;
  apiUrl: string;
  config: Config;
}
export type SandboxStarter = (s: SandboxStart) => Promise<RunningSandbox>;

/** The current secret of a provider's callbacks (the first of its rotation list), as a provider would be set up. */
function currentSecret(s: SandboxStart, provider: string): string {
  const endpoint = allCallbackEndpoints().find((e) => e.provider === provider);
  const secret = endpoint && callbackSecrets(s.config, endpoint)[0];
  if (!secret) throw new Error(`provider ${provider} has no callback secret configured`);
  return secret;
}
// The path form of the query-token callbacks (`/callbacks/nusasms/<secret>`): a gateway that appends
// its own `?…` to the registered URL cannot break it, so it is what the docs show first.
const queryToken = (s: SandboxStart, provider: string) => encodeURIComponent(currentSecret(s, provider));

/** The sandbox of each registered provider, by name (test/registry checks it against PROVIDERS). */
export const SANDBOX_STARTERS: Readonly<Record<string, SandboxStarter>> = {
  wappin: (s) =>
    startWappinSandbox({
      ...s.common,
      callbackUrl: `${s.apiUrl}/callbacks/wappin`,
      callbackToken: currentSecret(s, 'wappin'),
    }),
  itd: (s) =>
    startItdSandbox({
      ...s.common,
      authScheme: s.config.ITD_AUTH_SCHEME,
      callbackUrl: `${s.apiUrl}/callbacks/itd/status/${queryToken(s, 'itd')}`,
      inboundCallbackUrl: `${s.apiUrl}/callbacks/itd/inbound/${queryToken(s, 'itd')}`,
    }),
  engagelab: (s) =>
    startEngageLabSandbox({
      ...s.common,
      callbackUrl: `${s.apiUrl}/callbacks/engagelab`,
      callbackSecret: currentSecret(s, 'engagelab'),
    }),
  nusasms: (s) =>
    startNusaSmsSandbox({ ...s.common, callbackUrl: `${s.apiUrl}/callbacks/nusasms/${queryToken(s, 'nusasms')}` }),
  'sms-masking': (s) =>
    startSmsMaskingSandbox({
      ...s.common,
      callbackUrl: `${s.apiUrl}/callbacks/sms-masking/${queryToken(s, 'sms-masking')}`,
    }),
};

/** Environment that points the worker at the running sandboxes. */
export function sandboxEnvironment(s: RunningSandboxes, providers: ProviderList = PROVIDERS): Record<string, string> {
  return Object.fromEntries(
    Object.entries(s.urls).map(([name, url]) => [descriptorOf(name, providers).baseUrlEnv, url ?? '']),
  );
}

interface StartOptions {
  ephemeralPorts?: boolean;
  /** Start every sandbox, also for providers with credentials (tests of wrong credentials). */
  all?: boolean;
  /** The wait between callback retries (tests of a database outage need the retries spread wider). */
  callbackRetryDelayMs?: number;
  /** Whose sandboxes to start (PROVIDERS; a test list may add a provider with its own starter). */
  providers?: ProviderList;
  starters?: Readonly<Record<string, SandboxStarter>>;
}

export async function startSandboxes(
  config: Config,
  apiUrl: string,
  opts: StartOptions = {},
): Promise<RunningSandboxes> {
  const providers = opts.providers ?? PROVIDERS;
  const starters = opts.starters ?? SANDBOX_STARTERS;
  const names = providers.map((p) => p.name);
  const running = new Map<string, RunningSandbox>();
  const common = (name: string): SandboxOptions => ({
    port: opts.ephemeralPorts ? 0 : sandboxPort(config, name, providers),
    callbackDelayMs: config.SANDBOX_CALLBACK_DELAY_MS,
    callbackRetries: 3,
    callbackRetryDelayMs: opts.callbackRetryDelayMs ?? 200,
  });
  try {
    for (const name of names) {
      const wanted =
        opts.all ||
        (providerMode(config, name, providers) === 'sandbox' && !configuredBaseUrl(config, name, providers));
      const start = starters[name];
      if (!start) throw new Error(`provider ${name} has no sandbox starter in sandboxes/index.ts`);
      if (wanted) running.set(name, await start({ common: common(name), apiUrl, config }));
    }
  } catch (err) {
    await Promise.all([...running.values()].map((s) => s.close()));
    const last = config.SANDBOX_BASE_PORT + names.length - 1;
    throw new Error(
      `a provider sandbox could not start (ports ${config.SANDBOX_BASE_PORT}-${last} taken? set SANDBOX_BASE_PORT): ${String(err)}`,
      { cause: err },
    );
  }
  return {
    urls: Object.fromEntries([...running].map(([n, s]) => [n, s.url])),
    summary: names
      .map((n) => `${n}: ${running.has(n) ? `sandbox ${running.get(n)!.url}` : providerMode(config, n, providers)}`)
      .join(', '),
    requests: (name) => running.get(name)?.requests ?? [],
    close: async () => {
      await Promise.all([...running.values()].map((s) => s.close()));
    },
  };
}
