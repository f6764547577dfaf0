// The AES-256-GCM payload codec and its key ring, without Temporal: round trips, pass-through of
// unencrypted payloads, rotation, unknown and wrong keys, tampering, and configuration errors.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ConfigError, loadConfig } from '../config/index.js';
import { AesGcmCodec, PayloadDecryptionError, UnknownEncryptionKeyError } from './aes-gcm-codec.js';
import { kurirDataConverter } from './data-converter.js';
import { EncryptionKeyError, parseKeyring } from './keys.js';
import { payloadFromJson, payloadToJson } from './payload-json.js';

const newKey = () => randomBytes(32).toString('base64');
const K1 = newKey();
const K2 = newKey();
const str = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const input = { to: '+6281234567890', steps: [{ channel: 'sms', provider: 'sms-masking', text: 'Order A-1 shipped' }] };
const plain = (): Payload => defaultPayloadConverter.toPayload(input);

describe('AesGcmCodec', () => {
  test('encrypts a payload under the current key id and decrypts it back to the same payload', async () => {
    const codec = AesGcmCodec.fromSpec(`k1:${K1}`);
    const [encrypted] = await codec.encode([plain()]);
    assert.equal(str(encrypted!.metadata!.encoding), 'binary/encrypted');
    assert.equal(str(encrypted!.metadata!['encryption-key-id']), 'k1');
    assert.deepEqual(Object.keys(encrypted!.metadata!).sort(), ['encoding', 'encryption-key-id']);
    const bytes = Buffer.from(encrypted!.data!);
    for (const secret of ['+6281234567890', '6281234567890', 'Order A-1 shipped', 'json/plain'])
      assert.equal(bytes.includes(secret), false, secret);
    const [decoded] = await codec.decode([encrypted!]);
    assert.equal(str(decoded!.metadata!.encoding), 'json/plain');
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), input);
  });

  test('a fresh IV per payload: the same value encrypts differently every time', async () => {
    const codec = AesGcmCodec.fromSpec(`k1:${K1}`);
    const [a, b] = await codec.encode([plain(), plain()]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
    assert.notDeepEqual(Buffer.from(a!.data!).subarray(0, 12), Buffer.from(b!.data!).subarray(0, 12));
  });

  test('unencrypted payloads (histories from before encryption) pass through decode untouched', async () => {
    const codec = AesGcmCodec.fromSpec(`k1:${K1}`);
    const before = plain();
    const empty: Payload = { metadata: { encoding: Buffer.from('binary/null') } };
    const [a, b] = await codec.decode([before, empty]);
    assert.equal(a, before);
    assert.equal(b, empty);
  });

  test('rotation: after a new key is prepended, new payloads use it and old ones still decrypt', async () => {
    const old = AesGcmCodec.fromSpec(`k1:${K1}`);
    const rotated = AesGcmCodec.fromSpec(`k2:${K2},k1:${K1}`);
    assert.equal(rotated.currentKeyId, 'k2');
    const [fromOld] = await old.encode([plain()]);
    const [fromNew] = await rotated.encode([plain()]);
    assert.equal(str(fromNew!.metadata!['encryption-key-id']), 'k2');
    const decoded = await rotated.decode([fromOld!, fromNew!]);
    assert.deepEqual(
      decoded.map((p) => defaultPayloadConverter.fromPayload(p)),
      [input, input],
    );
    // A codec that was never given k2 cannot read it, and says which key is missing.
    await assert.rejects(
      old.decode([fromNew!]),
      (err: unknown) =>
        err instanceof UnknownEncryptionKeyError &&
        err.keyId === 'k2' &&
        /key id "k2".*KURIR_ENCRYPTION_KEY.*k1/.test(err.message),
    );
  });

  test('a different key under the same id, altered data or a relabelled key id fail authentication', async () => {
    const codec = AesGcmCodec.fromSpec(`k1:${K1},k2:${K2}`);
    const [encrypted] = await codec.encode([plain()]);
    await assert.rejects(AesGcmCodec.fromSpec(`k1:${K2}`).decode([encrypted!]), PayloadDecryptionError);
    const altered = Buffer.from(encrypted!.data!);
    altered[20] = altered[20]! ^ 1;
    await assert.rejects(codec.decode([{ ...encrypted!, data: altered }]), /failed authentication with key "k1"/);
    // The key id is authenticated data: pointing the payload at k2 does not decrypt it with k2.
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, 'encryption-key-id': Buffer.from('k2') } };
    await assert.rejects(codec.decode([relabelled]), PayloadDecryptionError);
    await assert.rejects(
      codec.decode([{ metadata: { encoding: Buffer.from('binary/encrypted') }, data: encrypted!.data! }]),
      /no "encryption-key-id"/,
    );
    await assert.rejects(codec.decode([{ ...encrypted!, data: Buffer.alloc(10) }]), /too short/);
  });

  test('payloads survive the codec server JSON form (base64 metadata and data)', async () => {
    const codec = AesGcmCodec.fromSpec(`k1:${K1}`);
    const [encrypted] = await codec.encode([plain()]);
    const json = JSON.parse(JSON.stringify(payloadToJson(encrypted!))) as ReturnType<typeof payloadToJson>;
    assert.equal(Buffer.from(json.metadata!.encoding!, 'base64').toString(), 'binary/encrypted');
    const [decoded] = await codec.decode([payloadFromJson(json)]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), input);
  });
});

describe('KURIR_ENCRYPTION_KEY', () => {
  test('parses several keys; the first encrypts', () => {
    const ring = parseKeyring(` k2:${K2} , k1:${K1} `);
    assert.equal(ring.currentId, 'k2');
    assert.deepEqual([...ring.keys.keys()], ['k2', 'k1']);
    assert.equal(ring.keys.get('k1')!.length, 32);
    // base64url (no padding) works too.
    assert.equal(
      parseKeyring(`k1:${Buffer.from(K1, 'base64').toString('base64url')}`).current.equals(Buffer.from(K1, 'base64')),
      true,
    );
  });

  test('bad values are refused with a message that names the problem and never shows the key', () => {
    const short = randomBytes(16).toString('base64');
    const cases: Array<[string, RegExp]> = [
      ['', /no key given/],
      [K1, /entry 1 has no key id/],
      [`bad id:${K1}`, /entry 1: key id must be/],
      [`k1:${K1},k1:${K2}`, /entry 2: key id "k1" appears twice/],
      [`k1:${short}`, /key "k1" must be base64 of exactly 32 random bytes \(AES-256\), got 16 bytes/],
      [`k1:not*base64!`, /key "k1" must be base64 of exactly 32/],
    ];
    for (const [spec, message] of cases) {
      assert.throws(
        () => parseKeyring(spec),
        (err: unknown) =>
          err instanceof EncryptionKeyError &&
          message.test(err.message) &&
          !err.message.includes(K1) &&
          !err.message.includes(short),
        spec,
      );
    }
  });

  test('config refuses a bad key at start, naming the variable without its value', () => {
    const short = randomBytes(16).toString('base64');
    assert.throws(
      () => loadConfig({ KURIR_ENCRYPTION_KEY: `k1:${short}` }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /KURIR_ENCRYPTION_KEY: key "k1" must be base64 of exactly 32/.test(err.message) &&
        !err.message.includes(short),
    );
    assert.equal(loadConfig({ KURIR_ENCRYPTION_KEY: `k2:${K2},k1:${K1}` }).KURIR_ENCRYPTION_KEY, `k2:${K2},k1:${K1}`);
    assert.equal(loadConfig({ KURIR_ENCRYPTION_KEY: '' }).KURIR_ENCRYPTION_KEY, undefined);
  });

  test('the data converter is on exactly when a key is set', () => {
    assert.equal(kurirDataConverter(undefined), undefined);
    assert.equal(kurirDataConverter('  '), undefined);
    const converter = kurirDataConverter(`k1:${K1}`);
    assert.ok(converter?.payloadCodecs?.[0] instanceof AesGcmCodec);
    assert.throws(() => kurirDataConverter('k1:short'), EncryptionKeyError);
  });
});
