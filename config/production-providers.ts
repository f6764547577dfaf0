// Providers in production (security review H4 and L10). A provider without credentials runs in
// sandbox mode: its client uses the sandbox's public credentials against *_BASE_URL or a loopback
// port where no sandbox runs in production. NusaSMS and the SMS-masking gateway document only
// plain-http endpoints, which carry OTP codes, texts and account passwords in cleartext. Both need
// the operator's explicit word, per provider by name; otherwise the process refuses to start.
import { z } from 'zod';
import { baseUrl, configuredBaseUrl, PROVIDERS, setting, type ProviderList } from '../providers/registry.js';
import type { Config } from './index.js';
import { isLoopback, isProduction } from './production-secrets.js';

/** A comma-separated list of registered provider names (an unknown name is an error naming it). */
export function providerNamesVar(providers: ProviderList) {
  const names = providers.map((p) => p.name);
  return z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    )
    .superRefine((list, ctx) => {
      const unknown = list.filter((n) => !names.includes(n));
      if (unknown.length)
        ctx.addIssue({
          code: 'custom',
          message: `unknown provider ${unknown.map((n) => `"${n}"`).join(', ')} (one of ${names.join(', ')})`,
        });
    });
}

interface Finding {
  problem?: string;
  warning?: string;
}

/** Plain http crosses the network unless it stays on this machine (a TLS-terminating sidecar). */
function plainHttp(url: string): URL | undefined {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && !isLoopback(parsed.hostname) ? parsed : undefined;
}

function check(config: Config, providers: ProviderList): Finding[] {
  return providers.map((p): Finding => {
    const missing = p.credentialEnv.filter((key) => !setting(config, key));
    if (missing.length === 0) {
      const http = plainHttp(baseUrl(config, p.name, providers));
      if (!http) return {};
      const where = `${http.host}${configuredBaseUrl(config, p.name, providers) ? '' : ', its default'}`;
      if (config.PROVIDER_HTTP_ALLOWED.includes(p.name))
        return {
          warning: `${p.name} is called over plain http (${where}) as PROVIDER_HTTP_ALLOWED permits: its messages, OTP codes and account credentials cross the network unencrypted`,
        };
      return {
        problem: `${p.baseUrlEnv}: ${p.name} would be called over plain http (${where}); use an https:// URL, or accept it with PROVIDER_HTTP_ALLOWED=${p.name}`,
      };
    }
    if (missing.length < p.credentialEnv.length)
      return {
        problem: `${missing.join(', ')}: ${p.name} has only part of its credentials (set all of ${p.credentialEnv.join(', ')}, or none)`,
      };
    const target = configuredBaseUrl(config, p.name, providers) ? p.baseUrlEnv : 'a loopback port';
    if (config.PROVIDER_SANDBOX_ALLOWED.includes(p.name))
      return {
        warning: `${p.name} has no credentials and runs in sandbox mode as PROVIDER_SANDBOX_ALLOWED permits: its sends go to ${target} with the sandbox's credentials`,
      };
    return {
      problem: `${missing.join(', ')}: ${p.name} has no credentials, so it would run in sandbox mode; set them, or list it in PROVIDER_SANDBOX_ALLOWED (a deployment that does not send with ${p.name}, or a sandbox at ${p.baseUrlEnv})`,
    };
  });
}

/** What stops a production start: one line per provider, naming its variables (never values). */
export function providerProblems(config: Config, providers: ProviderList = PROVIDERS): string[] {
  return check(config, providers).flatMap((f) => (f.problem ? [f.problem] : []));
}

/** What a production start logs as a warning: the exceptions the operator allowed. */
export function providerWarnings(config: Config, providers: ProviderList = PROVIDERS): string[] {
  if (!isProduction(config)) return [];
  return check(config, providers).flatMap((f) => (f.warning ? [f.warning] : []));
}

/** What a production API start logs as a warning about its own exposure. */
export function exposureWarnings(config: Config): string[] {
  if (!isProduction(config)) return [];
  return [
    ...(config.METRICS_TOKEN === undefined
      ? [
          'GET /metrics needs no token (METRICS_TOKEN is unset): keep it on a private network, or set METRICS_TOKEN for your scraper',
        ]
      : []),
    ...(!config.OTP_GUARD
      ? ['the OTP guard is off (OTP_GUARD=false): POST /v1/otp has no country list, windows or prefix blocking']
      : []),
    ...(config.OTP_GUARD && config.OTP_ALLOWED_COUNTRIES === undefined
      ? [
          'OTPs may go to every country (OTP_ALLOWED_COUNTRIES is unset): list the countries your users are in, as SMS pumping targets premium ranges abroad',
        ]
      : []),
  ];
}
