// The one way kurir opens a Temporal client: the worker, the API, the CLI and the published SDK
// all call createTemporalClient. It takes plain options (no server configuration), so the SDK can
// use it without loading anything of the server.
import { Client, Connection, type ConnectionOptions, type TLSConfig } from '@temporalio/client';
import { kurirDataConverter } from '../codec/data-converter.js';

export interface TemporalTarget {
  /** host:port of the Temporal frontend. */
  address: string;
  namespace: string;
  /** mTLS pair or `true` for server-verified TLS (Temporal Cloud with an API key). */
  tls?: TLSConfig | boolean;
  apiKey?: string;
  /** KURIR_ENCRYPTION_KEY spec (`k2:<base64>,k1:<base64>`): payloads are encrypted when set. */
  encryptionKey?: string;
}

export interface CreateClientOptions {
  /** Connect on first call instead of now (the API starts while Temporal is down and answers 503). */
  lazy?: boolean;
  connectTimeoutMs?: number;
  interceptors?: ConnectionOptions['interceptors'];
}

/** Options both the client Connection and the worker NativeConnection accept. */
export function connectionOptions(target: TemporalTarget): {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
} {
  const tls = target.tls ?? (target.apiKey ? true : undefined);
  return { address: target.address, ...(tls ? { tls } : {}), ...(target.apiKey ? { apiKey: target.apiKey } : {}) };
}

export async function createTemporalClient(target: TemporalTarget, options: CreateClientOptions = {}): Promise<Client> {
  // Parsed first: a bad key throws EncryptionKeyError before any connection is opened.
  const dataConverter = kurirDataConverter(target.encryptionKey);
  const connectionOpts: ConnectionOptions = {
    ...connectionOptions(target),
    ...(options.connectTimeoutMs ? { connectTimeout: options.connectTimeoutMs } : {}),
    ...(options.interceptors ? { interceptors: options.interceptors } : {}),
  };
  const connection = options.lazy ? Connection.lazy(connectionOpts) : await Connection.connect(connectionOpts);
  return new Client({ connection, namespace: target.namespace, ...(dataConverter ? { dataConverter } : {}) });
}

/** One line for a human when Temporal cannot be reached. */
export function unreachableMessage(address: string, err: unknown): string {
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return `cannot reach Temporal at ${address} (${reason}). Is the server running? Set TEMPORAL_ADDRESS, or unset it to let \`npm start\` run a local dev server.`;
}
