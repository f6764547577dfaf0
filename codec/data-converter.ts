// The data converter every kurir Temporal client and worker uses: payload encryption when a key
// is configured (failure messages included), Temporal's defaults otherwise.
import type { DataConverter } from '@temporalio/common';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AesGcmCodec } from './aes-gcm-codec.js';

/** The module Temporal requires for the failure converter (a `.ts` file under tsx, `.js` when compiled). */
const FAILURE_CONVERTER_PATH = fileURLToPath(
  new URL(`./failure-converter${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/**
 * `{ payloadCodecs: [AES-GCM], failureConverterPath }` for a KURIR_ENCRYPTION_KEY value; undefined
 * when it is unset or empty. Activity failures (where provider errors land) are encoded by the
 * worker with this converter; the prebuilt workflow bundle keeps the default one, and workflow code
 * puts no number in its own failures.
 */
export function kurirDataConverter(encryptionKey: string | undefined): DataConverter | undefined {
  if (!encryptionKey?.trim()) return undefined;
  return { payloadCodecs: [AesGcmCodec.fromSpec(encryptionKey)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
