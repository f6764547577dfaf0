// Connection options for Temporal from configuration: a local dev server, a self-hosted
// cluster (mTLS) or Temporal Cloud (API key).
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config/index.js';

export function temporalAddress(config: Config): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
}

/** Options both the client Connection and the worker NativeConnection accept. */
export interface TemporalConnectionOptions { address: string; tls?: TLSConfig | boolean; apiKey?: string }

export function connectionOptions(config: Config): TemporalConnectionOptions {
  const tls = config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
    ? { clientCertPair: { crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH), key: readFileSync(config.TEMPORAL_TLS_KEY_PATH) } }
    : config.TEMPORAL_API_KEY ? true : undefined;
  return {
    address: temporalAddress(config),
    ...(tls ? { tls } : {}),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}

/** One line for a human when Temporal cannot be reached. */
export function unreachableMessage(address: string, err: unknown): string {
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return `cannot reach Temporal at ${address} (${reason}). Is the server running? Set TEMPORAL_ADDRESS, or unset it to let \`npm start\` run a local dev server.`;
}
