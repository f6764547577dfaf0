// The Wappin adapter over real HTTP against its sandbox (and a stub for the code table), with a
// tiny receiver standing in for our callback endpoint.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  AuthenticationError,
  BadRequestError,
  InvalidNumberError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  SendRejectedError,
} from '../errors.js';
import type { CallbackRequest, CanonicalStatus, InboundMessage, OutboundMessage, StatusEvent } from '../types.js';
import { parseWappinCallback, WAPPIN_CALLBACK_ACK, wappinCallbackEndpoints } from './callbacks.js';
import { WappinProvider } from './client.js';
import {
  callbackAckSchema,
  inquiryRequestSchema,
  inquiryResponseSchema,
  numberCheckRequestSchema,
  numberCheckResponseSchema,
  sendHsmRequestSchema,
  sendHsmSmsRequestSchema,
  sendMediaRequestSchema,
  sendResponseSchema,
  sendTextRequestSchema,
  tokenResponseSchema,
  WAPPIN_PATHS,
  WAPPIN_SAMPLES,
  WAPPIN_STATUS_CODES,
  wappinEnvelopeSchema,
} from './contract.js';
import {
  startWappinSandbox,
  WAPPIN_SANDBOX_CALLBACK_TOKEN,
  WAPPIN_SANDBOX_CREDENTIALS,
  type WappinSandbox,
} from '../../sandboxes/wappin.js';
import { canonicalStatus, WAPPIN_CODES, WAPPIN_STATUS_MAP, wappinError } from './statuses.js';
import { parseWappinDateTime } from './time.js';

// ---------- helpers ----------

interface Received {
  headers: IncomingHttpHeaders;
  body: Record<string, string>;
  at: number;
}

/** Our callback endpoint: records every POST and answers what `answer` says (default the ack). */
class Receiver {
  readonly received: Received[] = [];
  answer: (n: number) => unknown = () => WAPPIN_CALLBACK_ACK;
  url = '';
  private server?: Server;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>;
        this.received.push({ headers: req.headers, body, at: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.answer(this.received.length)));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callbacks/wappin`;
  }

  for(messageId: string): Received[] {
    return this.received.filter((r) => r.body.message_id === messageId);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Polls `check` until it is true or the deadline passes. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 15));
  }
  assert.fail(`timed out waiting for ${what}`);
}

let counter = Math.floor(Math.random() * 900);
/** +62 812 <3 unique digits> <sms code> <whatsapp code>, as the sandboxes read it. */
function num(whatsapp = '000', sms = '000'): string {
  counter = (counter + 1) % 1000;
  return `+62812${String(counter).padStart(3, '0')}${sms}${whatsapp}`;
}

const template = (to: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  to,
  reference: 'wf-1/0',
  template: { name: 'templ_uat_2', params: ['Anniv Grace', '2018-10-10 19:26:36'] },
  ...extra,
});

function asCallbackRequest(r: Received): CallbackRequest {
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  return { method: 'POST', query: {}, headers, body: r.body, rawBody: JSON.stringify(r.body) };
}

function statusEvents(rs: Received[]): StatusEvent[] {
  const endpoint = wappinCallbackEndpoints[0]!;
  return rs.flatMap((r) => {
    const parsed = endpoint.parse(asCallbackRequest(r));
    assert.equal(parsed.kind, 'status');
    return parsed.kind === 'status' ? parsed.events : [];
  });
}

async function rejects<E extends ProviderError>(
  p: Promise<unknown>,
  cls: new (...a: never[]) => E,
  check: (e: E) => void = () => undefined,
): Promise<E> {
  try {
    await p;
  } catch (err) {
    assert.ok(
      err instanceof cls,
      `expected ${cls.name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
    check(err);
    return err;
  }
  return assert.fail(`expected ${cls.name}, but it resolved`);
}

// ---------- shared sandbox ----------

const receiver = new Receiver();
let sandbox: WappinSandbox;
let wappin: WappinProvider;

before(async () => {
  await receiver.start();
  sandbox = await startWappinSandbox({
    callbackUrl: receiver.url,
    callbackDelayMs: 20,
    callbackRetryDelayMs: 10,
    slowResponseMs: 600,
  });
  wappin = new WappinProvider({ baseUrl: sandbox.url, ...WAPPIN_SANDBOX_CREDENTIALS });
});

after(async () => {
  await sandbox.close();
  await receiver.close();
});

// ---------- status codes ----------

describe('status and code tables', () => {
  test('every documented message status maps to its canonical status', () => {
    const expected: Record<string, CanonicalStatus> = {
      sent: 'sent',
      delivered: 'delivered',
      read: 'read',
      failed: 'failed',
    };
    assert.deepEqual(WAPPIN_STATUS_MAP, expected);
    for (const [s, c] of Object.entries(expected)) {
      assert.equal(canonicalStatus(s), c);
      assert.equal(canonicalStatus(` ${s.toUpperCase()} `), c);
    }
    assert.equal(canonicalStatus('teleported'), undefined);
  });

  test('every documented code is in the table with its canonical status', () => {
    assert.deepEqual(Object.keys(WAPPIN_CODES).sort(), [...WAPPIN_STATUS_CODES].sort());
    assert.equal(WAPPIN_CODES['200'].status, 'accepted');
    assert.equal(WAPPIN_CODES['601'].status, 'invalid_number');
    for (const code of ['400', '401', '404', '406', '407', '419', '605', '700'] as const)
      assert.equal(WAPPIN_CODES[code].status, 'failed', code);
  });

  // The code table over real HTTP: a stub Wappin answers each code, once with HTTP 200 and once
  // with the code as the HTTP status (where it is one).
  const table: Array<{
    code: string;
    error: new (...a: never[]) => ProviderError;
    field?: string;
    message: string;
    path?: string;
  }> = [
    { code: '400', error: BadRequestError, message: 'Error no input received' },
    { code: '400', error: BadRequestError, field: 'params', message: 'Message param count do not match' },
    { code: '400', error: BadRequestError, field: 'params_sms', message: 'params sms count do not match' },
    { code: '401', error: AuthenticationError, message: 'Invalid credential' },
    { code: '404', error: BadRequestError, field: 'type', message: 'API Notification Template not found or inactive' },
    { code: '404', error: BadRequestError, field: 'content', message: 'Content Template SMS not found' },
    { code: '404', error: BadRequestError, field: 'message_id', message: 'Data not Found', path: WAPPIN_PATHS.inquiry },
    { code: '406', error: AuthenticationError, message: 'Auth not recognize' },
    { code: '407', error: AuthenticationError, message: 'IP Address not allowed' },
    {
      code: '419',
      error: BadRequestError,
      field: 'project_id',
      message: 'Sorry, the API Send Message can only be used for projects with production status.',
      path: WAPPIN_PATHS.sendText,
    },
    { code: '601', error: InvalidNumberError, field: 'recipient_number', message: 'Contact invalid' },
    {
      code: '605',
      error: BadRequestError,
      field: 'media_type',
      message: 'Upload Media Failed',
      path: WAPPIN_PATHS.sendMedia,
    },
    { code: '700', error: ProviderUnavailableError, message: 'Error from vendor' },
  ];

  let stub: Server;
  let stubUrl = '';
  let answer = { httpStatus: 200, body: {} as unknown };
  const hits: string[] = [];
  before(async () => {
    stub = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits.push(req.url ?? '');
        const token = req.url === WAPPIN_PATHS.token;
        const r = token ? { httpStatus: 200, body: WAPPIN_SAMPLES.tokenResponse } : answer;
        res.writeHead(r.httpStatus, { 'content-type': 'application/json' });
        res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  });
  after(async () => {
    stub.closeAllConnections();
    await new Promise<void>((resolve) => stub.close(() => resolve()));
  });

  test('700 on a WhatsApp+SMS send is not retried: the WhatsApp leg may have gone out', async () => {
    answer = { httpStatus: 200, body: { message_id: null, status: '700', message: 'Error from vendor', data: null } };
    const client = new WappinProvider({ baseUrl: stubUrl, ...WAPPIN_SANDBOX_CREDENTIALS });
    const omni = { ...template('+6281234567000'), smsFallback: { template: 'sms_otp', params: ['1'] } };
    const err = await rejects(client.send(omni), SendRejectedError);
    assert.equal(err.retryable, false);
    assert.match(err.message, /WhatsApp leg may have gone out/);
    // A WhatsApp-only send that meets 700 stays retryable: nothing went out.
    await rejects(client.send(template('+6281234567000')), ProviderUnavailableError);
  });

  const callFor = (client: WappinProvider, path: string | undefined): Promise<unknown> => {
    switch (path) {
      case WAPPIN_PATHS.inquiry:
        return client.getStatus('5c33139c82f94');
      case WAPPIN_PATHS.sendText:
        return client.send({ to: '+6281234567000', reference: 'r', text: 'haihello' });
      case WAPPIN_PATHS.sendMedia:
        return client.send({
          to: '+6281234567000',
          reference: 'r',
          media: { type: 'image', url: 'https://x.test/a.jpg' },
        });
      default:
        return client.send(template('+6281234567000'));
    }
  };

  for (const httpMode of ['200', 'code'] as const) {
    for (const row of table) {
      test(`code ${row.code} "${row.message.slice(0, 30)}" (HTTP ${httpMode === '200' ? '200' : 'status = code'}) → ${row.error.name}${row.field ? ` on ${row.field}` : ''}`, async () => {
        const n = Number(row.code);
        answer = {
          httpStatus: httpMode === 'code' && n <= 599 ? n : 200,
          body: { message_id: '5d35544d05aaa', status: row.code, message: row.message, data: null },
        };
        hits.length = 0;
        const client = new WappinProvider({ baseUrl: stubUrl, ...WAPPIN_SANDBOX_CREDENTIALS });
        const err = await rejects(callFor(client, row.path), row.error);
        assert.equal(err.providerCode, row.code);
        assert.equal(err.provider, 'wappin');
        assert.equal(err.field, row.field);
        assert.match(err.message, new RegExp(`wappin .* answered ${row.code}`));
        // A 401 renews the token once and retries the call once; nothing else is retried here.
        const calls = hits.filter((h) => h !== WAPPIN_PATHS.token).length;
        assert.equal(calls, row.code === '401' ? 2 : 1);
        assert.equal(hits.filter((h) => h === WAPPIN_PATHS.token).length, row.code === '401' ? 2 : 1);
      });
    }
  }

  test('200 is accepted with the message id; number-checker 601 is an answer, not an error', async () => {
    const client = new WappinProvider({ baseUrl: stubUrl, ...WAPPIN_SANDBOX_CREDENTIALS });
    answer = { httpStatus: 200, body: WAPPIN_SAMPLES.hsmUatResponse };
    const sent = await client.send(template('+6283899825320'));
    assert.deepEqual(
      { id: sent.providerMessageId, status: sent.status, code: sent.providerCode },
      { id: '5d366a8d54dce', status: 'accepted', code: '200' },
    );
    answer = {
      httpStatus: 200,
      body: { message_id: '5c823ecf75562', status: '601', message: 'Phone Number Invalid', data: null },
    };
    assert.deepEqual(await client.checkNumber('+6282315658823'), { valid: false, providerCode: '601' });
  });

  test('answers without a Wappin code are classified by HTTP status; a body 200 on an HTTP error is an error', async () => {
    const client = new WappinProvider({ baseUrl: stubUrl, ...WAPPIN_SANDBOX_CREDENTIALS });
    answer = { httpStatus: 503, body: 'Service Unavailable' };
    await rejects(client.send(template('+6281234567000')), ProviderUnavailableError, (e) =>
      assert.equal(e.providerCode, '503'),
    );
    answer = { httpStatus: 429, body: 'Too Many Requests' };
    await rejects(client.send(template('+6281234567000')), RateLimitedError);
    answer = { httpStatus: 500, body: { status: '200', message: 'Success' } };
    await rejects(client.send(template('+6281234567000')), ProviderUnavailableError);
    answer = { httpStatus: 200, body: { status: 200, message: 'Success' } };
    await rejects(client.send(template('+6281234567000')), ProviderUnavailableError, (e) =>
      assert.match(e.message, /without a message_id/),
    );
  });

  test('a real network failure stays a retryable ProviderUnavailableError (not mistaken for a hidden 407)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new WappinProvider({ baseUrl: `http://127.0.0.1:${port}`, ...WAPPIN_SANDBOX_CREDENTIALS });
    await rejects(client.send(template('+6281234567000')), ProviderUnavailableError, (e) => {
      assert.match(e.message, /could not be reached/);
      assert.equal(e.retryable, true);
    });
  });

  test('wappinError names the provider, code and field', () => {
    const e = wappinError({
      operation: 'number-checker',
      code: '601',
      httpStatus: 200,
      message: 'Phone Number Invalid',
    });
    assert.ok(e instanceof InvalidNumberError);
    assert.equal(e.field, 'phone_number');
    assert.equal(e.message, 'wappin number-checker answered 601: Phone Number Invalid (field phone_number)');
    assert.equal(e.retryable, false);
    assert.equal(wappinError({ operation: 'send-hsm', code: '700', httpStatus: 200 }).retryable, true);
  });
});

// ---------- documented samples ----------

describe('document samples', () => {
  test('every request and response sample parses with its schema', () => {
    const S = WAPPIN_SAMPLES;
    const pairs: Array<[string, { safeParse(v: unknown): { success: boolean } }, unknown]> = [
      ['tokenResponse', tokenResponseSchema, S.tokenResponse],
      ['hsmUatRequest', sendHsmRequestSchema, S.hsmUatRequest],
      ['hsmProdRequest', sendHsmRequestSchema, S.hsmProdRequest],
      ['hsmSmsRequest', sendHsmSmsRequestSchema, S.hsmSmsRequest],
      ['textUatRequest', sendTextRequestSchema, S.textUatRequest],
      ['textProdRequest', sendTextRequestSchema, S.textProdRequest],
      ['mediaRequest', sendMediaRequestSchema, S.mediaRequest],
      ['inquiryRequest', inquiryRequestSchema, S.inquiryRequest],
      ['numberCheckRequest', numberCheckRequestSchema, S.numberCheckRequest],
      ['hsmUatResponse', sendResponseSchema, S.hsmUatResponse],
      ['hsmProdResponse', sendResponseSchema, S.hsmProdResponse],
      ['hsmSmsResponse', sendResponseSchema, S.hsmSmsResponse],
      ['textProdResponse', sendResponseSchema, S.textProdResponse],
      ['textUatResponse', wappinEnvelopeSchema, S.textUatResponse],
      ['mediaResponse', sendResponseSchema, S.mediaResponse],
      ['inquiryResponse', inquiryResponseSchema, S.inquiryResponse],
      ['numberCheckResponse', numberCheckResponseSchema, S.numberCheckResponse],
      ['callbackAck', callbackAckSchema, S.callbackAck],
    ];
    for (const [name, schema, sample] of pairs) assert.ok(schema.safeParse(sample).success, name);
    assert.deepEqual(WAPPIN_CALLBACK_ACK, S.callbackAck);
    // Extra fields are never rejected.
    assert.ok(sendResponseSchema.safeParse({ ...S.hsmProdResponse, brand_new: { x: 1 } }).success);
    // The token's expiry is read as WIB (UTC+7).
    assert.equal(parseWappinDateTime(S.tokenResponse.data.expired_datetime)?.toISOString(), '2019-07-20T09:21:51.000Z');
  });

  test('the status callback sample becomes a delivered event at its unix time', () => {
    const parsed = parseWappinCallback({ method: 'POST', query: {}, headers: {}, body: WAPPIN_SAMPLES.statusCallback });
    assert.equal(parsed.kind, 'status');
    if (parsed.kind !== 'status') return;
    const [e] = parsed.events;
    assert.deepEqual(
      { ...e, raw: undefined },
      {
        provider: 'wappin',
        providerMessageId: '5cdbe7774a059',
        status: 'delivered',
        occurredAt: new Date(1557915512_000),
        providerCode: 'delivered',
        raw: undefined,
      },
    );
    assert.equal(e?.raw, WAPPIN_SAMPLES.statusCallback);
  });

  test('the message callback sample becomes an inbound message', () => {
    const parsed = parseWappinCallback({
      method: 'POST',
      query: {},
      headers: {},
      body: WAPPIN_SAMPLES.messageCallback,
    });
    assert.equal(parsed.kind, 'inbound');
    if (parsed.kind !== 'inbound') return;
    const m: InboundMessage | undefined = parsed.messages[0];
    assert.equal(m?.providerMessageId, '5cdbe77d09ee7');
    assert.equal(m?.from, '+628989229471');
    assert.equal(m?.text, 'tesss');
    assert.equal(m?.type, 'text');
    assert.equal(m?.receivedAt.getTime(), 1557915516_000);
  });

  test('the table spellings (status_message, enviromtent), a raw JSON body and extra fields are accepted', () => {
    const { status_messages: _s, environment: _e, ...rest } = WAPPIN_SAMPLES.statusCallback;
    const body = { ...rest, status_message: 'read', enviromtent: 'PRODUCTION', something_new: [1, 2] };
    const parsed = parseWappinCallback({
      method: 'POST',
      query: {},
      headers: {},
      body: undefined,
      rawBody: JSON.stringify(body),
    });
    assert.equal(parsed.kind === 'status' && parsed.events[0]?.status, 'read');
  });

  test('unusable callbacks are refused naming the field', () => {
    const base = WAPPIN_SAMPLES.statusCallback;
    const cases: Array<[unknown, string]> = [
      [{ callback_type: 'status', status_messages: 'read' }, 'message_id'],
      [{ ...base, message_id: '' }, 'message_id'],
      [{ ...base, status_messages: '-' }, 'status_messages'],
      [{ ...base, callback_type: 'billing' }, 'callback_type'],
      [{ ...WAPPIN_SAMPLES.messageCallback, sender_number: '-' }, 'sender_number'],
      ['not json', 'body'],
      [[base], 'body'],
    ];
    for (const [body, field] of cases) {
      assert.throws(
        () => parseWappinCallback({ method: 'POST', query: {}, headers: {}, body }),
        (err: unknown) => {
          assert.ok(err instanceof BadRequestError, String(err));
          assert.equal(err.field, field);
          assert.match(err.message, new RegExp(`wappin callback: ${field}`));
          return true;
        },
      );
    }
  });

  test('the endpoint refuses only a callback that names no message: other odd values are kept as unmapped', () => {
    const base = WAPPIN_SAMPLES.statusCallback;
    const endpoint = wappinCallbackEndpoints[0]!;
    const parse = (req: Parameters<typeof endpoint.parse>[0]) => endpoint.parse(req);
    const receivedAt = new Date('2026-12-04T10:00:00Z');
    for (const [body, raw] of [
      [{ ...base, status_messages: 'teleported' }, 'teleported'],
      [{ ...base, status_messages: 7 }, /status_messages/],
    ] as const) {
      const parsed = parse({ method: 'POST', query: {}, headers: {}, body, receivedAt });
      assert.equal(parsed.kind, 'status');
      const [event] = parsed.kind === 'status' ? parsed.events : [];
      assert.equal(event?.status, 'unmapped');
      assert.equal(event?.providerMessageId, base.message_id);
      if (typeof raw === 'string') assert.equal(event?.rawStatus, raw);
      else assert.match(event?.rawStatus ?? '', raw);
    }
    // An unusable time loses nothing: the status stands, dated at receipt and marked imprecise.
    const late = parse({
      method: 'POST',
      query: {},
      headers: {},
      body: { ...base, timestamp: 'yesterday' },
      receivedAt,
    });
    const lateEvent = late.kind === 'status' ? late.events[0] : undefined;
    assert.deepEqual([lateEvent?.status, lateEvent?.precise, lateEvent?.occurredAt], ['delivered', false, receivedAt]);
    for (const body of [
      { callback_type: 'status', status_messages: 'read' },
      { ...base, message_id: '' },
    ])
      assert.throws(() => parse({ method: 'POST', query: {}, headers: {}, body }), BadRequestError);
    const chat = { ...WAPPIN_SAMPLES.messageCallback, sender_number: '-' };
    assert.throws(
      () => parse({ method: 'POST', query: {}, headers: {}, body: chat }),
      BadRequestError,
      'a chat has no status',
    );
  });

  test('the callback endpoint is POST /callbacks/wappin with bearer auth and the 000 ack', () => {
    assert.equal(wappinCallbackEndpoints.length, 1);
    const [ep] = wappinCallbackEndpoints;
    assert.deepEqual(
      { provider: ep?.provider, method: ep?.method, path: ep?.path, auth: ep?.auth, ack: ep?.ack },
      {
        provider: 'wappin',
        method: 'POST',
        path: '/callbacks/wappin',
        auth: 'bearer',
        ack: { status: 200, body: { status: '000' }, contentType: 'application/json' },
      },
    );
  });
});

// ---------- validation before any HTTP call ----------

describe('requests Wappin would refuse make no HTTP call', () => {
  const cases: Array<[string, OutboundMessage, string]> = [
    [
      'template name with a space',
      template('+6281234567000', { template: { name: 'order shipped', params: ['a'] } }),
      'type',
    ],
    [
      'empty template parameter',
      template('+6281234567000', { template: { name: 'templ_uat_2', params: ['a', ''] } }),
      'params.2',
    ],
    [
      'parameter over 1024 chars',
      template('+6281234567000', { template: { name: 'templ_uat_2', params: ['a', 'x'.repeat(1025)] } }),
      'params.2',
    ],
    ['empty SMS template name', template('+6281234567000', { smsFallback: { template: ' ', params: [] } }), 'content'],
    ['text over 4096 chars', { to: '+6281234567000', reference: 'r', text: 'x'.repeat(4097) }, 'message_content'],
    ['empty text', { to: '+6281234567000', reference: 'r', text: '' }, 'message_content'],
    [
      'caption on audio',
      { to: '+6281234567000', reference: 'r', media: { type: 'audio', url: 'https://x.test/a.mp3', caption: 'hi' } },
      'caption',
    ],
    [
      'gif image',
      { to: '+6281234567000', reference: 'r', media: { type: 'image', url: 'https://x.test/a.gif' } },
      'media',
    ],
    [
      'exe document by file name',
      {
        to: '+6281234567000',
        reference: 'r',
        media: { type: 'document', url: 'https://x.test/get?id=1', filename: 'a.exe' },
      },
      'media',
    ],
    [
      'link media',
      { to: '+6281234567000', reference: 'r', media: { type: 'link', url: 'https://x.test/' } },
      'media_type',
    ],
    [
      'smsFallback without a template',
      { to: '+6281234567000', reference: 'r', text: 'hi', smsFallback: { template: 's', params: [] } },
      'smsFallback',
    ],
    [
      'two bodies',
      { to: '+6281234567000', reference: 'r', text: 'hi', template: { name: 'templ_uat_2', params: [] } },
      'template',
    ],
    ['not a phone number', template('12'), 'to'],
  ];
  for (const [name, message, field] of cases) {
    test(`${name} → BadRequestError on ${field}`, async () => {
      sandbox.requests.length = 0;
      await rejects(wappin.send(message), BadRequestError, (e) => {
        assert.equal(e.field, field);
        assert.match(e.message, new RegExp(field.split('.')[0]!));
      });
      assert.deepEqual(sandbox.requests, []);
    });
  }

  test('the error names the limit', async () => {
    await rejects(wappin.send({ to: '+6281234567000', reference: 'r', text: 'x'.repeat(4097) }), BadRequestError, (e) =>
      assert.equal(e.message, 'wappin: message_content (text): must be at most 4096 characters'),
    );
  });
});

// ---------- auth and the token cache ----------

describe('auth', () => {
  test('a wrong secret key is an AuthenticationError that does not reveal the secret', async () => {
    const bad = new WappinProvider({
      baseUrl: sandbox.url,
      ...WAPPIN_SANDBOX_CREDENTIALS,
      secretKey: 'not-the-secret-1234',
    });
    const err = await rejects(bad.send(template(num())), AuthenticationError, (e) =>
      assert.equal(e.providerCode, '401'),
    );
    assert.doesNotMatch(err.message, /not-the-secret-1234/);
    assert.doesNotMatch(JSON.stringify(err), /not-the-secret-1234/);
  });

  test('a wrong client id is refused too, and the number checker needs auth as well', async () => {
    const bad = new WappinProvider({ baseUrl: sandbox.url, ...WAPPIN_SANDBOX_CREDENTIALS, clientId: '0001' });
    await rejects(bad.checkNumber(num()), AuthenticationError);
  });

  test('concurrent calls share one token request, and later calls reuse the token', async () => {
    const client = new WappinProvider({ baseUrl: sandbox.url, ...WAPPIN_SANDBOX_CREDENTIALS });
    sandbox.requests.length = 0;
    const results = await Promise.all(Array.from({ length: 5 }, () => client.send(template(num()))));
    assert.equal(new Set(results.map((r) => r.providerMessageId)).size, 5);
    await client.checkNumber(num());
    assert.equal(sandbox.requests.filter((r) => r.path === WAPPIN_PATHS.token).length, 1);
  });

  test('a 401 (token revoked) fetches a new token once and retries the call once', async () => {
    const client = new WappinProvider({ baseUrl: sandbox.url, ...WAPPIN_SANDBOX_CREDENTIALS });
    await client.send(template(num()));
    const issued = sandbox.tokensIssued();
    sandbox.revokeTokens();
    sandbox.requests.length = 0;
    const to = num();
    const sent = await client.send(template(to));
    assert.equal(sent.status, 'accepted');
    assert.deepEqual(
      sandbox.requests.map((r) => `${r.path} ${r.status}`),
      [`${WAPPIN_PATHS.sendHsm} 200`, `${WAPPIN_PATHS.token} 200`, `${WAPPIN_PATHS.sendHsm} 200`],
    );
    assert.equal(sandbox.tokensIssued(), issued + 1);
  });

  test('the token is renewed before it expires, and a "Token not expired" answer is used to its end', async () => {
    let offset = 0;
    const client = new WappinProvider({
      baseUrl: sandbox.url,
      ...WAPPIN_SANDBOX_CREDENTIALS,
      clock: () => Date.now() + offset,
    });
    sandbox.revokeTokens();
    sandbox.requests.length = 0;
    const tokenCalls = (): number => sandbox.requests.filter((r) => r.path === WAPPIN_PATHS.token).length;
    await client.checkNumber(num());
    await client.checkNumber(num());
    assert.equal(tokenCalls(), 1);
    // 4 minutes before expiry (inside the 5-minute margin): ask again.
    offset = 24 * 60 * 60 * 1000 - 4 * 60 * 1000;
    await client.checkNumber(num());
    assert.equal(tokenCalls(), 2);
    // Wappin answered with the same live token ("Token not expired"): no request per call.
    await client.checkNumber(num());
    await client.checkNumber(num());
    assert.equal(tokenCalls(), 2);
    // Past its expiry: ask again.
    offset = 24 * 60 * 60 * 1000 + 60 * 1000;
    await client.checkNumber(num());
    assert.equal(tokenCalls(), 3);
  });
});

// ---------- scripted outcomes, callbacks and inquiry ----------

describe('scripted outcomes over HTTP', () => {
  const progressions: Array<[string, string, CanonicalStatus[]]> = [
    ['000', 'sent → delivered → read', ['sent', 'delivered', 'read']],
    ['603', 'accepted then failed', ['failed']],
    ['604', 'delivered, never read', ['sent', 'delivered']],
    ['605', 'sent, never delivered', ['sent']],
  ];
  for (const [code, name, expected] of progressions) {
    test(`…${code}: ${name}; callbacks and inquiry agree`, async () => {
      const sent = await wappin.send(template(num(code)));
      assert.equal(sent.status, 'accepted');
      await waitFor('callbacks', () => receiver.for(sent.providerMessageId).length >= expected.length);
      const rs = receiver.for(sent.providerMessageId);
      for (const r of rs) {
        // The document's `Bearer [token]`: the integration's current access token, not a static secret.
        assert.match(r.headers.authorization ?? '', /^Bearer [0-9a-f]{64}$/);
        assert.equal(r.body.callback_type, 'status');
      }
      const events = statusEvents(rs);
      assert.deepEqual(
        events.map((e) => e.status),
        expected,
      );
      assert.ok(events.every((e) => e.providerMessageId === sent.providerMessageId && e.provider === 'wappin'));
      assert.ok(events.every((e) => Math.abs(e.occurredAt.getTime() - Date.now()) < 60_000));
      const polled = await wappin.getStatus(sent.providerMessageId);
      assert.deepEqual(
        polled.map((e) => e.status),
        expected,
      );
    });
  }

  test('…601: InvalidNumberError on recipient_number, no callbacks; the number checker says invalid', async () => {
    const to = num('601');
    await rejects(wappin.send(template(to)), InvalidNumberError, (e) => {
      assert.equal(e.providerCode, '601');
      assert.equal(e.field, 'recipient_number');
    });
    assert.deepEqual(await wappin.checkNumber(to), { valid: false, providerCode: '601' });
    const ok = await wappin.checkNumber(num('000'));
    assert.equal(ok.valid, true);
    assert.match(ok.normalized ?? '', /^\+62812\d{9}$/);
  });

  test('…602: a permanent refusal (non-retryable BadRequestError)', async () => {
    await rejects(wappin.send(template(num('602'))), BadRequestError, (e) => assert.equal(e.retryable, false));
  });

  test('…606: no callbacks, but the inquiry reports sent → delivered → read', async () => {
    const sent = await wappin.send(template(num('606')));
    let polled: StatusEvent[] = [];
    await waitFor('inquiry to reach read', async () => {
      polled = await wappin.getStatus(sent.providerMessageId);
      return polled.length === 3;
    });
    assert.deepEqual(
      polled.map((e) => e.status),
      ['sent', 'delivered', 'read'],
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(receiver.for(sent.providerMessageId).length, 0);
  });

  test('…607: the first send is a vendor 5xx (retryable), the retry succeeds', async () => {
    const to = num('607');
    sandbox.requests.length = 0;
    await rejects(wappin.send(template(to)), ProviderUnavailableError, (e) => {
      assert.equal(e.retryable, true);
      assert.equal(e.providerCode, '700');
    });
    const sent = await wappin.send(template(to));
    assert.equal(sent.status, 'accepted');
    assert.equal(
      sandbox.requests.filter((r) => r.path === WAPPIN_PATHS.sendHsm && r.recipient === to.slice(1)).length,
      2,
    );
  });

  test('…608: callbacks duplicated and reversed still parse to the same three statuses', async () => {
    const sent = await wappin.send(template(num('608')));
    await waitFor('six callbacks', () => receiver.for(sent.providerMessageId).length >= 6);
    const events = statusEvents(receiver.for(sent.providerMessageId));
    assert.deepEqual(
      events.map((e) => e.status),
      ['read', 'read', 'delivered', 'delivered', 'sent', 'sent'],
    );
    // A duplicate is the same event (same status, same provider timestamp), so it dedupes.
    assert.equal(new Set(events.map((e) => `${e.status}@${e.occurredAt.getTime()}`)).size, 3);
  });

  test('…609: every callback arrives before the send answer', async () => {
    const to = num('609');
    const started = Date.now();
    const sent = await wappin.send(template(to));
    const answeredAt = Date.now();
    const rs = receiver.for(sent.providerMessageId);
    assert.equal(rs.length, 3);
    assert.ok(rs.every((r) => r.at >= started && r.at <= answeredAt));
    assert.deepEqual(
      statusEvents(rs).map((e) => e.status),
      ['sent', 'delivered', 'read'],
    );
  });

  test('…610: the first send is too slow (timeout → ProviderUnavailableError), the retry succeeds', async () => {
    const client = new WappinProvider({ baseUrl: sandbox.url, ...WAPPIN_SANDBOX_CREDENTIALS, timeoutMs: 250 });
    const to = num('610');
    await rejects(client.send(template(to)), ProviderUnavailableError, (e) => assert.match(e.message, /timed out/));
    const sent = await client.send(template(to));
    assert.equal(sent.status, 'accepted');
  });

  test('omnichannel: an invalid WhatsApp number goes out as SMS (…601 on WA, SMS read); SMS failing reports failed', async () => {
    const sms = { template: 'templ_sms', params: ['Name', '8000181008192601'] };
    sandbox.requests.length = 0;
    const sent = await wappin.send(template(num('601', '000'), { smsFallback: sms }));
    const body = JSON.parse(sandbox.requests.find((r) => r.path === WAPPIN_PATHS.sendHsm)!.content) as Record<
      string,
      unknown
    >;
    assert.equal(body.channel, 'sms');
    assert.equal(body.content, 'templ_sms');
    assert.deepEqual(body.params_sms, { 1: 'Name', 2: '8000181008192601' });
    assert.deepEqual(body.params, { 1: 'Anniv Grace', 2: '2018-10-10 19:26:36' });
    await waitFor('SMS leg callbacks', () => receiver.for(sent.providerMessageId).length >= 3);
    assert.deepEqual(
      statusEvents(receiver.for(sent.providerMessageId)).map((e) => e.status),
      ['sent', 'delivered', 'read'],
    );
    const failed = await wappin.send(template(num('601', '601'), { smsFallback: sms }));
    await waitFor('failed callback', () => receiver.for(failed.providerMessageId).length >= 1);
    assert.deepEqual(
      statusEvents(receiver.for(failed.providerMessageId)).map((e) => e.status),
      ['failed'],
    );
  });

  test('the request carries the documented fields and international digits', async () => {
    sandbox.requests.length = 0;
    const to = num();
    await wappin.send(template(to));
    const body = JSON.parse(sandbox.requests.find((r) => r.path === WAPPIN_PATHS.sendHsm)!.content) as Record<
      string,
      unknown
    >;
    assert.deepEqual(body, {
      client_id: WAPPIN_SANDBOX_CREDENTIALS.clientId,
      project_id: WAPPIN_SANDBOX_CREDENTIALS.projectId,
      type: 'templ_uat_2',
      recipient_number: to.slice(1),
      params: { 1: 'Anniv Grace', 2: '2018-10-10 19:26:36' },
    });
    assert.equal(sandbox.requests.find((r) => r.path === WAPPIN_PATHS.sendHsm)?.recipient, to.slice(1));
  });

  test('text and media sends go to their endpoints and are tracked the same way', async () => {
    sandbox.requests.length = 0;
    const text = await wappin.send({ to: num(), reference: 'r', text: 'haihello' });
    const media = await wappin.send({
      to: num('604'),
      reference: 'r',
      media: { type: 'document', url: 'https://files.test/invoice.pdf', caption: 'Invoice' },
    });
    assert.deepEqual(
      sandbox.requests.filter((r) => r.path !== WAPPIN_PATHS.token).map((r) => r.path),
      [WAPPIN_PATHS.sendText, WAPPIN_PATHS.sendMedia],
    );
    const mediaBody = JSON.parse(sandbox.requests.find((r) => r.path === WAPPIN_PATHS.sendMedia)!.content) as Record<
      string,
      unknown
    >;
    assert.deepEqual(
      [mediaBody.media_type, mediaBody.media, mediaBody.caption],
      ['document', 'https://files.test/invoice.pdf', 'Invoice'],
    );
    await waitFor('text read', () => receiver.for(text.providerMessageId).length >= 3);
    await waitFor('media delivered', () => receiver.for(media.providerMessageId).length >= 2);
    assert.deepEqual(
      statusEvents(receiver.for(media.providerMessageId)).map((e) => e.status),
      ['sent', 'delivered'],
    );
  });

  test('sandbox template checks: wrong parameter count, unknown template, unknown SMS template', async () => {
    await rejects(
      wappin.send(template(num(), { template: { name: 'templ_uat_3', params: ['a'] } })),
      BadRequestError,
      (e) => {
        assert.equal(e.providerCode, '400');
        assert.equal(e.field, 'params');
      },
    );
    await rejects(
      wappin.send(template(num(), { template: { name: 'missing_template', params: [] } })),
      BadRequestError,
      (e) => assert.equal(e.field, 'type'),
    );
    await rejects(
      wappin.send(template(num(), { smsFallback: { template: 'missing_sms', params: [] } })),
      BadRequestError,
      (e) => assert.equal(e.field, 'content'),
    );
  });

  test('an unknown message id in the inquiry is a BadRequestError on message_id', async () => {
    await rejects(wappin.getStatus('doesnotexist1'), BadRequestError, (e) => {
      assert.equal(e.providerCode, '404');
      assert.equal(e.field, 'message_id');
    });
  });
});

// ---------- callback delivery and inbound ----------

describe('callback delivery', () => {
  test('an answer other than {"status":"000"} is retried three times', async () => {
    const r = new Receiver();
    await r.start();
    r.answer = () => ({ status: '500' });
    const sb = await startWappinSandbox({ callbackUrl: r.url, callbackDelayMs: 5, callbackRetryDelayMs: 5 });
    try {
      const record = await sb.emitInbound({ from: '+6281234567890', text: 'halo' });
      assert.equal(record.delivered, false);
      assert.equal(record.attempts, 4);
      assert.equal(r.received.length, 4);
      r.answer = (n) => (n >= 6 ? WAPPIN_CALLBACK_ACK : { status: '001' });
      const second = await sb.emitInbound({ from: '+6281234567890', text: 'halo lagi' });
      assert.equal(second.delivered, true);
      assert.equal(second.attempts, 2);
    } finally {
      await sb.close();
      await r.close();
    }
  });

  test('a message callback from the sandbox parses to an inbound message', async () => {
    const record = await sandbox.emitInbound({ from: '+6281234567890', text: 'halo kak' });
    assert.equal(record.delivered, true);
    const [r] = receiver.for(record.body.message_id!);
    assert.ok(r);
    assert.match(r.headers.authorization ?? '', /^Bearer [0-9a-f]{64}$/);
    assert.notEqual(r.headers.authorization, `Bearer ${WAPPIN_SANDBOX_CALLBACK_TOKEN}`);
    const parsed = wappinCallbackEndpoints[0]!.parse(asCallbackRequest(r));
    assert.equal(parsed.kind, 'inbound');
    if (parsed.kind !== 'inbound') return;
    assert.deepEqual(
      [parsed.messages[0]?.from, parsed.messages[0]?.text, parsed.messages[0]?.providerMessageId],
      ['+6281234567890', 'halo kak', record.body.message_id],
    );
  });
});

// ---------- sandbox surface ----------

describe('sandbox contract', () => {
  const raw = async (
    path: string,
    body: unknown,
    authorization?: string,
  ): Promise<{ http: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
    return { http: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  test('token: Basic auth required (406), wrong credentials 401, right ones a token with expiry', async () => {
    assert.equal((await raw(WAPPIN_PATHS.token, {})).json.status, '406');
    const wrong = Buffer.from(`${WAPPIN_SANDBOX_CREDENTIALS.clientId}:nope`).toString('base64');
    assert.equal((await raw(WAPPIN_PATHS.token, {}, `Basic ${wrong}`)).json.status, '401');
    const right = Buffer.from(
      `${WAPPIN_SANDBOX_CREDENTIALS.clientId}:${WAPPIN_SANDBOX_CREDENTIALS.secretKey}`,
    ).toString('base64');
    const ok = await raw(WAPPIN_PATHS.token, {}, `Basic ${right}`);
    const parsed = tokenResponseSchema.parse(ok.json);
    const expires = parseWappinDateTime(parsed.data.expired_datetime ?? '');
    // An earlier test may have been issued this token (Wappin answers "Token not expired" with it): a minute's slack.
    assert.ok(expires && Math.abs(expires.getTime() - (Date.now() + 24 * 3600_000)) < 60_000, 'expires in 24 h (WIB)');
    assert.equal((await raw(WAPPIN_PATHS.sendHsm, {}, 'Bearer not-a-token')).json.status, '401');
    assert.equal((await raw(WAPPIN_PATHS.sendHsm, {}, `Bearer ${parsed.data.access_token}`)).json.status, '400');
    const ids = await raw(
      WAPPIN_PATHS.sendHsm,
      { ...WAPPIN_SAMPLES.hsmUatRequest, client_id: '0003' },
      `Bearer ${parsed.data.access_token}`,
    );
    assert.deepEqual(
      [ids.http, ids.json.status, ids.json.message],
      [200, '400', 'Project ID or Client ID cannot be process.'],
    );
  });

  test('httpStatusIsCode mirrors the code in the HTTP status, and the client reads both the same way', async () => {
    const sb = await startWappinSandbox({ httpStatusIsCode: true, production: false });
    try {
      const client = new WappinProvider({ baseUrl: sb.url, ...WAPPIN_SANDBOX_CREDENTIALS });
      await rejects(client.send({ to: num(), reference: 'r', text: 'hi' }), BadRequestError, (e) => {
        assert.equal(e.providerCode, '419');
        assert.equal(e.httpStatus, 419);
        assert.equal(e.field, 'project_id');
      });
      await rejects(client.send(template(num('601'))), InvalidNumberError, (e) => assert.equal(e.httpStatus, 200));
      const bad = new WappinProvider({ baseUrl: sb.url, ...WAPPIN_SANDBOX_CREDENTIALS, secretKey: 'x' });
      await rejects(bad.send(template(num())), AuthenticationError, (e) => assert.equal(e.httpStatus, 401));
      assert.equal((await client.send(template(num()))).status, 'accepted');
    } finally {
      await sb.close();
    }
  });
});
