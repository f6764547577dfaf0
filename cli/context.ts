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

  /** Prints `data` as JSON with --json, else the human lines. */
  print(data: unknown, human: string | string[]): void {
    process.stdout.write(this.json ? `${JSON.stringify(data)}\n` : `${([] as string[]).concat(human).join('\n')}\n`);
  }

  async close(): Promise<void> {
    await this.temporal?.connection.close().catch(() => undefined);
  }
}
