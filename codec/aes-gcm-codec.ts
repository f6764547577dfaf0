// A Temporal PayloadCodec that encrypts every payload (workflow input and results, activity
// arguments and results, signals, queries, updates, memos) with AES-256-GCM, so phone numbers
// and texts are ciphertext in Temporal's history. It runs in clients and in the worker's main
// thread, never inside the workflow sandbox.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { parseKeyring, type Keyring } from './keys.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// @temporalio/proto is CommonJS: its namespace comes through the default export under ESM.
const ProtoPayload = proto.temporal.api.common.v1.Payload;

/** A payload names a key id that KURIR_ENCRYPTION_KEY does not hold (a rotated-out key?). */
export class UnknownEncryptionKeyError extends Error {
  constructor(
    readonly keyId: string,
    known: string[],
  ) {
    super(
      `payload is encrypted with key id "${keyId}", which KURIR_ENCRYPTION_KEY does not hold (it has: ${known.join(', ')}); add that key back (after the current one) to read it`,
    );
    this.name = 'UnknownEncryptionKeyError';
  }
}

/** An encrypted payload that is malformed or fails GCM authentication (wrong key for its id, or altered). */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING;
}

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  /** From a KURIR_ENCRYPTION_KEY value; throws EncryptionKeyError naming what is wrong. */
  static fromSpec(spec: string): AesGcmCodec {
    return new AesGcmCodec(parseKeyring(spec));
  }

  get currentKeyId(): string {
    return this.keyring.currentId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  /** Payloads that are not encrypted (histories from before encryption) pass through as they are. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => (isEncrypted(p) ? this.decrypt(p) : p));
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.keyring.currentId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyring.current, iv);
    // The key id is authenticated data: a payload cannot be relabelled to another key.
    cipher.setAAD(Buffer.from(keyId));
    const body = Buffer.concat([cipher.update(ProtoPayload.encode(payload).finish()), cipher.final()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(keyId) },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new PayloadDecryptionError(`encrypted payload has no "${KEY_ID_METADATA}" metadata`);
    const key = this.keyring.keys.get(keyId);
    if (!key) throw new UnknownEncryptionKeyError(keyId, [...this.keyring.keys.keys()]);
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`encrypted payload (key "${keyId}") is too short`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `encrypted payload failed authentication with key "${keyId}" (a different key under that id, or altered data)`,
      );
    }
    return ProtoPayload.decode(plain);
  }
}
