// EngageLab OTP adapter against its sandbox over real HTTP, with a node:http receiver for the signed callbacks.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  AuthenticationError,
  BadRequestError,
  InvalidNumberError,
  ProviderUnavailableError,
  RateLimitedError,
  SendRejectedError,
  type ProviderError,
} from '../errors.js';
import { readBody } from '../../sandboxes/kit.js';
import type { CallbackRequest, CanonicalStatus } from '../types.js';
import { startEngageLabSandbox, type EngageLabSandbox } from '../../sandboxes/engagelab.js';
import {
  ENGAGELAB_CALLBACK_ACK,
  engagelabCallbackEndpoints,
  signEngageLabCallback,
  verifyEngageLabSignature,
  type EngageLabStatusEvent,
} from './callbacks.js';
import { ENGAGELAB_SANDBOX_CREDENTIALS, EngageLabOtpClient, EngageLabProvider } from './client.js';
import {
  callbackEventSchema,
  ENGAGELAB_MESSAGE_STATUSES,
  sendCustomCodeRequestSchema,
  sendOtpRequestSchema,
  templateConfigSchema,
  verifyRequestSchema,
  type TemplateConfigInput,
} from './contract.js';
import { canonicalStatus, ENGAGELAB_ERROR_CODES, engageLabError } from './statuses.js';
import {
  resultSchema,
  sendResponseSchema,
  templateListResponseSchema,
  templateResponseSchema,
  verifyResponseSchema,
} from './contract.js';

/** No provider settings: the signature check's `setting` reader for a bare configuration. */
const noSettings = () => undefined;
const SECRET = 'test-callback-secret-123';
const USERNAME = 'kurir-test';
const endpoint = engagelabCallbackEndpoints[0]!;

interface Received {
  headers: IncomingHttpHeaders;
  body: unknown;
  raw: string;
}

let sandbox: EngageLabSandbox;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Message ids whose first callback the receiver answers 500 (to see EngageLab retry). */
const failOnce = new Set<string>();
let client: EngageLabOtpClient;
let provider: EngageLabProvider;

const opts = () => ({ baseUrl: sandbox.url, ...ENGAGELAB_SANDBOX_CREDENTIALS });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(fn: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function asCallbackRequest(r: Received): CallbackRequest {
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  return { method: 'POST', query: {}, headers, body: r.body, rawBody: r.raw };
}

/** Every callback received for a message, authenticated and parsed the way the API does it. */
function eventsFor(messageId: string): EngageLabStatusEvent[] {
  return received
    .filter((r) => (r.body as { message_id?: string }).message_id === messageId)
    .flatMap((r) => {
      const req = asCallbackRequest(r);
      assert.ok(
        endpoint.verifySignature!(req, SECRET, Date.now(), noSettings),
        'every sandbox callback carries a valid X-CALLBACK-ID',
      );
      const parsed = endpoint.parse(req);
      assert.equal(parsed.kind, 'status');
      return parsed.kind === 'status' ? parsed.events : [];
    });
}

const summary = (events: EngageLabStatusEvent[]) =>
  events.map((e) => `${e.channel ?? '?'}:${e.providerCode}:${e.status}`);

async function eventsUntil(messageId: string, count: number): Promise<EngageLabStatusEvent[]> {
  return waitFor(() => {
    const e = eventsFor(messageId);
    return e.length >= count ? e : undefined;
  }, `${count} callbacks for ${messageId}`);
}

async function codeOf(messageId: string): Promise<string> {
  const res = await fetch(`${sandbox.url}/__sandbox/codes?message_id=${messageId}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { code: string }).code;
}

async function rejects<E extends ProviderError>(
  p: Promise<unknown>,
  cls: new (...a: never[]) => E,
  check?: (e: E) => void,
): Promise<E> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof cls, `expected ${cls.name}, got ${String(caught)}`);
  check?.(caught);
  return caught;
}

const smsOnlyTemplate: TemplateConfigInput = {
  template_id: 'sms-only',
  send_channel_strategy: 'sms',
  verify_code_config: { verify_code_type: 1, verify_code_len: 6, verify_code_ttl: 3 },
  sms_config: { template_type: 1, template_default_config: { contain_security: false, contain_expire: false } },
};

before(async () => {
  receiver = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const body: unknown = JSON.parse(raw);
      const id = (body as { message_id?: string }).message_id ?? '';
      if (failOnce.delete(id)) {
        res.writeHead(500).end('{}');
        return;
      }
      received.push({ headers: req.headers, body, raw });
      res
        .writeHead(ENGAGELAB_CALLBACK_ACK.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(ENGAGELAB_CALLBACK_ACK.body));
    })();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks/engagelab`;
  sandbox = await startEngageLabSandbox({
    callbackUrl: receiverUrl,
    callbackSecret: SECRET,
    callbackUsername: USERNAME,
    callbackDelayMs: 15,
    callbackRetryDelayMs: 30,
    minuteMs: 2_000,
    slowResponseMs: 400,
    sendLimit: { perRecipient: 2, windowMs: 60_000 },
  });
  client = new EngageLabOtpClient(opts());
  provider = new EngageLabProvider(opts());
  await client.createTemplate(smsOnlyTemplate);
});

after(async () => {
  await sandbox.close();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
});

// ---------------------------------------------------------------- mapping tables

test('every documented message_status maps to its canonical status', () => {
  const expected: Record<string, CanonicalStatus> = {
    plan: 'queued',
    target_valid: 'queued',
    target_invalid: 'invalid_number',
    sent: 'sent',
    sent_failed: 'failed',
    delivered: 'delivered',
    delivered_failed: 'failed',
    verified: 'read',
    verified_failed: 'delivered',
    verified_timeout: 'expired',
  };
  assert.deepEqual([...ENGAGELAB_MESSAGE_STATUSES].sort(), Object.keys(expected).sort());
  for (const [s, want] of Object.entries(expected)) {
    assert.equal(canonicalStatus(s), want, s);
    const e = endpoint.parse({
      method: 'POST',
      query: {},
      headers: {},
      body: { message_id: '1', status: { message_status: s } },
    });
    assert.equal(e.kind === 'status' && e.events[0]?.status, want);
    assert.equal(e.kind === 'status' && e.events[0]?.providerCode, s, 'the original status stays in providerCode');
  }
  assert.equal(canonicalStatus('bogus'), undefined);
});

test('every documented error code builds the right named error', () => {
  const expected: Array<[number, new (...a: never[]) => ProviderError, string | undefined]> = [
    [1000, ProviderUnavailableError, undefined],
    [3004, RateLimitedError, undefined],
    [2001, AuthenticationError, undefined],
    [2002, AuthenticationError, undefined],
    [2004, AuthenticationError, undefined],
    [3001, BadRequestError, undefined],
    [3002, BadRequestError, undefined],
    [3003, BadRequestError, undefined],
    [4001, BadRequestError, 'template.id'],
    [5011, InvalidNumberError, 'to'],
    [5020, InvalidNumberError, 'to'],
    [5012, SendRejectedError, undefined],
    [5018, SendRejectedError, undefined],
    [5013, SendRejectedError, undefined],
    [5019, SendRejectedError, undefined],
    [5001, SendRejectedError, undefined],
    [9999, SendRejectedError, undefined],
  ];
  assert.deepEqual(
    Object.keys(ENGAGELAB_ERROR_CODES).map(Number).sort(),
    expected
      .map(([c]) => c)
      .filter((c) => c !== 9999)
      .sort(),
  );
  for (const [code, cls, field] of expected) {
    const err = engageLabError({
      operation: 'sendOtp',
      httpStatus: ENGAGELAB_ERROR_CODES[code]?.httpStatus ?? 400,
      body: { code, message: 'x' },
    });
    assert.ok(err instanceof cls, `${code} → ${cls.name}, got ${err.constructor.name}`);
    assert.equal(err.providerCode, String(code));
    assert.equal(err.field, field, `field of ${code}`);
    assert.match(err.message, new RegExp(`engagelab sendOtp answered \\d+ code ${code}`));
  }
  // The field an error message names, and what 4001 means per operation.
  assert.equal(
    engageLabError({
      operation: 'createTemplate',
      httpStatus: 400,
      body: { code: 3002, message: 'invalid verify_code_len' },
    }).field,
    'verify_code_config.verify_code_len',
  );
  assert.equal(
    engageLabError({ operation: 'verify', httpStatus: 400, body: { code: 4001, message: 'message not exist' } }).field,
    'message_id',
  );
  assert.equal(
    engageLabError({ operation: 'deleteTemplate', httpStatus: 400, body: { code: 4001, message: 'config not exist' } })
      .field,
    'template_id',
  );
  // Without an EngageLab code the HTTP status decides.
  assert.ok(
    engageLabError({ operation: 'sendOtp', httpStatus: 502, body: undefined }) instanceof ProviderUnavailableError,
  );
  assert.ok(engageLabError({ operation: 'sendOtp', httpStatus: 429, body: undefined }) instanceof RateLimitedError);
  assert.ok(engageLabError({ operation: 'sendOtp', httpStatus: 401, body: 'no' }) instanceof AuthenticationError);
});

// ---------------------------------------------------------------- documented samples

test('every documented sample body parses', () => {
  const createBody = {
    template_id: 'test-template-1',
    description: 'Test Template 1',
    send_channel_strategy: 'whatsapp|sms',
    brand_name: 'Brand Name',
    verify_code_config: { verify_code_type: 1, verify_code_len: 6, verify_code_ttl: 1 },
    whatsapp_config: { template_type: 1, template_default_config: { contain_security: false, contain_expire: false } },
    sms_config: {
      template_type: 2,
      template_default_config: { contain_security: false, contain_expire: false },
      template_custom_config: {
        custom_sub_type: 'authentication',
        custom_content: 'xxx',
        custom_country_codes: 'HK,PH',
      },
    },
    voice_config: { template_type: 1, template_default_config: { contain_security: false, contain_expire: false } },
    email_config: {
      template_name: 'Email Template Name',
      template_custom_configs: [
        {
          language: 'default',
          pre_from_name: 'test',
          pre_from_mail: 'test@test.com',
          pre_subject: 'test',
          template_content:
            'Konten template email preset, wajib diisi. Variabel kustom seperti {{self}}, kode verifikasi adalah {{code}}',
          pre_param_map: { self: 'Ini adalah nilai preset untuk variabel self' },
        },
      ],
    },
    pwa_config: { pwa_platform: 'xx', pwa_code: 'xx' },
  };
  assert.ok(templateConfigSchema.safeParse(createBody).success);
  assert.deepEqual(resultSchema.parse({ code: 0, message: 'success' }), { code: 0, message: 'success' });
  assert.equal(resultSchema.parse({ code: 3003, message: 'not contains any channel config' }).code, 3003);
  assert.equal(resultSchema.parse({ code: 4001, message: 'config not exist' }).code, 4001);
  const listItem = {
    template_id: 'test-template-1',
    description: 'Test Template 1',
    send_channel_strategy: 'whatsapp|sms',
    brand_name: 'Brand Name',
    verify_code_config: { verify_code_type: 1, verify_code_len: 6, verify_code_ttl: 1 },
    whatsapp_config: { template_type: 1 },
    sms_config: { template_type: 2, template_parts: 1 },
    voice_config: { template_type: 1 },
    email_config: { template_name: 'Email Template Name' },
    pwa_config: { pwa_platform: 'xx', pwa_code: 'xx' },
    created_time: 1234567890,
    status: 1,
    audit_remark: 'xx',
  };
  assert.equal(templateListResponseSchema.parse([listItem])[0]?.template_id, 'test-template-1');
  const detail = {
    ...listItem,
    sms_config: {
      template_type: 2,
      template_parts: 1,
      template_custom_config: { custom_sub_type: 'authentication', custom_content: 'xxx' },
    },
    email_config: {
      template_name: 'Email Template Name',
      template_custom_configs: createBody.email_config.template_custom_configs,
    },
  };
  assert.equal(templateResponseSchema.parse(detail).created_time, 1234567890);
  assert.ok(
    sendOtpRequestSchema.safeParse({
      to: '+6281234567890',
      template: { id: 'login-otp', language: 'default', params: { name: 'Ana' } },
    }).success,
  );
  assert.equal(
    sendResponseSchema.parse({ message_id: '1725407449772531712', send_channel: 'whatsapp' }).message_id,
    '1725407449772531712',
  );
  assert.ok(
    sendCustomCodeRequestSchema.safeParse({
      to: '+6281234567890',
      code: '384910',
      template: { id: 'login-otp', language: 'default' },
    }).success,
  );
  assert.equal(
    sendResponseSchema.parse({ message_id: '1725407449772531712', send_channel: 'sms' }).send_channel,
    'sms',
  );
  assert.ok(verifyRequestSchema.safeParse({ message_id: '1725407449772531712', verify_code: '384910' }).success);
  assert.equal(
    verifyResponseSchema.parse({ message_id: '1725407449772531712', verify_code: '384910', verified: true }).verified,
    true,
  );
  assert.deepEqual(
    engageLabError({ operation: 'sendOtp', httpStatus: 400, body: { code: 5011, message: 'invalid number' } })
      .constructor,
    InvalidNumberError,
  );

  const callback = {
    message_id: '1725407449772531712',
    to: '+6281234567890',
    server: 'otp',
    channel: 'whatsapp',
    itime: 1700000000,
    status: {
      message_status: 'delivered',
      status_data: { msg_time: 1700000003 },
      error_code: 0,
      error_detail: { message: '' },
    },
  };
  assert.ok(callbackEventSchema.safeParse(callback).success);
  const parsed = endpoint.parse({ method: 'POST', query: {}, headers: {}, body: callback });
  assert.equal(parsed.kind, 'status');
  const ev = parsed.kind === 'status' ? (parsed.events[0] as EngageLabStatusEvent) : undefined;
  assert.equal(ev?.providerMessageId, '1725407449772531712');
  assert.equal(ev?.status, 'delivered');
  assert.equal(ev?.occurredAt.toISOString(), new Date(1700000003_000).toISOString());
  assert.equal(ev?.channel, 'whatsapp');
  assert.deepEqual(ev?.raw, callback);
});

test('callback parsing is tolerant of extra fields and layouts, strict about the message id and status', () => {
  const parse = (body: unknown) => endpoint.parse({ method: 'POST', query: {}, headers: {}, body });
  const extra = parse({
    message_id: 42,
    extra: { deep: true },
    custom_args: {},
    status: { message_status: 'sent', new_field: 1 },
  });
  assert.equal(extra.kind === 'status' && extra.events[0]?.providerMessageId, '42');
  const flat = parse({ message_id: 'a', message_status: 'verified', itime: 1700000000 });
  assert.equal(flat.kind === 'status' && flat.events[0]?.status, 'read');
  const rows = parse({
    total: 2,
    rows: [
      { message_id: 'a', status: 'sent' },
      { message_id: 'b', status: { message_status: 'target_invalid', error_code: 5011 } },
    ],
  });
  assert.deepEqual(
    rows.kind === 'status' &&
      rows.events.map((e) => [e.providerMessageId, e.status, (e as EngageLabStatusEvent).errorCode]),
    [
      ['a', 'sent', undefined],
      ['b', 'invalid_number', 5011],
    ],
  );
  const fromRaw = endpoint.parse({
    method: 'POST',
    query: {},
    headers: {},
    body: undefined,
    rawBody: '{"message_id":"r","status":{"message_status":"plan"}}',
  });
  assert.equal(fromRaw.kind === 'status' && fromRaw.events[0]?.status, 'queued');
  for (const [body, field] of [
    [{ status: { message_status: 'sent' } }, 'message_id'],
    [{ message_id: '' }, 'message_id'],
    ['nope', 'body'],
    [[], 'body'],
  ] as const) {
    assert.throws(
      () => parse(body),
      (e: unknown) => e instanceof BadRequestError && e.field === field,
      JSON.stringify(body),
    );
  }
  // A callback that names its message is kept whatever its values: unmapped, with the raw value.
  for (const [body, raw] of [
    [{ message_id: '1' }, /message_status/],
    [{ message_id: '1', status: { message_status: 'teleported' } }, /^teleported$/],
    [{ message_id: '1', status: { message_status: 3 } }, /^3$/],
    [{ message_id: '1', message_status: 4 }, /^4$/],
  ] as const) {
    const p = parse(body);
    const e = p.kind === 'status' ? p.events[0] : undefined;
    assert.equal(e?.status, 'unmapped', JSON.stringify(body));
    assert.match(e?.rawStatus ?? '', raw);
  }
  assert.deepEqual(
    { path: endpoint.path, method: endpoint.method, auth: endpoint.auth, ack: endpoint.ack },
    { path: '/callbacks/engagelab', method: 'POST', auth: 'signature', ack: { status: 200, body: {} } },
  );
});

// ---------------------------------------------------------------- signature

test('X-CALLBACK-ID signatures: valid, wrong secret, tampered, stale, malformed', () => {
  const now = 1_700_000_000_000;
  const header = signEngageLabCallback(SECRET, USERNAME, now, 'n0nce');
  assert.match(header, /^timestamp=1700000000;nonce=n0nce;username=kurir-test;signature=[0-9a-f]{64}$/);
  assert.equal(verifyEngageLabSignature(header, SECRET, now), true);
  assert.equal(verifyEngageLabSignature(header, SECRET, now + 299_000), true);
  assert.equal(verifyEngageLabSignature(header, SECRET, now - 299_000), true);
  assert.equal(verifyEngageLabSignature(header, SECRET, now + 301_000), false, 'stale');
  assert.equal(
    verifyEngageLabSignature(header, SECRET, now + 100_000, { toleranceSec: 60 }),
    false,
    'custom tolerance',
  );
  assert.equal(verifyEngageLabSignature(header, SECRET, now, { username: 'kurir-test' }), true, 'the pinned username');
  assert.equal(verifyEngageLabSignature(header, SECRET, now, { username: 'another' }), false, 'another account');
  assert.equal(verifyEngageLabSignature(header, 'another-secret', now), false);
  assert.equal(verifyEngageLabSignature(header.replace('username=kurir-test', 'username=mallory'), SECRET, now), false);
  assert.equal(verifyEngageLabSignature(header.replace('nonce=n0nce', 'nonce=n0ncf'), SECRET, now), false);
  assert.equal(verifyEngageLabSignature(header.replace(/signature=\w+/, 'signature=00'), SECRET, now), false);
  assert.equal(verifyEngageLabSignature('garbage', SECRET, now), false);
  assert.equal(verifyEngageLabSignature(undefined, SECRET, now), false);
  assert.equal(verifyEngageLabSignature(header, '', now), false);
  // Spaces and a differently cased header name are fine.
  const spaced = header.split(';').join('; ');
  assert.equal(
    endpoint.verifySignature!(
      { method: 'POST', query: {}, headers: { 'X-Callback-Id': spaced }, body: {} },
      SECRET,
      now,
      noSettings,
    ),
    true,
  );
  assert.equal(
    endpoint.verifySignature!({ method: 'POST', query: {}, headers: {}, body: {} }, SECRET, now, noSettings),
    false,
  );
  const pinned = (key: string) => (key === 'ENGAGELAB_CALLBACK_USERNAME' ? 'another-account' : undefined);
  assert.equal(
    endpoint.verifySignature!(
      { method: 'POST', query: {}, headers: { 'X-Callback-Id': header }, body: {} },
      SECRET,
      now,
      pinned,
    ),
    false,
    'ENGAGELAB_CALLBACK_USERNAME pins the account',
  );
});

// ---------------------------------------------------------------- validation before HTTP

test('requests EngageLab would reject fail validation naming the field, with no HTTP call', async () => {
  const before = sandbox.requests.length;
  const tpl = (over: Partial<TemplateConfigInput> & Record<string, unknown>): TemplateConfigInput => ({
    template_id: 'v-1',
    send_channel_strategy: 'whatsapp|sms',
    verify_code_config: { verify_code_type: 1, verify_code_len: 6, verify_code_ttl: 5 },
    whatsapp_config: { template_type: 1, template_default_config: {} },
    sms_config: { template_type: 1, template_default_config: {} },
    ...over,
  });
  const vcc = (c: Record<string, number>) => ({
    verify_code_config: { verify_code_type: 1, verify_code_len: 6, verify_code_ttl: 5, ...c },
  });
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['verify_code_config.verify_code_len', () => client.createTemplate(tpl(vcc({ verify_code_len: 11 })))],
    ['verify_code_config.verify_code_len', () => client.createTemplate(tpl(vcc({ verify_code_len: 3 })))],
    ['verify_code_config.verify_code_type', () => client.createTemplate(tpl(vcc({ verify_code_type: 0 })))],
    ['verify_code_config.verify_code_type', () => client.createTemplate(tpl(vcc({ verify_code_type: 8 })))],
    ['verify_code_config.verify_code_ttl', () => client.createTemplate(tpl(vcc({ verify_code_ttl: 11 })))],
    ['verify_code_config.verify_code_ttl', () => client.createTemplate(tpl(vcc({ verify_code_ttl: 0 })))],
    ['verify_code_config.verify_code_ttl', () => client.createTemplate(tpl(vcc({ verify_code_ttl: 3 })))], // WhatsApp: 1, 5 or 10 only
    ['verify_code_config.verify_code_ttl', () => client.updateTemplate('v-1', tpl(vcc({ verify_code_ttl: 7 })))],
    ['verify_code_config', () => client.createTemplate(tpl({ verify_code_config: undefined }))],
    ['send_channel_strategy', () => client.createTemplate(tpl({ send_channel_strategy: 'whatsapp|fax' }))],
    ['send_channel_strategy', () => client.createTemplate(tpl({ send_channel_strategy: 'sms|sms' }))],
    ['whatsapp_config', () => client.createTemplate(tpl({ whatsapp_config: undefined }))],
    [
      'whatsapp_config.template_type',
      () => client.createTemplate(tpl({ whatsapp_config: { template_type: 2 as 1, template_default_config: {} } })),
    ],
    ['sms_config.template_custom_config', () => client.createTemplate(tpl({ sms_config: { template_type: 2 } }))],
    ['template_id', () => client.createTemplate(tpl({ template_id: 'x'.repeat(129) }))],
    ['description', () => client.createTemplate(tpl({ description: 'd'.repeat(256) }))],
    ['brand_name', () => client.createTemplate(tpl({ brand_name: 'B' }))],
    ['template_id', () => client.updateTemplate('other', tpl({}))],
    ['template_id', () => client.getTemplate('')],
    ['to', () => client.sendOtp({ to: 'not a number', template: { id: 'kurir-otp' } })],
    ['to', () => client.sendOtp({ to: 'bob@', template: { id: 'kurir-otp' } })],
    ['template.id', () => client.sendOtp({ to: '+6281234567890', template: { id: '' } })],
    [
      'template.params.name',
      () =>
        client.sendOtp({
          to: '+6281234567890',
          template: { id: 'kurir-otp', params: { name: 5 as unknown as string } },
        }),
    ],
    ['code', () => client.sendCustomCode({ to: '+6281234567890', code: '12', template: { id: 'kurir-otp' } })],
    ['code', () => client.sendCustomCode({ to: '+6281234567890', code: '12 34 56', template: { id: 'kurir-otp' } })],
    ['verify_code', () => client.verify({ message_id: '1', verify_code: '' })],
    ['message_id', () => client.verify({ message_id: ' ', verify_code: '123456' })],
    ['text', () => provider.send({ to: '+6281234567890', reference: 'r', text: 'hello' })],
    [
      'media',
      () => provider.send({ to: '+6281234567890', reference: 'r', media: { type: 'image', url: 'https://x/y.png' } }),
    ],
    [
      'smsFallback',
      () =>
        provider.send({
          to: '+6281234567890',
          reference: 'r',
          template: { name: 'kurir-otp', params: [] },
          smsFallback: { template: 't', params: [] },
        }),
    ],
    [
      'template.params',
      () =>
        provider.send({
          to: '+6281234567890',
          reference: 'r',
          template: { name: 'kurir-otp', params: ['a=1', 'a=2'] },
        }),
    ],
  ];
  for (const [field, call] of cases) {
    await rejects(call(), BadRequestError, (e) => {
      assert.equal(e.field, field, e.message);
      assert.ok(e.message.startsWith(`engagelab: ${field}:`), e.message);
    });
  }
  assert.equal(sandbox.requests.length, before, 'no request reached the sandbox');
});

test('wrong credentials map to AuthenticationError (2001) without leaking the secret', async () => {
  const bad = new EngageLabOtpClient({
    baseUrl: sandbox.url,
    devKey: ENGAGELAB_SANDBOX_CREDENTIALS.devKey,
    devSecret: 'wrong-secret-value',
  });
  await rejects(bad.sendOtp({ to: '+6281234567890', template: { id: 'kurir-otp' } }), AuthenticationError, (e) => {
    assert.equal(e.providerCode, '2001');
    assert.equal(e.httpStatus, 401);
    assert.ok(!e.message.includes('wrong-secret-value'));
  });
  await rejects(bad.listTemplates(), AuthenticationError);
  const last = sandbox.requests.at(-1);
  assert.equal(last?.status, 401);
});

// ---------------------------------------------------------------- templates

test('template CRUD over HTTP', async () => {
  const t: TemplateConfigInput = {
    template_id: 'crud-1',
    description: 'CRUD',
    send_channel_strategy: 'whatsapp',
    brand_name: 'Kurir',
    verify_code_config: { verify_code_type: 7, verify_code_len: 8, verify_code_ttl: 10 },
    whatsapp_config: { template_type: 1, template_default_config: { contain_security: true, contain_expire: true } },
  };
  assert.deepEqual(await client.createTemplate(t), { code: 0, message: 'success' });
  await rejects(client.createTemplate(t), BadRequestError, (e) => assert.equal(e.providerCode, '3003'));
  const got = await client.getTemplate('crud-1');
  assert.equal(got.send_channel_strategy, 'whatsapp');
  assert.equal(got.verify_code_config?.verify_code_len, 8);
  assert.equal(typeof got.created_time, 'number');
  const list = await client.listTemplates();
  assert.ok(list.some((x) => x.template_id === 'crud-1'));
  assert.ok(
    list.some((x) => x.template_id === 'kurir-otp'),
    'the sandbox starts with kurir-otp',
  );
  assert.equal(await client.updateTemplate('crud-1', { ...t, description: 'changed' }).then((r) => r.code), 0);
  assert.equal((await client.getTemplate('crud-1')).description, 'changed');
  assert.equal((await client.deleteTemplate('crud-1')).code, 0);
  await rejects(client.getTemplate('crud-1'), BadRequestError, (e) => {
    assert.equal(e.providerCode, '4001');
    assert.equal(e.field, 'template_id');
  });
  await rejects(client.deleteTemplate('crud-1'), BadRequestError, (e) => assert.equal(e.providerCode, '4001'));
  await rejects(client.updateTemplate('crud-1', t), BadRequestError, (e) => assert.equal(e.providerCode, '4001'));
});

test('the sandbox answers malformed requests with the documented codes', async () => {
  const auth = {
    authorization: `Basic ${Buffer.from(`${ENGAGELAB_SANDBOX_CREDENTIALS.devKey}:${ENGAGELAB_SANDBOX_CREDENTIALS.devSecret}`).toString('base64')}`,
    'content-type': 'application/json',
  };
  const call = async (path: string, body: string) => {
    const res = await fetch(`${sandbox.url}${path}`, { method: 'POST', headers: auth, body });
    return { status: res.status, body: (await res.json()) as { code: number; message: string } };
  };
  assert.deepEqual(await call('/v1/template-configs', '{not json'), {
    status: 400,
    body: { code: 3001, message: 'invalid request body, check the JSON format' },
  });
  assert.deepEqual(
    await call('/v1/template-configs', JSON.stringify({ template_id: 'x', send_channel_strategy: 'sms' })),
    { status: 400, body: { code: 3003, message: 'not contains any channel config' } },
  );
  const r = await call(
    '/v1/template-configs',
    JSON.stringify({
      ...smsOnlyTemplate,
      template_id: 'y',
      verify_code_config: { verify_code_type: 1, verify_code_len: 12, verify_code_ttl: 1 },
    }),
  );
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 3002);
  assert.match(r.body.message, /^verify_code_config\.verify_code_len: /);
  assert.equal(
    (await call('/v1/messages', JSON.stringify({ to: '+6281234567890', template: { id: 'missing' } }))).body.code,
    4001,
  );
  assert.equal(
    (await call('/v1/verifications', JSON.stringify({ message_id: 'nope', verify_code: '1234' }))).body.code,
    4001,
  );
  const noAuth = await fetch(`${sandbox.url}/v1/template-configs`);
  assert.equal(noAuth.status, 401);
  assert.equal(((await noAuth.json()) as { code: number }).code, 2001);
});

// ---------------------------------------------------------------- send, verify, callbacks

test('default number: plan → target_valid → sent → delivered, then verify (once) → verified = read', async () => {
  const to = '+6281234567800';
  const sent = await client.sendOtp({
    to,
    template: { id: 'kurir-otp', language: 'default', params: { name: 'Ana' } },
  });
  assert.match(sent.messageId, /^\d{19}$/);
  assert.equal(sent.sendChannel, 'whatsapp');
  assert.equal(sandbox.requests.filter((r) => r.recipient === to).length, 1);
  const events = await eventsUntil(sent.messageId, 4);
  assert.deepEqual(summary(events), [
    'whatsapp:plan:queued',
    'whatsapp:target_valid:queued',
    'whatsapp:sent:sent',
    'whatsapp:delivered:delivered',
  ]);
  assert.ok(
    events.every(
      (e) => e.provider === 'engagelab' && e.providerMessageId === sent.messageId && e.occurredAt instanceof Date,
    ),
  );

  const code = await codeOf(sent.messageId);
  assert.match(code, /^\d{6}$/);
  const wrong = code === '000000' ? '111111' : '000000';
  assert.deepEqual(await client.verify({ message_id: sent.messageId, verify_code: wrong }), {
    messageId: sent.messageId,
    verified: false,
  });
  assert.deepEqual(await client.verify({ message_id: sent.messageId, verify_code: code }), {
    messageId: sent.messageId,
    verified: true,
  });
  assert.equal(
    (await client.verify({ message_id: sent.messageId, verify_code: code })).verified,
    false,
    'a code verifies once',
  );
  const all = await eventsUntil(sent.messageId, 7);
  assert.deepEqual(summary(all.slice(4)), [
    'whatsapp:verified_failed:delivered',
    'whatsapp:verified:read',
    'whatsapp:verified_failed:delivered',
  ]);
  assert.ok(all.every((e) => (e.raw as { server?: string }).server === 'otp'));
});

test('sendCustomCode: our code is sent and verifies', async () => {
  const sent = await client.sendCustomCode({ to: '+6281234567811', code: 'Ab12Cd', template: { id: 'kurir-otp' } });
  assert.equal(await codeOf(sent.messageId), 'Ab12Cd');
  assert.equal(
    (await client.verify({ message_id: sent.messageId, verify_code: 'ab12cd' })).verified,
    false,
    'codes are case-sensitive',
  );
  assert.equal((await client.verify({ message_id: sent.messageId, verify_code: 'Ab12Cd' })).verified, true);
  assert.deepEqual(JSON.parse(sandbox.requests.filter((r) => r.path === '/v1/codes').at(-1)!.content), {
    to: '+6281234567811',
    code: 'Ab12Cd',
    template: { id: 'kurir-otp' },
  });
});

test('a code expires after the template TTL: verified_timeout = expired, verify answers false', async () => {
  await client.createTemplate({
    ...smsOnlyTemplate,
    template_id: 'ttl-1',
    verify_code_config: { verify_code_type: 6, verify_code_len: 10, verify_code_ttl: 1 },
  });
  const sent = await client.sendOtp({ to: '+6281234567822', template: { id: 'ttl-1' } });
  const code = await codeOf(sent.messageId);
  assert.match(code, /^[a-zA-Z]{10}$/, 'type 6 = lowercase + uppercase, length 10');
  const events = await waitFor(
    () => {
      const e = eventsFor(sent.messageId);
      return e.some((x) => x.providerCode === 'verified_timeout') ? e : undefined;
    },
    'verified_timeout',
    6_000,
  );
  assert.equal(events.at(-1)?.status, 'expired');
  assert.equal(events.at(-1)?.channel, 'sms');
  assert.equal((await client.verify({ message_id: sent.messageId, verify_code: code })).verified, false);
});

test('601 on WhatsApp falls back to SMS (reported in callbacks); 601 on an SMS-only template is InvalidNumberError', async () => {
  const to = '+62812345000601';
  const sent = await client.sendOtp({ to, template: { id: 'kurir-otp' } });
  assert.equal(sent.sendChannel, 'whatsapp');
  const events = await eventsUntil(sent.messageId, 5);
  assert.deepEqual(summary(events), [
    'whatsapp:plan:queued',
    'whatsapp:target_invalid:invalid_number',
    'sms:target_valid:queued',
    'sms:sent:sent',
    'sms:delivered:delivered',
  ]);
  assert.equal(events[1]?.errorCode, 5011);
  assert.equal(sandbox.message(sent.messageId)?.channel, 'sms');
  assert.equal(
    (await client.verify({ message_id: sent.messageId, verify_code: await codeOf(sent.messageId) })).verified,
    true,
  );
  assert.equal(summary(await eventsUntil(sent.messageId, 6))[5], 'sms:verified:read');

  const before = received.length;
  await rejects(client.sendOtp({ to: '+62812345601000', template: { id: 'sms-only' } }), InvalidNumberError, (e) => {
    assert.equal(e.providerCode, '5011');
    assert.equal(e.field, 'to');
  });
  // Both channels refuse: the send fails with the first channel's reason.
  await rejects(client.sendOtp({ to: '+62812345601601', template: { id: 'kurir-otp' } }), InvalidNumberError);
  await sleep(100);
  assert.equal(received.length, before, 'a refused send makes no callbacks');
});

test('602 is SendRejectedError (blacklisted), or a sent_failed leg before the fallback', async () => {
  await rejects(client.sendOtp({ to: '+62812345602000', template: { id: 'sms-only' } }), SendRejectedError, (e) =>
    assert.equal(e.providerCode, '5013'),
  );
  const sent = await client.sendOtp({ to: '+62812345000602', template: { id: 'kurir-otp' } });
  const events = await eventsUntil(sent.messageId, 6);
  assert.deepEqual(summary(events).slice(0, 4), [
    'whatsapp:plan:queued',
    'whatsapp:target_valid:queued',
    'whatsapp:sent_failed:failed',
    'sms:target_valid:queued',
  ]);
  assert.equal(events[2]?.errorCode, 5013);
});

test('603 fails later (sent_failed, then SMS); on an SMS-only template it just fails', async () => {
  const sms = await client.sendOtp({ to: '+62812345603000', template: { id: 'sms-only' } });
  assert.deepEqual(summary(await eventsUntil(sms.messageId, 3)), [
    'sms:plan:queued',
    'sms:target_valid:queued',
    'sms:sent_failed:failed',
  ]);
  const wa = await client.sendOtp({ to: '+62812345000603', template: { id: 'kurir-otp' } });
  assert.deepEqual(summary(await eventsUntil(wa.messageId, 6)).slice(2, 6), [
    'whatsapp:sent_failed:failed',
    'sms:target_valid:queued',
    'sms:sent:sent',
    'sms:delivered:delivered',
  ]);
});

test("a message send returns the template's strategy as legs, so a failed first leg is not the end", async () => {
  const sent = await provider.send({
    to: '+6281234567890',
    reference: 'r',
    template: { name: 'kurir-otp', params: [] },
  });
  assert.deepEqual(sent.legs, ['whatsapp', 'sms']);
});

test('both legs fail after acceptance: each leg reports its own failure, nothing after the last', async () => {
  for (const to of ['+62812345603603', '+62812345603602']) {
    const sent = await client.sendOtp({ to, template: { id: 'kurir-otp' } });
    assert.equal(sent.sendChannel, 'whatsapp');
    const events = await eventsUntil(sent.messageId, 5);
    await sleep(100); // nothing more arrives
    assert.deepEqual(summary(eventsFor(sent.messageId)), [
      'whatsapp:plan:queued',
      'whatsapp:target_valid:queued',
      'whatsapp:sent_failed:failed',
      'sms:target_valid:queued',
      'sms:sent_failed:failed',
    ]);
    assert.deepEqual(
      events.map((e) => e.errorCode),
      [undefined, undefined, to.endsWith('602') ? 5013 : 5012, undefined, 5012],
    );
  }
});

test('611/612: an unknown status name and a number are kept as unmapped on their leg', async () => {
  for (const [to, raw] of [
    ['+62812345000611', 'carrier_accepted'],
    ['+62812345000612', '2'],
  ] as const) {
    const sent = await client.sendOtp({ to, template: { id: 'kurir-otp' } });
    const events = await eventsUntil(sent.messageId, 5);
    assert.deepEqual(summary(events).slice(2), [
      'whatsapp:sent:sent',
      `whatsapp:${raw}:unmapped`,
      'whatsapp:delivered:delivered',
    ]);
    assert.equal(events[3]?.rawStatus, raw);
  }
});

test('604 is delivered and 605 only sent', async () => {
  const a = await client.sendOtp({ to: '+62812345000604', template: { id: 'kurir-otp' } });
  const b = await client.sendOtp({ to: '+62812345000605', template: { id: 'kurir-otp' } });
  assert.equal((await eventsUntil(a.messageId, 4)).at(-1)?.status, 'delivered');
  const bEvents = await eventsUntil(b.messageId, 3);
  await sleep(100);
  assert.deepEqual(summary(eventsFor(b.messageId)), [
    'whatsapp:plan:queued',
    'whatsapp:target_valid:queued',
    'whatsapp:sent:sent',
  ]);
  assert.equal(bEvents.length, 3);
});

test('606 sends no callbacks, but the sandbox state says what happened', async () => {
  const sent = await client.sendOtp({ to: '+62812345000606', template: { id: 'kurir-otp' } });
  const view = await waitFor(() => {
    const m = sandbox.message(sent.messageId);
    return m && m.events.length >= 4 ? m : undefined;
  }, '606 state');
  assert.deepEqual(
    view.events.map((e) => e.message_status),
    ['plan', 'target_valid', 'sent', 'delivered'],
  );
  const res = await fetch(`${sandbox.url}/__sandbox/messages?message_id=${sent.messageId}`);
  assert.equal(((await res.json()) as { events: unknown[] }).events.length, 4);
  assert.equal(
    (await client.verify({ message_id: sent.messageId, verify_code: await codeOf(sent.messageId) })).verified,
    true,
  );
  await waitFor(() => (sandbox.message(sent.messageId)?.events.length === 5 ? true : undefined), 'verified recorded');
  assert.equal(eventsFor(sent.messageId).length, 0);
});

test('607 answers 1000 (ProviderUnavailableError) once, then succeeds', async () => {
  const to = '+62812345000607';
  await rejects(client.sendOtp({ to, template: { id: 'kurir-otp' } }), ProviderUnavailableError, (e) => {
    assert.equal(e.providerCode, '1000');
    assert.equal(e.retryable, true);
  });
  const sent = await client.sendOtp({ to, template: { id: 'kurir-otp' } });
  assert.equal((await eventsUntil(sent.messageId, 4)).at(-1)?.status, 'delivered');
  assert.equal(sandbox.requests.filter((r) => r.recipient === to).length, 2);
});

test('608 duplicates callbacks in reverse order', async () => {
  const sent = await client.sendOtp({ to: '+62812345000608', template: { id: 'kurir-otp' } });
  const events = await eventsUntil(sent.messageId, 7);
  assert.deepEqual(summary(events), [
    'whatsapp:plan:queued',
    'whatsapp:delivered:delivered',
    'whatsapp:delivered:delivered',
    'whatsapp:sent:sent',
    'whatsapp:sent:sent',
    'whatsapp:target_valid:queued',
    'whatsapp:target_valid:queued',
  ]);
});

test('609 callbacks arrive before the send response', async () => {
  const sent = await client.sendOtp({ to: '+62812345000609', template: { id: 'kurir-otp' } });
  assert.equal(eventsFor(sent.messageId).length, 4, 'all callbacks were in before the answer');
});

test('610 is slow once (timeout → ProviderUnavailableError), then fine', async () => {
  const hasty = new EngageLabOtpClient({ ...opts(), timeoutMs: 150 });
  await rejects(
    hasty.sendOtp({ to: '+62812345000610', template: { id: 'kurir-otp' } }),
    ProviderUnavailableError,
    (e) => assert.match(e.message, /timed out/),
  );
  const sent = await hasty.sendOtp({ to: '+62812345000610', template: { id: 'kurir-otp' } });
  assert.match(sent.messageId, /^\d+$/);
});

test('3004 rate limit is RateLimitedError (retryable)', async () => {
  const to = '+6281234567833';
  await client.sendOtp({ to, template: { id: 'kurir-otp' } });
  await client.sendOtp({ to, template: { id: 'kurir-otp' } });
  await rejects(client.sendOtp({ to, template: { id: 'kurir-otp' } }), RateLimitedError, (e) => {
    assert.equal(e.providerCode, '3004');
    assert.equal(e.retryable, true);
  });
});

test('a callback answered non-2xx is retried', async () => {
  const sent = await client.sendOtp({ to: '+6281234567844', template: { id: 'kurir-otp' } });
  failOnce.add(sent.messageId); // the plan callback may already be out; whichever comes next is refused once
  const events = await eventsUntil(sent.messageId, 4);
  assert.deepEqual(
    events.map((e) => e.providerCode),
    ['plan', 'target_valid', 'sent', 'delivered'],
  );
  assert.equal(failOnce.has(sent.messageId), false, 'one callback was refused and delivered again');
});

test('EngageLabProvider.send: template name = template id, params become named params', async () => {
  const res = await provider.send({
    to: '081234567855',
    reference: 'wf-1/step-0',
    template: { name: 'kurir-otp', params: ['name=Ana', 'B-7'] },
  });
  assert.equal(res.status, 'accepted');
  assert.match(res.providerMessageId, /^\d{19}$/);
  assert.ok(res.acceptedAt instanceof Date);
  const req = sandbox.requests.at(-1)!;
  assert.equal(req.path, '/v1/messages');
  assert.equal(req.recipient, '+6281234567855');
  assert.deepEqual(JSON.parse(req.content), {
    to: '+6281234567855',
    template: { id: 'kurir-otp', language: 'default', params: { name: 'Ana', 2: 'B-7' } },
  });
  assert.deepEqual(provider.channels, ['whatsapp', 'sms']);
  assert.equal(provider.name, 'engagelab');
});
