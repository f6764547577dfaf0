// The data converter every kurir Temporal client and worker uses: payload encryption when a key
// is configured, Temporal's defaults otherwise.
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec.js';

/** `{ payloadCodecs: [AES-GCM] }` for a KURIR_ENCRYPTION_KEY value; undefined when it is unset or empty. */
export function kurirDataConverter(encryptionKey: string | undefined): DataConverter | undefined {
  if (!encryptionKey?.trim()) return undefined;
  return { payloadCodecs: [AesGcmCodec.fromSpec(encryptionKey)] };
}
