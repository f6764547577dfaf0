// Payload encryption end to end: a stack with KURIR_ENCRYPTION_KEY runs a message and an OTP;
// the raw history, read by a client WITHOUT the codec, holds no phone number, text or code,
// while clients with the key read results; the codec endpoint decodes for API-key holders only;
// rotation and unknown keys through the typed client.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { AesGcmCodec } from '../codec/aes-gcm-codec.js';
import { payloadToJson, type JsonPayload } from '../codec/payload-json.js';
import { Kurir } from '../client/index.js';
import { recipientHash } from '../lib/crypto/recipient-hash.js';
import { findTemporalBinary } from '../scripts/temporal.js';
import type { MessageResult } from '../workflows/types.js';
import { lastCodeSent } from './helpers/codes.js';
import { scriptedNumber, sameNumber, tail } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

const { History } = proto.temporal.api.history.v1;
const key = () => randomBytes(32).toString('base64');
const K1 = key();
const K2 = key();
const UI_ORIGIN = 'https://temporal-ui.example.com';
const auth = { authorization: 'Bearer dev-key' };

let stack: Stack;
let plain: Client;
before(async () => {
  stack = await startStack({ env: { KURIR_ENCRYPTION_KEY: `k1:${K1}`, CODEC_CORS_ORIGINS: UI_ORIGIN } });
  // Same server, no codec: sees exactly what Temporal stores.
  plain = new Client({ connection: stack.client.connection, namespace: stack.config.TEMPORAL_NAMESPACE });
});
after(async () => {
  await stack?.stop();
});

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

interface RawHistory {
  bytes: Buffer;
  json: Record<string, unknown>;
}
async function rawHistory(id: string): Promise<RawHistory> {
  const history = History.fromObject(await plain.workflow.getHandle(id).fetchHistory());
  return {
    bytes: Buffer.from(History.encode(history).finish()),
    json: History.toObject(history, { longs: String, enums: String, bytes: String }),
  };
}

/** Every payload of every Payloads message in the history (inputs, results, signals, updates, activity I/O), with where it is. */
function payloadsOf(
  node: unknown,
  path = '',
  out: Array<JsonPayload & { path: string }> = [],
): Array<JsonPayload & { path: string }> {
  if (Array.isArray(node)) node.forEach((n, i) => payloadsOf(n, `${path}[${i}]`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'payloads' && Array.isArray(v))
        out.push(...(v as JsonPayload[]).map((p, i) => ({ ...p, path: `${path}.payloads[${i}]` })));
      else payloadsOf(v, `${path}.${k}`, out);
    }
  }
  return out;
}
const meta = (p: JsonPayload, k: string) => Buffer.from(p.metadata?.[k] ?? '', 'base64').toString();

function assertAbsent(history: RawHistory, secrets: string[]) {
  const text = JSON.stringify(history.json);
  for (const s of secrets) {
    assert.equal(history.bytes.includes(s), false, `"${s}" is in the raw history bytes`);
    assert.equal(text.includes(s), false, `"${s}" is in the history JSON`);
  }
}

function assertAllEncrypted(history: RawHistory, atLeast: number) {
  // Marker bookkeeping (patch marker ids; local activity seq/attempt/type) is written by the SDK core,
  // outside codecs, and holds no application data; a local activity's result is encrypted like any other.
  const payloads = payloadsOf(history.json).filter(
    (p) => !/markerRecordedEventAttributes\.details\.(patch-data|data)\./.test(p.path),
  );
  assert.ok(payloads.length >= atLeast, `expected at least ${atLeast} payloads, found ${payloads.length}`);
  for (const p of payloads) {
    assert.equal(
      meta(p, 'encoding'),
      'binary/encrypted',
      `${p.path}: ${Buffer.from(p.data ?? '', 'base64').toString()}`,
    );
    assert.equal(meta(p, 'encryption-key-id'), 'k1');
  }
}

interface Failure {
  message?: string;
  stackTrace?: string;
  encodedAttributes?: JsonPayload;
}

const phoneForms = (to: string) => [to, to.replace('+', ''), tail(to)];
let messageId: string;
let messageTo: string;
let messageResult: MessageResult;

describe('payload encryption', () => {
  test('a message: history holds no phone number or text in plaintext; the codec client reads the result', async () => {
    const nonce = randomUUID().slice(0, 8);
    messageTo = scriptedNumber('601'); // WhatsApp: invalid number → the SMS step sends the text
    const text = `Parcel ${nonce} is on its way`;
    messageId = await stack.send({
      to: messageTo,
      reference: `order-${randomUUID().slice(0, 4)}`,
      steps: [
        { channel: 'whatsapp', provider: 'wappin', template: 'order_shipped', params: [`P-${nonce}`] },
        { channel: 'sms', provider: 'sms-masking', text },
      ],
    });
    messageResult = await within(
      stack.client.workflow.getHandle(messageId).result() as Promise<MessageResult>,
      60_000,
      'the message result',
    );
    assert.equal(messageResult.deliveredBy, 'sms-masking');
    assert.equal(messageResult.attempts[0]?.fallback?.reason, 'invalid_number');
    // The text really went out (so it passed through activities), decrypted, to the provider.
    assert.ok(
      stack.sandboxes
        .requests('sms-masking')
        .some((r) => r.recipient && sameNumber(r.recipient, messageTo) && r.content?.includes(nonce)),
    );

    const history = await rawHistory(messageId);
    assertAbsent(history, [...phoneForms(messageTo), text, nonce]);
    assertAllEncrypted(history, 6);
    // The WhatsApp send failed (invalid number): its failure message and stack are an encrypted
    // payload too, not text (failure messages live outside payloads unless encoded).
    const failures = (history.json.events as Array<{ activityTaskFailedEventAttributes?: { failure?: Failure } }>)
      .map((e) => e.activityTaskFailedEventAttributes?.failure)
      .filter((f): f is Failure => f !== undefined);
    assert.ok(failures.length >= 1, 'the invalid number failed an activity');
    for (const f of failures) {
      assert.equal(f.message, 'Encoded failure');
      assert.equal(f.stackTrace ?? '', '');
      assert.equal(meta(f.encodedAttributes!, 'encoding'), 'binary/encrypted');
    }
    // Search attributes are not encrypted by codecs: they carry the recipient's hash, never the number.
    const started = (
      history.json.events as Array<
        Record<string, { searchAttributes?: { indexedFields?: Record<string, JsonPayload> } }>
      >
    )[0]!;
    const fields = started.workflowExecutionStartedEventAttributes!.searchAttributes!.indexedFields!;
    assert.deepEqual(Object.keys(fields).sort(), ['KurirRecipientHash', 'KurirReference']);
    assert.equal(
      JSON.parse(Buffer.from(fields.KurirRecipientHash!.data!, 'base64').toString()),
      recipientHash(stack.config.RECIPIENT_HASH_KEY, messageTo),
    );
    // Reading the result without the key gives ciphertext, not the data.
    await assert.rejects(
      within(plain.workflow.getHandle(messageId).result(), 30_000, 'plain result'),
      /binary\/encrypted|encoding|converter/i,
    );
  });

  test('the check above can fail: a start from a client without the codec is plaintext, and still runs (decode passes it through)', async () => {
    const to = scriptedNumber();
    const id = `msg_plain_${randomUUID()}`;
    await plain.workflow.start('message', {
      workflowId: id,
      taskQueue: stack.taskQueue,
      args: [{ to, steps: [{ channel: 'sms', provider: 'sms-masking', text: 'plain start' }] }],
    });
    const result = await within(
      stack.client.workflow.getHandle(id).result() as Promise<MessageResult>,
      60_000,
      'the plain-started result',
    );
    assert.equal(result.deliveredBy, 'sms-masking');
    const history = await rawHistory(id);
    assert.equal(history.bytes.includes(to), true, 'the unencrypted input is visible in history');
    // What the worker wrote (activity I/O, result) is encrypted all the same.
    const encodings = payloadsOf(history.json).map((p) => meta(p, 'encoding'));
    assert.equal(encodings[0], 'json/plain');
    assert.equal(encodings.at(-1), 'binary/encrypted');
  });

  test('an OTP: history holds neither the phone number nor the code', async () => {
    const to = scriptedNumber();
    const res = await stack.api.inject({
      method: 'POST',
      url: '/v1/otp',
      headers: auth,
      payload: { to, strategy: ['sms'] },
    });
    assert.equal(res.statusCode, 202, res.body);
    const id = res.json<{ id: string }>().id;
    const code = await eventually(async () => lastCodeSent(stack.sandboxes, 'sms-masking', to), 30_000, 'the OTP code');
    const verdict = await stack.api.inject({
      method: 'POST',
      url: `/v1/otp/${id}/verify`,
      headers: auth,
      payload: { code },
    });
    assert.equal(verdict.json<{ status: string }>().status, 'approved');
    const state = await within(
      stack.client.workflow.getHandle(id).result() as Promise<{ status: string }>,
      30_000,
      'the OTP result',
    );
    assert.equal(state.status, 'approved');
    const history = await rawHistory(id);
    assertAbsent(history, [...phoneForms(to), code]);
    assertAllEncrypted(history, 4);
  });
});

describe('codec endpoint', () => {
  async function encryptedInput(): Promise<JsonPayload> {
    const history = await rawHistory(messageId);
    return payloadsOf(history.json)[0]!;
  }
  const decode = (payloads: JsonPayload[], headers: Record<string, string> = auth) =>
    stack.api.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { ...headers, 'x-namespace': stack.config.TEMPORAL_NAMESPACE },
      payload: { payloads },
    });

  test('POST /codec/decode with an API key returns the decrypted payload', async () => {
    const res = await decode([await encryptedInput()]);
    assert.equal(res.statusCode, 200, res.body);
    const [decoded] = res.json<{ payloads: JsonPayload[] }>().payloads;
    assert.equal(meta(decoded!, 'encoding'), 'json/plain');
    const input = JSON.parse(Buffer.from(decoded!.data!, 'base64').toString()) as { to: string };
    assert.equal(input.to, messageTo);
  });

  test('without or with a wrong API key: 401, nothing decoded', async () => {
    const payload = await encryptedInput();
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer not-a-key' },
      { authorization: `Basic ${Buffer.from('dev-key:').toString('base64')}` },
    ];
    for (const headers of attempts) {
      const res = await decode([payload], headers);
      assert.equal(res.statusCode, 401);
      assert.equal(res.body.includes(messageTo), false);
    }
  });

  test('encode then decode round-trips; unencrypted payloads pass; unknown key ids and bad base64 are refused clearly', async () => {
    const value: JsonPayload = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('{"to":"+6281200000000"}').toString('base64'),
    };
    const enc = await stack.api.inject({
      method: 'POST',
      url: '/codec/encode',
      headers: auth,
      payload: { payloads: [value] },
    });
    assert.equal(enc.statusCode, 200, enc.body);
    const [encrypted] = enc.json<{ payloads: JsonPayload[] }>().payloads;
    assert.equal(meta(encrypted!, 'encoding'), 'binary/encrypted');
    assert.equal(enc.body.includes(value.data!), false);
    const dec = await decode([encrypted!, value]);
    assert.deepEqual(dec.json<{ payloads: JsonPayload[] }>().payloads, [value, value]);

    const [foreign] = await AesGcmCodec.fromSpec(`k9:${key()}`).encode([
      { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{}') },
    ]);
    const unknown = await decode([payloadToJson(foreign!)]);
    assert.equal(unknown.statusCode, 422);
    assert.match(unknown.json<{ message: string }>().message, /key id "k9".*KURIR_ENCRYPTION_KEY/);
    const bad = await decode([{ metadata: {}, data: 'not base64!' }]);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<{ message: string }>().message, /payloads\.0\.data/);
  });

  test('CORS: the configured Temporal UI origin may call it (preflight included); other origins may not', async () => {
    const preflight = await stack.api.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], UI_ORIGIN);
    assert.match(String(preflight.headers['access-control-allow-headers']), /authorization.*content-type.*x-namespace/);
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);

    const ok = await decode([await encryptedInput()], { ...auth, origin: UI_ORIGIN });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['access-control-allow-origin'], UI_ORIGIN);
    const denied = await decode([await encryptedInput()], { origin: UI_ORIGIN });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers['access-control-allow-origin'], UI_ORIGIN, 'the UI can read the 401');

    const evil = await stack.api.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(evil.statusCode, 403);
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
    const evilPost = await decode([await encryptedInput()], { ...auth, origin: 'https://evil.example' });
    assert.equal(evilPost.headers['access-control-allow-origin'], undefined);
  });
});

describe('keys in the typed client', () => {
  const connect = (encryptionKey: string) =>
    Kurir.connect({
      address: stack.config.TEMPORAL_ADDRESS!,
      namespace: stack.config.TEMPORAL_NAMESPACE,
      taskQueue: stack.taskQueue,
      encryptionKey,
    });

  test('rotation: with a new key prepended, payloads encrypted with the old key still decode', async () => {
    const kurir = await connect(`k2:${K2},k1:${K1}`);
    try {
      assert.deepEqual(await within(kurir.message(messageId).result(), 30_000, 'the result'), messageResult);
    } finally {
      await kurir.close();
    }
  });

  test("a key ring without the payload's key id fails with a clear error", async () => {
    const kurir = await connect(`k2:${K2}`);
    try {
      await assert.rejects(
        within(kurir.message(messageId).result(), 30_000, 'the result'),
        /key id "k1", which KURIR_ENCRYPTION_KEY does not hold \(it has: k2\)/,
      );
    } finally {
      await kurir.close();
    }
  });
});

describe('the temporal CLI through the codec endpoint', () => {
  /** `temporal <args> --address … -o json`, parsed. */
  function cli<T>(...args: string[]): Promise<T> {
    const binary = findTemporalBinary();
    assert.ok(binary, 'the harness found a temporal binary');
    const full = [
      ...args,
      '--address',
      stack.config.TEMPORAL_ADDRESS!,
      '--namespace',
      stack.config.TEMPORAL_NAMESPACE,
      '-o',
      'json',
    ];
    return new Promise((resolve, reject) => {
      execFile(binary, full, { timeout: 120_000 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`temporal ${args.slice(0, 2).join(' ')} failed: ${stderr}${stdout}`));
        try {
          resolve(JSON.parse(stdout) as T);
        } catch {
          reject(new Error(`not JSON: ${stdout}`));
        }
      });
    });
  }
  const codec = () => ['--codec-endpoint', `${stack.apiUrl}/codec`, '--codec-auth', 'Bearer dev-key'];

  test('temporal workflow start/result/show with --codec-endpoint: encrypted in history, readable with the API key', async () => {
    const id = `msg-cli-enc-${randomUUID()}`;
    const to = scriptedNumber();
    const text = `cli ${randomUUID().slice(0, 8)} text`;
    // The CLI encrypts its input through POST /codec/encode, so even a start from outside kurir is ciphertext.
    await cli(
      'workflow',
      'start',
      '--type',
      'message',
      '--task-queue',
      stack.taskQueue,
      '--workflow-id',
      id,
      '--input',
      JSON.stringify({ to, steps: [{ channel: 'sms', provider: 'sms-masking', text }] }),
      ...codec(),
    );
    const out = await cli<{ status: string; result: MessageResult }>(
      'workflow',
      'result',
      '--workflow-id',
      id,
      ...codec(),
    );
    assert.equal(out.status, 'COMPLETED');
    assert.equal(out.result.deliveredBy, 'sms-masking');

    const history = await rawHistory(id);
    assertAbsent(history, [...phoneForms(to), text]);
    assertAllEncrypted(history, 4);
    // `workflow show` decodes the history through /codec/decode.
    const shown = JSON.stringify(await cli('workflow', 'show', '--workflow-id', id, ...codec()));
    const decodedInputs = [...shown.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) =>
      Buffer.from(m[1]!, 'base64').toString(),
    );
    assert.ok(
      decodedInputs.some((d) => d.includes(to) && d.includes(text)),
      'the decoded input holds the number and text',
    );
    // Without the codec endpoint the CLI shows ciphertext only.
    const raw = JSON.stringify(await cli('workflow', 'show', '--workflow-id', id));
    const rawData = [...raw.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)]
      .map((m) => Buffer.from(m[1]!, 'base64').toString())
      .join('\n');
    for (const s of [...phoneForms(to), text]) assert.equal(raw.includes(s) || rawData.includes(s), false, s);
  });
});
