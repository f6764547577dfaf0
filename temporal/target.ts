// Where the server's processes (worker, API, CLI, tests) find Temporal, from configuration: a
// local dev server, a self-hosted cluster (mTLS) or Temporal Cloud (API key). The only file of
// temporal/ that reads configuration: connect.ts takes plain options so the SDK can use it.
import { readFileSync } from 'node:fs';
import type { Config } from '../config/index.js';
import type { TemporalTarget } from './connect.js';

export function temporalTarget(config: Config): TemporalTarget {
  const tls =
    config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
      ? {
          clientCertPair: {
            crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH),
            key: readFileSync(config.TEMPORAL_TLS_KEY_PATH),
          },
        }
      : undefined;
  return {
    address: config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(tls ? { tls } : {}),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
    ...(config.KURIR_ENCRYPTION_KEY ? { encryptionKey: config.KURIR_ENCRYPTION_KEY } : {}),
  };
}
