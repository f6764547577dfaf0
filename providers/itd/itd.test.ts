// ITD adapter tests: mapping tables, the document's samples, Santiago time, and the client driven
// over real HTTP against the sandbox with a small receiver capturing the callbacks it posts.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  AuthenticationError,
  BadRequestError,
  InsufficientCreditError,
  ProviderUnavailableError,
  RateLimitedError,
  type ProviderError,
} from '../errors.js';
import type { CallbackRequest, CanonicalStatus, InboundMessage, OutboundMessage, StatusEvent } from '../types.js';
import { inboundFromCallback, itdCallbackEndpoints, statusEventFromCallback } from './callbacks.js';
import { ItdProvider } from './client.js';
import {
  creditsResponseSchema,
  itdEnvelopeSchema,
  receivedRequestSchema,
  receivedResponseSchema,
  sendWhatsappRequestSchema,
  sendWhatsappResponseSchema,
  statusRequestSchema,
  statusResponseSchema,
} from './contract.js';
import { ITD_SANDBOX_CREDENTIALS, startItdSandbox, type ItdSandbox } from '../../sandboxes/itd.js';
import { canonicalStatus, itdError, lookupToEvents, type ItdOperation } from './statuses.js';
import { formatCallbackDate, formatDayParam, formatLookupDate, parseDayParam, parseItdDate } from './time.js';

const CALLBACK_TOKEN = 'cb-secret';
const statusEndpoint = itdCallbackEndpoints.find((e) => e.path === '/callbacks/itd/status')!;
const inboundEndpoint = itdCallbackEndpoints.find((e) => e.path === '/callbacks/itd/inbound')!;

// ---- receiver: a tiny API stand-in that stores what the sandbox posts and answers like ours ----
interface Captured {
  path: string;
  query: Record<string, string>;
  body: unknown;
  at: number;
}
const captured: Captured[] = [];
let receiver: Server;
let receiverUrl = '';
let sandbox: ItdSandbox;
let itd: ItdProvider;

before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const text = Buffer.concat(chunks).toString('utf8');
      captured.push({
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: text ? (JSON.parse(text) as unknown) : undefined,
        at: Date.now(),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(statusEndpoint.ack.body));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  sandbox = await startItdSandbox({
    port: 0,
    callbackDelayMs: 20,
    // Retries, as the stack gives its sandboxes: under load a keep-alive socket can reset one POST ("fetch failed"),
    // and a lost callback timed this test out in CI. A retry after a failed POST adds no duplicate.
    callbackRetries: 2,
    callbackRetryDelayMs: 50,
    slowResponseMs: 1_500,
    callbackUrl: `${receiverUrl}/callbacks/itd/status?token=${CALLBACK_TOKEN}`,
    inboundCallbackUrl: `${receiverUrl}/callbacks/itd/inbound?token=${CALLBACK_TOKEN}`,
  });
  itd = new ItdProvider({ baseUrl: sandbox.url, ...ITD_SANDBOX_CREDENTIALS, timeoutMs: 3_000 });
});

after(async () => {
  await sandbox.close();
  await new Promise<void>((resolve) => {
    receiver.closeAllConnections();
    receiver.close(() => resolve());
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a value, with a deadline. */
async function waitFor<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function request(c: Captured): CallbackRequest {
  return { method: 'POST', query: c.query, headers: {}, body: c.body };
}

function statusEventsFor(id: string): StatusEvent[] {
  return captured
    .filter((c) => c.path === statusEndpoint.path)
    .flatMap((c) => {
      const parsed = statusEndpoint.parse(request(c));
      assert.equal(parsed.kind, 'status');
      return parsed.kind === 'status' ? parsed.events.filter((e) => e.providerMessageId === id) : [];
    });
}

const text = (to: string, body = 'hola'): OutboundMessage => ({ to, reference: `wf-${to}`, text: body });

async function rejects(
  p: Promise<unknown>,
  cls: new (...a: never[]) => ProviderError,
  field?: string,
): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    if (field !== undefined) assert.equal(err.field, field);
    assert.match(err.message, /itd/);
    return err;
  }
  assert.fail(`expected ${cls.name}`);
}

// ---------------------------------------------------------------- mapping tables

test('every documented (and assumed) ITD status maps to its canonical status', () => {
  const table: Array<[string, CanonicalStatus | undefined]> = [
    ['READ', 'read'],
    ['MESSAGE QUEUED', 'queued'],
    ['SENT', 'sent'],
    ['message_queued', 'queued'],
    ['DELIVERED', 'delivered'],
    ['FAILED', 'failed'],
    ['EXPIRED', 'expired'],
    ['BOGUS', undefined],
  ];
  for (const [itdStatus, canonical] of table) assert.equal(canonicalStatus(itdStatus), canonical, itdStatus);
});

test('every documented error answer maps to the named error, naming the field when the message does', () => {
  const rows: Array<{
    op: ItdOperation;
    http: number;
    body?: unknown;
    cls: new (...a: never[]) => ProviderError;
    field?: string;
    code: string;
  }> = [
    {
      op: 'sendWhatsapp',
      http: 400,
      body: { message: 'BAD PARAMETERS', statusApi: 'BAD_REQUEST', code: 400 },
      cls: BadRequestError,
      code: 'BAD_REQUEST',
    },
    {
      op: 'sendWhatsapp',
      http: 400,
      body: {
        message: "Parámetro 'content_type' solo puede ser TEXT, IMAGE, LINK o FILE",
        statusApi: 'BAD_REQUEST',
        code: 400,
      },
      cls: BadRequestError,
      field: 'content_type',
      code: 'BAD_REQUEST',
    },
    {
      op: 'sendWhatsapp',
      http: 400,
      body: { message: "Parámetro 'phone' no es un número de WhatsApp válido", statusApi: 'BAD_REQUEST', code: 400 },
      // No invalid-number guess from error text: ITD documents no such answer.
      cls: BadRequestError,
      field: 'phone',
      code: 'BAD_REQUEST',
    },
    {
      op: 'sendWhatsapp',
      http: 400,
      body: { message: 'Número de teléfono inválido', statusApi: 'BAD_REQUEST', code: 400 },
      cls: BadRequestError,
      field: 'phone',
      code: 'BAD_REQUEST',
    },
    {
      op: 'sendWhatsapp',
      http: 401,
      body: { message: 'UNAUTHORIZED', statusApi: 'UNAUTHORIZED', code: 401 },
      cls: AuthenticationError,
      code: 'UNAUTHORIZED',
    },
    { op: 'sendWhatsapp', http: 415, body: undefined, cls: BadRequestError, code: '415' },
    {
      op: 'sendWhatsapp',
      http: 502,
      body: { message: 'NOT ENOUGH CREDITS', statusApi: 'NOT_CREDITS', code: 502 },
      cls: InsufficientCreditError,
      code: 'NOT_CREDITS',
    },
    {
      op: 'statusWhatsappByKey',
      http: 400,
      body: { message: 'BAD PARAMETERS', statusApi: 'BAD_REQUEST', code: 400 },
      cls: BadRequestError,
      code: 'BAD_REQUEST',
    },
    {
      op: 'statusWhatsappByKey',
      http: 400,
      body: { message: 'Introduzca parámetro key', statusApi: 'BAD_REQUEST', code: 400 },
      cls: BadRequestError,
      field: 'key',
      code: 'BAD_REQUEST',
    },
    {
      op: 'statusWhatsappByKey',
      http: 401,
      body: { message: 'UNAUTHORIZED', statusApi: 'UNAUTHORIZED', code: 401 },
      cls: AuthenticationError,
      code: 'UNAUTHORIZED',
    },
    { op: 'statusWhatsappByKey', http: 415, body: undefined, cls: BadRequestError, code: '415' },
    {
      op: 'statusWhatsappByKey',
      http: 503,
      body: { message: 'WHATSAPP MESSAGE NOT FOUND', statusApi: 'INVALID_MESSAGE', code: 503 },
      cls: BadRequestError,
      field: 'key',
      code: 'INVALID_MESSAGE',
    },
    {
      op: 'creditsWhatsapp',
      http: 401,
      body: { message: 'UNAUTHORIZED', statusApi: 'UNAUTHORIZED', code: 401 },
      cls: AuthenticationError,
      code: 'UNAUTHORIZED',
    },
    {
      op: 'recievedWhatsapp',
      http: 400,
      body: { message: 'Parámetro senderPhone es necesario.', statusApi: 'BAD_REQUEST', code: 400 },
      cls: BadRequestError,
      field: 'senderPhone',
      code: 'BAD_REQUEST',
    },
    {
      op: 'recievedWhatsapp',
      http: 400,
      body: {
        message: 'Parámetro sendAt es necesario y en formato ddMMyyyy ejemplo: 16081997',
        statusApi: 'BAD_REQUEST',
        code: 400,
      },
      cls: BadRequestError,
      field: 'sendAt',
      code: 'BAD_REQUEST',
    },
    {
      op: 'recievedWhatsapp',
      http: 503,
      body: { message: 'NO WHATSAPP MESSAGES', statusApi: 'INVALID_MESSAGE', code: 503 },
      cls: BadRequestError,
      code: 'INVALID_MESSAGE',
    },
    // Not ITD's own answers: a gateway 502/503 without statusApi, other 5xx, rate limiting.
    { op: 'sendWhatsapp', http: 502, body: undefined, cls: ProviderUnavailableError, code: '502' },
    { op: 'sendWhatsapp', http: 503, body: '<html>', cls: ProviderUnavailableError, code: '503' },
    {
      op: 'sendWhatsapp',
      http: 500,
      body: { message: 'INTERNAL SERVER ERROR', statusApi: 'ERROR', code: 500 },
      cls: ProviderUnavailableError,
      code: 'ERROR',
    },
    { op: 'sendWhatsapp', http: 429, body: undefined, cls: RateLimitedError, code: '429' },
  ];
  for (const row of rows) {
    const e = itdError({ operation: row.op, httpStatus: row.http, body: row.body });
    const label = `${row.op} ${row.http} ${JSON.stringify(row.body)}`;
    assert.ok(e instanceof row.cls, `${label}: got ${e.name}`);
    assert.equal(e.field, row.field, label);
    assert.equal(e.providerCode, row.code, label);
    assert.equal(e.httpStatus, row.http, label);
    assert.match(e.message, new RegExp(`^itd ${row.op} answered ${row.http}`), label);
    if (row.field) assert.match(e.message, new RegExp(`field ${row.field}`), label);
  }
});

// ---------------------------------------------------------------- Santiago time

test('Santiago wall-clock dates become the right UTC instants across DST', () => {
  const cases: Array<[string, string]> = [
    ['26/12/2019 16:07', '2019-12-26T19:07:00.000Z'], // summer, -03
    ['15/06/2020 10:00', '2020-06-15T14:00:00.000Z'], // winter, -04
    ['2020-04-16 10:26:13.0', '2020-04-16T14:26:13.000Z'], // lookup form; DST ended 5 April 2020
    ['01/04/2023 22:30', '2023-04-02T01:30:00.000Z'], // last evening of summer time
    ['02/04/2023 12:00', '2023-04-02T16:00:00.000Z'], // first day of winter time
    ['03/09/2023 02:00', '2023-09-03T05:00:00.000Z'], // first night of summer time
    ['2/1/2024 9:05', '2024-01-02T12:05:00.000Z'], // unpadded
  ];
  for (const [local, utc] of cases) assert.equal(parseItdDate(local)?.toISOString(), utc, local);
  for (const bad of ['31/02/2020 10:00', '26/12/2019', '2019-12-26T19:07:00Z', '26/13/2019 10:00', ''])
    assert.equal(parseItdDate(bad), undefined, bad);
  const instant = new Date('2024-07-01T15:04:00.000Z');
  assert.equal(formatCallbackDate(instant), '01/07/2024 11:04');
  assert.equal(parseItdDate(formatCallbackDate(instant))?.toISOString(), instant.toISOString());
  assert.equal(
    parseItdDate(formatLookupDate(new Date('2024-01-10T03:30:05.000Z')))?.toISOString(),
    '2024-01-10T03:30:05.000Z',
  );
  assert.equal(formatDayParam(new Date('2020-04-26T02:00:00Z')), '25042020'); // still the 25th in Santiago
  assert.equal(parseDayParam('25042020')?.toISOString(), '2020-04-25T04:00:00.000Z');
  assert.equal(parseDayParam('2504202'), undefined);
});

// ---------------------------------------------------------------- the document's samples

test('every sample body of the document parses', () => {
  const sends = [
    { content_type: 'TEXT', content: 'mensaje de texto', phone: '123456789' },
    {
      content_type: 'IMAGE',
      content: 'http://image',
      phone: '123456789',
      caption: 'Newsletter cliente',
      description: 'Buenos días, te adjuntamos el newsletter del mes de febrero',
    },
    {
      content_type: 'LINK',
      content: 'http://url',
      phone: '123456789',
      caption: 'Newsletter cliente',
      description: 'Buenos días, te adjuntamos el newsletter del mes de febrero',
      url_thumb: 'http://mipagina.com/image/miniaturas/n149295832.jpg',
    },
    {
      content_type: 'FILE',
      content: 'http://mipagina.com/archivos/file123client36564.pdf',
      phone: '123456789',
      caption: 'Newsletter cliente',
      description: 'Buenos días, te adjuntamos el newsletter del mes de febrero',
      url_thumb: 'http://mipagina.com/image/miniaturas/n149295832.jpg',
    },
  ];
  for (const s of sends) assert.ok(sendWhatsappRequestSchema.safeParse(s).success, s.content_type);
  assert.equal(
    sendWhatsappResponseSchema.parse({ uuid: 'd225bf9b-187c-4fca-a12f-94be83168129', statusApi: 'OK', code: 200 }).uuid,
    'd225bf9b-187c-4fca-a12f-94be83168129',
  );
  for (const e of [
    { message: 'BAD PARAMETERS', statusApi: 'BAD_REQUEST', code: 400 },
    { message: 'UNAUTHORIZED', statusApi: 'UNAUTHORIZED', code: 401 },
    { message: 'NOT ENOUGH CREDITS', statusApi: 'NOT_CREDITS', code: 502 },
    { message: 'WHATSAPP MESSAGE NOT FOUND', statusApi: 'INVALID_MESSAGE', code: 503 },
  ])
    assert.equal(itdEnvelopeSchema.parse(e).statusApi, e.statusApi);

  assert.equal(
    statusRequestSchema.parse({ key: 'd225bf9b-187c-4fca-a12f-94be83168129' }).key,
    'd225bf9b-187c-4fca-a12f-94be83168129',
  );
  const lookup = statusResponseSchema.parse({
    statusApi: 'OK',
    code: 200,
    data: { sent_at: '2020-04-16 10:26:13.0', status: 'READ', delivered_at: '2020-04-16 10:26:17.0', credit_usage: 1 },
  });
  assert.deepEqual(
    lookupToEvents('k', lookup).map((e) => [e.status, e.occurredAt.toISOString()]),
    [
      ['sent', '2020-04-16T14:26:13.000Z'],
      ['delivered', '2020-04-16T14:26:17.000Z'],
      ['read', '2020-04-16T14:26:17.000Z'],
    ],
  );
  assert.equal(creditsResponseSchema.parse({ statusApi: 'OK', code: 200, data: 100 }).data, 100);
  assert.equal(creditsResponseSchema.parse({ statusApi: 'OK', code: '200', data: '100' }).data, 100);

  assert.ok(receivedRequestSchema.safeParse({ senderPhone: '56912345678', sendAt: '25042020', top: 100 }).success);
  // The document's listing sample is split across two blocks with a trailing comma; these are its fields.
  const listing = receivedResponseSchema.parse({
    statusApi: 'OK',
    code: 200,
    data: [
      {
        whatsappKey: '',
        uuid: '2a7907d9-612e-401b-bc54-ce1eab3dce3a',
        accountPhone: '56123456789',
        senderPhone: '56987654321',
        senderName: 'Tu nombre',
        senderType: 'user',
        content: 'hola desde la web',
        createdAt: 1582637707000,
        sendAt: 1582637824000,
        direction: 1,
        messageType: 'chat',
        comments: 'READ',
      },
    ],
  });
  assert.equal(listing.data[0]?.senderPhone, '56987654321');

  const event = statusEventFromCallback({
    sent_at: '26/12/2019 16:07',
    status: 'READ',
    uuid: 'f927f0fb-649f-45eb-92bf-15cb975f1bac',
  });
  assert.deepEqual(
    [event.provider, event.providerMessageId, event.status, event.occurredAt.toISOString(), event.providerCode],
    ['itd', 'f927f0fb-649f-45eb-92bf-15cb975f1bac', 'read', '2019-12-26T19:07:00.000Z', 'READ'],
  );

  const inbound = inboundFromCallback({
    uuid: '2a7907d9-612e-401b-bc54-ce1eab3dce3a',
    accountPhone: '56932028245',
    senderPhone: '56936858019',
    content: 'hola desde la web',
    sendAt: 1582637824000,
    messageType: 'chat',
    caption: '',
    url: 'http://content.itdchile.cl/files/1/(copia)_image.jpg',
    title: 'probando titulo',
    description: 'probando descripcion',
    lng: '-70.554323',
    lat: '-33.4036893',
    direction: 1,
  });
  assert.deepEqual(
    [
      inbound.provider,
      inbound.providerMessageId,
      inbound.from,
      inbound.to,
      inbound.type,
      inbound.text,
      inbound.mediaUrl,
      inbound.receivedAt.toISOString(),
    ],
    [
      'itd',
      '2a7907d9-612e-401b-bc54-ce1eab3dce3a',
      '+56936858019',
      '+56932028245',
      'chat',
      'hola desde la web',
      'http://content.itdchile.cl/files/1/(copia)_image.jpg',
      '2020-02-25T13:37:04.000Z',
    ],
  );
});

test('every inbound messageType of the document parses, unknown extra fields included', () => {
  const base = {
    uuid: 'u1',
    accountPhone: '56932028245',
    senderPhone: 56936858019,
    sendAt: '1582637824000',
    direction: '0',
    extra: { nested: true },
  };
  const rows: Array<[Record<string, unknown>, string, string | undefined, string | undefined]> = [
    [{ messageType: 'chat', content: 'hola' }, 'chat', 'hola', undefined],
    ...['image', 'video', 'document'].map((t): [Record<string, unknown>, string, string, string] => [
      { messageType: t, caption: `cap ${t}`, mimetype: 'x/y', thumb: 'AAAA', url: `http://m/${t}` },
      t,
      `cap ${t}`,
      `http://m/${t}`,
    ]),
    ...['audio', 'ptt', 'sticker'].map((t): [Record<string, unknown>, string, string | undefined, string] => [
      { messageType: t, caption: '', mimetype: 'audio/ogg', url: `http://m/${t}` },
      t,
      undefined,
      `http://m/${t}`,
    ]),
    [
      {
        messageType: 'location',
        location_name: 'Plaza de Armas',
        lng: -70.65,
        lat: '-33.43',
        thumb: 'AAAA',
        url: 'http://maps/x',
      },
      'location',
      'Plaza de Armas',
      'http://maps/x',
    ],
  ];
  for (const [fields, type, body, mediaUrl] of rows) {
    const m = inboundFromCallback({ ...base, ...fields });
    assert.deepEqual(
      [m.type, m.text, m.mediaUrl, m.from, m.receivedAt.getTime()],
      [type, body, mediaUrl, '+56936858019', 1582637824000],
      type,
    );
  }
});

test('unusable callback bodies are refused naming the field; the endpoints are declared', () => {
  const bad: Array<[CallbackRequest['body'], 'status' | 'inbound', string]> = [
    [{ status: 'READ', sent_at: '26/12/2019 16:07' }, 'status', 'uuid'],
    [{ uuid: '', status: 'READ' }, 'status', 'uuid'],
    ['not json', 'status', 'body'],
    [[], 'status', 'body'],
    [{ accountPhone: '56932028245', senderPhone: '569' }, 'inbound', 'uuid'],
    [{ uuid: 'u', content: 'hola' }, 'inbound', 'senderPhone'],
    [null, 'inbound', 'body'],
  ];
  for (const [body, kind, field] of bad) {
    const endpoint = kind === 'status' ? statusEndpoint : inboundEndpoint;
    assert.throws(
      () => endpoint.parse({ method: 'POST', query: {}, headers: {}, body }),
      (e: unknown) => e instanceof BadRequestError && e.field === field && e.message.includes(field),
      JSON.stringify(body),
    );
  }
  // A callback that names its message is never refused for its values: they are kept as unmapped.
  for (const [body, raw] of [
    [{ uuid: 'u', sent_at: '26/12/2019 16:07' }, /status/],
    [{ uuid: 'u', status: 'SOMETHING NEW' }, /^SOMETHING NEW$/],
    [{ uuid: 'u', status: 3 }, /^3$/],
  ] as const) {
    const p = statusEndpoint.parse({ method: 'POST', query: {}, headers: {}, body });
    const e = p.kind === 'status' ? p.events[0] : undefined;
    assert.equal(e?.status, 'unmapped', JSON.stringify(body));
    assert.match(e?.rawStatus ?? '', raw);
  }
  // A malformed sent_at is not a reason to refuse either: the status counts from receipt.
  const odd = statusEndpoint.parse({
    method: 'POST',
    query: {},
    headers: {},
    body: { uuid: 'u', status: 'READ', sent_at: '2019/12/26 4pm' },
  });
  assert.equal(odd.kind === 'status' && odd.events[0]?.status, 'read');
  assert.equal(odd.kind === 'status' && odd.events[0]?.precise, false);
  // Extra fields and a body delivered as a JSON string (wrong content type) are fine.
  const parsed = statusEndpoint.parse({
    method: 'POST',
    query: {},
    headers: {},
    body: JSON.stringify({ uuid: 'u', status: 'SENT', sent_at: '26/12/2019 16:07', foo: 1 }),
  });
  assert.equal(parsed.kind === 'status' && parsed.events[0]?.status, 'sent');
  assert.deepEqual(
    itdCallbackEndpoints.map((e) => [e.method, e.path, e.auth, e.ack.status]),
    [
      ['POST', '/callbacks/itd/status', 'token-query', 200],
      ['POST', '/callbacks/itd/inbound', 'token-query', 200],
    ],
  );
  assert.deepEqual(statusEndpoint.ack.body, { statusApi: 'OK', code: 200 });
});

// ---------------------------------------------------------------- over HTTP against the sandbox

test('scripted numbers: callbacks and status lookups map to the right canonical events', async () => {
  const rows: Array<{ to: string; callbacks: CanonicalStatus[]; final: CanonicalStatus[] }> = [
    { to: '+56912345123', callbacks: ['sent', 'delivered', 'read'], final: ['sent', 'delivered', 'read'] },
    { to: '+56912345603', callbacks: ['failed'], final: ['failed'] },
    { to: '+56912345604', callbacks: ['sent', 'delivered'], final: ['sent', 'delivered'] },
    { to: '+56912345605', callbacks: ['sent'], final: ['sent'] },
    { to: '+56912345606', callbacks: [], final: ['sent', 'delivered', 'read'] },
    {
      to: '+56912345608',
      callbacks: ['read', 'read', 'delivered', 'delivered', 'sent', 'sent'],
      final: ['sent', 'delivered', 'read'],
    },
  ];
  await Promise.all(
    rows.map(async (row) => {
      const sent = await itd.send(text(row.to));
      assert.equal(sent.status, 'accepted');
      assert.match(sent.providerMessageId, /^[0-9a-f-]{36}$/);
      const id = sent.providerMessageId;
      if (row.callbacks.length > 0) {
        await waitFor(
          () => (statusEventsFor(id).length >= row.callbacks.length ? true : undefined),
          `${row.to} callbacks`,
        );
      } else {
        // No callbacks: wait (bounded) until the sandbox's own progress has reached its last step.
        await waitFor(
          async () => ((await itd.getStatus(id)).length >= row.final.length ? true : undefined),
          `${row.to} progress`,
        );
      }
      const events = statusEventsFor(id);
      assert.deepEqual(
        events.map((e) => e.status),
        row.callbacks,
        row.to,
      );
      for (const e of events) {
        assert.equal(e.provider, 'itd');
        assert.ok(
          Math.abs(e.occurredAt.getTime() - Date.now()) < 120_000,
          'sent_at is Santiago time converted to now-ish UTC',
        );
      }
      const lookup = await itd.getStatus(id);
      assert.deepEqual(
        lookup.map((e) => e.status),
        row.final,
        `${row.to} lookup`,
      );
      assert.ok(lookup.every((e) => e.providerMessageId === id));
    }),
  );
  const first = captured.find((c) => c.path === statusEndpoint.path)!;
  assert.equal(first.query.token, CALLBACK_TOKEN, 'the callback URL keeps its token');
});

test('609: the callbacks arrive before the send answer', async () => {
  const sent = await itd.send(text('+56912345609'));
  // Read at once, without waiting: every callback was already received when the answer came.
  const events = statusEventsFor(sent.providerMessageId);
  assert.deepEqual(
    events.map((e) => e.status),
    ['sent', 'delivered', 'read'],
  );
});

test('601, 602, 607, 610: invalid number, rejection, one 5xx, one slow answer', async () => {
  // 601: ITD documents no invalid-number answer, so the send is accepted and never moves on.
  const unknown = await itd.send(text('+56912345601'));
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    (await itd.getStatus(unknown.providerMessageId)).map((e) => e.status),
    ['queued'],
  );
  const rejected = await rejects(itd.send(text('+56912345602')), BadRequestError);
  assert.equal(rejected.providerCode, 'BAD_REQUEST');

  await rejects(itd.send(text('+56912345607')), ProviderUnavailableError);
  assert.equal((await itd.send(text('+56912345607'))).status, 'accepted');

  const impatient = new ItdProvider({ baseUrl: sandbox.url, ...ITD_SANDBOX_CREDENTIALS, timeoutMs: 300 });
  const slow = await rejects(impatient.send(text('+56912345610')), ProviderUnavailableError);
  assert.match(slow.message, /timed out/);
  assert.equal((await impatient.send(text('+56912345610'))).status, 'accepted');
  const counts = (n: string) => sandbox.requests.filter((r) => r.recipient === n).length;
  assert.equal(counts('+56912345607'), 2);
  assert.equal(counts('+56912345610'), 2);
});

test('requests ITD would reject fail validation naming the field and make no HTTP call', async () => {
  const before = sandbox.requests.length;
  const cases: Array<[() => Promise<unknown>, string, RegExp?]> = [
    [
      () => itd.send({ to: '+56912345123', reference: 'r', media: { type: 'image', url: '' } }),
      'media.url',
      /media\.url: is required for IMAGE/,
    ],
    [
      () => itd.send({ to: '+56912345123', reference: 'r', media: { type: 'image', url: 'ftp://x/y.png' } }),
      'content',
      /content: must be the http\(s\) URL of the image/,
    ],
    [() => itd.send(text('+56912345123', 'x'.repeat(4097))), 'content', /content: must be at most 4096 characters/],
    [() => itd.send(text('+56912345123', '')), 'content'],
    [() => itd.send({ to: '+56912345123', reference: 'r' }), 'text'],
    [() => itd.send({ to: '+56912345123', reference: 'r', template: { name: 't', params: [] } }), 'template'],
    [
      () => itd.send({ to: '+56912345123', reference: 'r', text: 'a', smsFallback: { template: 't', params: [] } }),
      'smsFallback',
    ],
    [() => itd.send(text('not a number')), 'to'],
    [() => itd.getStatus(''), 'key'],
    [() => itd.getStatus('k'.repeat(101)), 'key', /key: must be at most 100 characters/],
    [() => itd.listReceived({ senderPhone: '56912345678', sendAt: '2020-04-25', top: 10 }), 'sendAt'],
    [() => itd.listReceived({ senderPhone: '56912345678', sendAt: '25042020', top: 0 }), 'top'],
  ];
  for (const [p, field, message] of cases) {
    const e = await rejects(p(), BadRequestError, field);
    if (message) assert.match(e.message, message);
  }
  assert.equal(sandbox.requests.length, before, 'no request reached the sandbox');
});

test('the send body follows the document: national phone, prefijo, content types', () => {
  const img = itd.buildSendRequest({
    to: '+56912345123',
    reference: 'r',
    text: 'Hola',
    media: { type: 'image', url: 'https://x/a.jpg', caption: 'Cap' },
  });
  assert.deepEqual(img, {
    phone: '912345123',
    prefijo: '56',
    content_type: 'IMAGE',
    content: 'https://x/a.jpg',
    caption: 'Cap',
    description: 'Hola',
  });
  assert.deepEqual(itd.buildSendRequest(text('+6281234567890', 'hi')), {
    phone: '81234567890',
    prefijo: '62',
    content_type: 'TEXT',
    content: 'hi',
  });
  assert.equal(itd.buildSendRequest(text('912345123')).prefijo, '56', 'a national number is Chilean');
  assert.equal(
    itd.buildSendRequest({ to: '+56912345123', reference: 'r', media: { type: 'link', url: 'https://x' } })
      .content_type,
    'LINK',
  );
  assert.equal(
    itd.buildSendRequest({ to: '+56912345123', reference: 'r', media: { type: 'document', url: 'https://x/a.pdf' } })
      .content_type,
    'FILE',
  );
});

test('media sends of every content type are accepted over HTTP and logged per recipient', async () => {
  for (const type of ['image', 'link', 'file'] as const) {
    const r = await itd.send({
      to: '+56987654321',
      reference: 'r',
      media: { type, url: `https://example.org/${type}`, caption: 'c' },
    });
    assert.equal(r.status, 'accepted');
  }
  assert.equal(sandbox.requests.filter((r) => r.recipient === '+56987654321' && r.status === 200).length, 3);
});

test('wrong token maps to AuthenticationError on every endpoint', async () => {
  const wrong = new ItdProvider({ baseUrl: sandbox.url, token: 'not-the-jwt' });
  await rejects(wrong.send(text('+56912345123')), AuthenticationError);
  await rejects(wrong.getStatus('abc'), AuthenticationError);
  await rejects(wrong.getBalance(), AuthenticationError);
  await rejects(wrong.listReceived({ senderPhone: '56912345678', sendAt: '25042020', top: 1 }), AuthenticationError);
  const e = await rejects(wrong.send(text('+56912345123')), AuthenticationError);
  assert.ok(!e.message.includes('not-the-jwt'), 'the token never appears in errors');
});

test('ITD_AUTH_SCHEME: the client sends the configured header form, the sandbox accepts only that one', async () => {
  for (const scheme of ['bearer', 'authorization', 'token-header'] as const) {
    const sb = await startItdSandbox({ authScheme: scheme });
    try {
      const right = new ItdProvider({ baseUrl: sb.url, ...ITD_SANDBOX_CREDENTIALS, authScheme: scheme });
      assert.equal((await right.send(text('+56912345123'))).status, 'accepted', scheme);
      const other = scheme === 'bearer' ? 'token-header' : 'bearer';
      const wrong = new ItdProvider({ baseUrl: sb.url, ...ITD_SANDBOX_CREDENTIALS, authScheme: other });
      await rejects(wrong.send(text('+56912345123')), AuthenticationError);
    } finally {
      await sb.close();
    }
  }
});

test('sandbox speaks the documented contract: GET, 415, 400 messages, unknown key', async () => {
  const headers = { authorization: `Bearer ${ITD_SANDBOX_CREDENTIALS.token}` };
  const get = await fetch(
    `${sandbox.url}/api/v2/whatsapp/sendWhatsapp?content_type=TEXT&content=hola&phone=912345123`,
    { headers },
  );
  const getBody = (await get.json()) as { uuid?: string; statusApi?: string };
  assert.equal(get.status, 200);
  assert.equal(getBody.statusApi, 'OK');
  assert.ok(getBody.uuid);

  const noType = await fetch(`${sandbox.url}/whatsapp/sendWhatsapp`, { method: 'POST', headers, body: '{}' });
  assert.equal(noType.status, 415);

  const post = (path: string, body: unknown) =>
    fetch(`${sandbox.url}/whatsapp/${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { message?: string; statusApi?: string } }));
  assert.deepEqual(await post('sendWhatsapp', { content_type: 'AUDIO', content: 'x', phone: '912345123' }), {
    status: 400,
    body: {
      message: "Parámetro 'content_type' solo puede ser TEXT, IMAGE, LINK o FILE",
      statusApi: 'BAD_REQUEST',
      code: 400,
    },
  });
  assert.equal((await post('sendWhatsapp', { content_type: 'TEXT', content: 'x' })).body.message, 'BAD PARAMETERS');
  assert.equal((await post('statusWhatsappByKey', {})).body.message, 'Introduzca parámetro key');
  assert.equal((await post('statusWhatsappByKey', { key: '' })).body.message, 'BAD PARAMETERS');
  assert.equal(
    (await post('recievedWhatsapp', { sendAt: '25042020', top: 1 })).body.message,
    'Parámetro senderPhone es necesario.',
  );

  const unknown = await rejects(itd.getStatus('00000000-0000-0000-0000-000000000000'), BadRequestError, 'key');
  assert.equal(unknown.providerCode, 'INVALID_MESSAGE');
});

test('credits: balance goes down per send and an empty account is InsufficientCreditError', async () => {
  const poor = await startItdSandbox({ port: 0, credits: 1 });
  try {
    const client = new ItdProvider({ baseUrl: poor.url, ...ITD_SANDBOX_CREDENTIALS });
    assert.deepEqual((await client.getBalance()).amount, 1);
    await client.send(text('+56912345123'));
    assert.equal((await client.getBalance()).amount, 0);
    const e = await rejects(client.send(text('+56912345124')), InsufficientCreditError);
    assert.equal(e.providerCode, 'NOT_CREDITS');
  } finally {
    await poor.close();
  }
});

test('inbound: helper and HTTP hook post the documented callback; recievedWhatsapp lists it', async () => {
  const { body, delivered } = await sandbox.emitInbound({ senderPhone: '+56936858019', content: 'hola desde la web' });
  assert.equal(delivered, true);
  const res = await fetch(`${sandbox.url}/__sandbox/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      senderPhone: '56936858019',
      messageType: 'image',
      caption: 'foto',
      url: 'http://content/x.jpg',
    }),
  });
  const hook = (await res.json()) as { uuid: string; delivered: boolean };
  assert.equal(hook.delivered, true);

  const messages: InboundMessage[] = captured
    .filter((c) => c.path === inboundEndpoint.path)
    .flatMap((c) => {
      assert.equal(c.query.token, CALLBACK_TOKEN);
      const parsed = inboundEndpoint.parse(request(c));
      return parsed.kind === 'inbound' ? parsed.messages : [];
    });
  const chat = messages.find((m) => m.providerMessageId === body.uuid);
  const image = messages.find((m) => m.providerMessageId === hook.uuid);
  assert.deepEqual(
    [chat?.from, chat?.to, chat?.type, chat?.text],
    ['+56936858019', '+56932028245', 'chat', 'hola desde la web'],
  );
  assert.deepEqual([image?.type, image?.text, image?.mediaUrl], ['image', 'foto', 'http://content/x.jpg']);

  const listed = await itd.listReceived({ senderPhone: '+56936858019', sendAt: new Date(), top: 10 });
  assert.deepEqual(listed.map((m) => m.providerMessageId).sort(), [body.uuid, hook.uuid].sort());
  assert.ok(listed.every((m) => m.from === '+56936858019' && m.provider === 'itd'));
  assert.deepEqual((await itd.listReceived({ senderPhone: '56936858019', sendAt: new Date(), top: 1 })).length, 1);
  assert.deepEqual(
    await itd.listReceived({ senderPhone: '56900000000', sendAt: new Date(), top: 10 }),
    [],
    'NO WHATSAPP MESSAGES is an empty list',
  );
});
