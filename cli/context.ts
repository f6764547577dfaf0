// What every command needs: configuration, a Temporal client (connected on first use), and
// output that is JSON for scripts (--json) or short lines for people.
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config/index.js';
import { createTemporalClient, unreachableMessage } from '../temporal/connect.js';
import { temporalTarget } from '../temporal/target.js';
import { CliError, EXIT } from './errors.js';

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

  /** The kurir API the commands over REST call: KURIR_API_URL (else this config's address) and KURIR_API_KEY (else the first of KURIR_API_KEYS). */
  get api(): { apiUrl: string; apiKey: string | undefined } {
    const config = this.config;
    return {
      apiUrl: config.KURIR_API_URL ?? config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
      apiKey: config.KURIR_API_KEY ?? config.KURIR_API_KEYS[0]?.key,
    };
  }

  /** Prints `data` as JSON with --json, else the human lines. */
  print(data: unknown, human: string | string[]): void {
    process.stdout.write(this.json ? `${JSON.stringify(data)}\n` : `${([] as string[]).concat(human).join('\n')}\n`);
  }

  async close(): Promise<void> {
    await this.temporal?.connection.close().catch(() => undefined);
  }
}
