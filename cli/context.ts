// What every command needs: configuration, a Temporal client (connected on first use), and
// output that is JSON for scripts (--json) or short lines for people.
import { Client, Connection } from '@temporalio/client';
import { kurirDataConverter } from '../codec/data-converter.js';
import { loadConfig, type Config } from '../config/index.js';
import { connectionOptions, temporalAddress, unreachableMessage } from '../workers/connection.js';
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
    const options = connectionOptions(this.config);
    try {
      const connection = await Connection.connect({ ...options, connectTimeout: 5_000 });
      const dataConverter = kurirDataConverter(this.config.KURIR_ENCRYPTION_KEY);
      this.temporal = new Client({ connection, namespace: this.config.TEMPORAL_NAMESPACE, ...(dataConverter ? { dataConverter } : {}) });
      return this.temporal;
    } catch (err) {
      throw new CliError(EXIT.runtime, unreachableMessage(temporalAddress(this.config), err));
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
