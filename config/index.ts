// Loads and validates configuration once. Invalid configuration is a ConfigError that lists
// every bad variable; entry points print it and exit with status 2.
import { allCallbackEndpoints, PROVIDERS, setting, type ProviderList } from '../providers/registry.js';
import { providerProblems } from './production-providers.js';
import { isProduction, weakSecrets } from './production-secrets.js';
import { envSchemaFor, type Env } from './schema.js';

export type Config = Env;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `providers`: whose variables to read (PROVIDERS; tests pass a list with a throwaway provider). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, providers: ProviderList = PROVIDERS): Config {
  // Empty strings count as unset, as in most twelve-factor tools.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchemaFor(providers).safeParse(cleaned);
  // The registered providers' variables are typed in Env; another list's are read with setting().
  if (result.success) return result.data as Config;
  throw new ConfigError(describeIssues(result.error.issues, cleaned));
}

function describeIssues(
  issues: readonly { path: PropertyKey[]; message: string }[],
  cleaned: Record<string, string | undefined>,
): string[] {
  return issues.map((issue) => {
    const name = issue.path.map(String).join('.');
    const value = cleaned[name];
    const shown = value === undefined || /SECRET|PASSWORD|TOKEN|KEY/.test(name) ? '' : ` (got "${value}")`;
    return `${name}: ${issue.message}${shown}`;
  });
}

/**
 * Configuration of a server process (API, worker): in production (NODE_ENV=production or a
 * non-loopback HOST) every secret must be your own (production-secrets.ts), and every provider
 * live over https unless allowed by name (production-providers.ts).
 */
export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadConfig(env);
  if (isProduction(config)) {
    // The providers' own callback tokens (ITD_CALLBACK_TOKEN, …); unset, their routes use CALLBACK_TOKEN.
    const providerTokens = Object.fromEntries(
      allCallbackEndpoints()
        .filter((e) => e.fallbackSecretEnv !== undefined)
        .map((e) => [e.secretEnv, setting(config, e.secretEnv)]),
    );
    const problems = [...weakSecrets(config, providerTokens), ...providerProblems(config)];
    if (problems.length) throw new ConfigError(problems);
  }
  return config;
}

/** For entry points: load config (the server's checks with `server`) or print the problems and exit 2. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env, opts: { server?: boolean } = {}): Config {
  try {
    return opts.server ? loadServerConfig(env) : loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kurir: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
