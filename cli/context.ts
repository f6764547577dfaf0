// What every command needs: configuration, the API (found as `api` says), a Temporal client for
// the one command without a route (connected on first use), and output that is JSON for scripts
// (--json) or short lines for people.
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config/index.js';
import { createTemporalClient, unreachableMessage } from '../temporal/connect.js';
import { temporalTarget } from '../temporal/target.js';
import { restCall, type RestAnswer, type RestRequest } from '../client/rest.js';
import { CliError, EXIT } from './errors.js';
import { localApiFile, readLocalApi } from './local-api.js';

export class CliContext {
  private temporal?: Client;
  private cachedConfig?: Config;

  constructor(readonly json: boolean) {}

  get config(): Config {
    return (this.cachedConfig ??= loadConfig());
  }

  async client(): Promise<Client> {
    if (this.temporal) return this.temporal;
    const target = temporalTarget(this.config);
    try {
      this.temporal = await createTemporalClient(target, { connectTimeoutMs: 5_000 });
      return this.temporal;
    } catch (err) {
      throw new CliError(EXIT.runtime, unreachableMessage(target.address, err));
    }
  }

  /**
   * The kurir API the commands over REST call: KURIR_API_URL when set, else the API a running
   * `npm start` wrote to .kurir/local-api.json, else this config's address. The key: KURIR_API_KEY,
   * else local-api.json's (the development key), else the first of KURIR_API_KEYS.
   */
  get api(): { apiUrl: string; apiKey: string | undefined; from: string } {
    const config = this.config;
    const local = config.KURIR_API_URL ? undefined : readLocalApi();
    if (local) return { apiUrl: local.url, apiKey: config.KURIR_API_KEY ?? local.key, from: localApiFile() };
    return {
      apiUrl: config.KURIR_API_URL ?? config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
      apiKey: config.KURIR_API_KEY ?? config.KURIR_API_KEYS[0]?.key,
      from: config.KURIR_API_URL ? 'KURIR_API_URL' : 'the default address; is `npm start` running?',
    };
  }

  /** One call to the API; an unreachable API is one line naming the address and where it came from. */
  async rest(req: RestRequest): Promise<RestAnswer> {
    return this.reach(() => restCall(this.api, req));
  }

  /** Runs a call to the API, turning "cannot connect" into one line. */
  async reach<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof TypeError && err.message === 'fetch failed')) throw err;
      const { apiUrl, from } = this.api;
      const cause = err.cause instanceof Error ? err.cause.message : 'no answer';
      throw new CliError(EXIT.runtime, `cannot reach the kurir API at ${apiUrl} (from ${from}): ${cause}`);
    }
  }

  /** Prints `data` as JSON with --json, else the human lines. */
  print(data: unknown, human: string | string[]): void {
    process.stdout.write(this.json ? `${JSON.stringify(data)}\n` : `${([] as string[]).concat(human).join('\n')}\n`);
  }

  async close(): Promise<void> {
    await this.temporal?.connection.close().catch(() => undefined);
  }
}
