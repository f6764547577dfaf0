// SMS masking adapter over real HTTP: the client against its sandbox (and a stub answering the
// document's exact bodies), DLR callbacks captured by a node:http receiver and parsed.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  AuthenticationError,
  BadRequestError,
  InsufficientCreditError,
  InvalidNumberError,
  ProviderUnavailableError,
  SendRejectedError,
} from '../errors.js';
import type { RunningSandbox } from '../../sandboxes/kit.js';
import {
  close,
  listen,
  rejectsWith,
  startReceiver,
  waitFor,
  type ErrorClass,
  type Receiver,
} from '../../sandboxes/test-support.js';
import type { CanonicalStatus, ReportedStatus, OutboundMessage, StatusEvent } from '../types.js';
import { startSmsMaskingSandbox } from '../../sandboxes/sms-masking.js';
import { parseSmsMaskingCallback, smsMaskingCallbackEndpoints } from './callbacks.js';
import { SMS_MASKING_SANDBOX_CREDENTIALS, SmsMaskingProvider } from './client.js';
import { segmentCount } from './segments.js';
import { SMS_MASKING_CODES } from './statuses.js';

/** A stub gateway answering whatever body the test sets for a path, to replay bodies over HTTP. */
async function startStub(): Promise<{ url: string; replies: Record<string, string>; close(): Promise<void> }> {
  const stub = { url: '', replies: {} as Record<string, string>, close: () => close(server) };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://stub').pathname.replace(/^\/masking\//, '');
      res.writeHead(200, { 'content-type': 'text/html' }).end(stub.replies[path] ?? '');
    });
  });
  stub.url = `${await listen(server)}/masking`;
  return stub;
}

let counter = 100;
/** +62812 <unique> <sms code> <whatsapp code 000>: SMS sandboxes read the three digits before the last three. */
const number = (smsCode = '000') => `+62812${String(++counter % 1000).padStart(3, '0')}${smsCode}000`;
const msg = (to: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  to,
  reference: 'wf-1/step-1',
  text: 'Order A-1 shipped',
  ...extra,
});

const TOKEN = 'cb-secret';
let receiver: Receiver;
let sandbox: RunningSandbox;
let client: SmsMaskingProvider;

before(async () => {
  receiver = await startReceiver();
  sandbox = await startSmsMaskingSandbox({
    callbackUrl: `${receiver.url}/callbacks/sms-masking?token=${TOKEN}`,
    callbackDelayMs: 20,
    callbackRetryDelayMs: 20,
    slowMs: 600,
    inbox: [{ id: '77', hp: '6281234567890', message: 'STOP', date: '2024-05-01 09:30:00' }],
  });
  client = new SmsMaskingProvider({ baseUrl: sandbox.url, ...SMS_MASKING_SANDBOX_CREDENTIALS, timeoutMs: 300 });
});
after(async () => {
  await sandbox.close();
  await receiver.close();
});

function eventsFor(id: string): StatusEvent[] {
  return receiver.hits
    .filter((h) => h.query.session_id === id)
    .flatMap((h) => {
      const parsed = smsMaskingCallbackEndpoints[0]!.parse(h);
      assert.equal(parsed.kind, 'status');
      return parsed.kind === 'status' ? parsed.events : [];
    });
}

const sends = (to: string) => sandbox.requests.filter((r) => r.recipient === to.replace(/\D/g, '')).length;

describe('codes and documented bodies', () => {
  const EXPECTED: Record<string, [CanonicalStatus, ErrorClass | null]> = {
    '22': ['delivered', null],
    '20': ['sent', null],
    '50': ['failed', InsufficientCreditError],
    '51': ['failed', InsufficientCreditError],
    '52': ['invalid_number', InvalidNumberError],
  };

  test('every documented code is in the table with the specified status', () => {
    assert.deepEqual(Object.keys(SMS_MASKING_CODES).sort(), Object.keys(EXPECTED).sort());
    for (const [code, [status]] of Object.entries(EXPECTED))
      assert.equal(SMS_MASKING_CODES[code]?.status, status, code);
  });

  test('every code maps over HTTP: send answers, report.php answers and DLR callbacks', async () => {
    const stub = await startStub();
    try {
      const c = new SmsMaskingProvider({ baseUrl: stub.url, username: 'u', password: 'p', method: 'GET' });
      for (const [code, [status, cls]] of Object.entries(EXPECTED)) {
        stub.replies['report.php'] = code;
        const events = await c.getStatus('18319370');
        assert.deepEqual(
          events.map((e) => [e.providerMessageId, e.status, e.providerCode]),
          [['18319370', status, code]],
        );
        const dlr = parseSmsMaskingCallback({
          method: 'GET',
          query: { session_id: '1', error_code: code, error_message: 'x', msisdn: '62822' },
          headers: {},
          body: undefined,
        });
        assert.equal(dlr.kind === 'status' ? dlr.events[0]?.status : undefined, status, `DLR ${code}`);
        if (!cls) continue;
        stub.replies['send.php'] = code;
        await rejectsWith(c.send(msg(number())), cls, (e) => {
          assert.equal(e.providerCode, code);
          assert.match(e.message, /sms-masking send answered/);
        });
      }
      // report.php's own table folds "No Charge" (wrong number format) into 50, told apart by its text.
      stub.replies['report.php'] = '50 No Charge';
      assert.equal((await c.getStatus('1'))[0]?.status, 'invalid_number');
      stub.replies['report.php'] = '50 Saldo Habis';
      assert.equal((await c.getStatus('1'))[0]?.status, 'failed');
      stub.replies['report.php'] = '';
      assert.deepEqual(await c.getStatus('1'), []);
      stub.replies['send.php'] = '52';
      await rejectsWith(c.send(msg(number())), InvalidNumberError, (e) => assert.equal(e.field, 'hp'));
      stub.replies['send.php'] = 'Username atau Password salah';
      await rejectsWith(c.send(msg(number())), AuthenticationError);
      stub.replies['send.php'] = 'Internal error 0x1';
      await rejectsWith(c.send(msg(number())), ProviderUnavailableError);
    } finally {
      await stub.close();
    }
  });

  test('report.php: an unlisted code is a report (unmapped), empty is no report yet, no code is counted and thrown', async () => {
    const stub = await startStub();
    const unparsed: string[] = [];
    try {
      const c = new SmsMaskingProvider({
        baseUrl: stub.url,
        username: 'u',
        password: 'secret-pw',
        onLookupUnparsed: (d) => unparsed.push(d),
      });
      stub.replies['report.php'] = '23';
      const [odd] = await c.getStatus('1');
      assert.deepEqual([odd?.status, odd?.rawStatus], ['unmapped', '23']);
      stub.replies['report.php'] = '{"error_code":""}';
      assert.deepEqual(await c.getStatus('1'), []);
      for (const body of ['<html>Not Found</html>', 'session tidak dikenal secret-pw']) {
        stub.replies['report.php'] = body;
        await rejectsWith(c.getStatus('1'), ProviderUnavailableError, (e) => {
          assert.match(e.message, /report answered in a shape kurir cannot read/);
          assert.doesNotMatch(e.message, /secret-pw/);
        });
      }
      assert.equal(unparsed.length, 2);
    } finally {
      await stub.close();
    }
  });

  test("the document's samples parse: the numeric send answer and the DLR dump", async () => {
    const stub = await startStub();
    try {
      stub.replies['send_post.php'] = '18319370';
      const c = new SmsMaskingProvider({ baseUrl: stub.url, username: 'u', password: 'p' });
      const sent = await c.send(msg('62811129869'));
      assert.deepEqual([sent.providerMessageId, sent.status], ['18319370', 'accepted']);
    } finally {
      await stub.close();
    }
    const sample = {
      session_id: '38590565',
      error_code: '51',
      error_message: 'Expiration Period',
      msisdn: '62822xxxxxxx',
    };
    const parsed = parseSmsMaskingCallback({
      method: 'GET',
      query: { ...sample, token: TOKEN, extra: 'kept' },
      headers: {},
      body: undefined,
    });
    assert.equal(parsed.kind, 'status');
    if (parsed.kind !== 'status') return;
    const e = parsed.events[0]!;
    assert.deepEqual(
      [e.provider, e.providerMessageId, e.status, e.providerCode],
      ['sms-masking', '38590565', 'failed', '51'],
    );
    assert.deepEqual(e.raw, { ...sample, extra: 'kept' });
  });

  test('malformed DLRs fail naming the field', () => {
    const parse = (query: Record<string, string>) =>
      parseSmsMaskingCallback({ method: 'GET', query, headers: {}, body: undefined });
    assert.throws(
      () => parse({ error_code: '22' }),
      (e: unknown) => e instanceof BadRequestError && e.field === 'session_id',
    );
    assert.throws(
      () => parse({ session_id: '1' }),
      (e: unknown) => e instanceof BadRequestError && e.field === 'error_code',
    );
    // A code the document does not list is kept, never refused: unmapped with its raw value.
    const odd = parse({ session_id: '1', error_code: '99' });
    assert.deepEqual(odd.kind === 'status' ? [odd.events[0]?.status, odd.events[0]?.rawStatus] : [], [
      'unmapped',
      '99',
    ]);
    // Through the endpoint, only a DLR that names no message is refused.
    const endpoint = smsMaskingCallbackEndpoints[0]!;
    const viaEndpoint = (query: Record<string, string>) =>
      endpoint.parse({ method: 'GET', query, headers: {}, body: undefined });
    const noCode = viaEndpoint({ session_id: '1' });
    assert.equal(noCode.kind === 'status' && noCode.events[0]?.status, 'unmapped');
    assert.throws(() => viaEndpoint({ error_code: '22' }), BadRequestError);
  });

  test('the callback endpoint: GET /callbacks/sms-masking, token in the query, 200 plain-text ack', () => {
    assert.equal(smsMaskingCallbackEndpoints.length, 1);
    const e = smsMaskingCallbackEndpoints[0]!;
    assert.deepEqual(
      [e.provider, e.method, e.path, e.auth],
      ['sms-masking', 'GET', '/callbacks/sms-masking', 'token-query'],
    );
    assert.deepEqual(e.ack, { status: 200, body: 'OK', contentType: 'text/plain' });
  });

  test('segmentCount: the standard encoder (160 GSM-7, then 153 a part; UCS-2 70, then 67)', () => {
    const table: Array<[string, number]> = [
      ['', 0],
      ['a', 1],
      ['a'.repeat(160), 1],
      ['a'.repeat(161), 2],
      ['a'.repeat(306), 2],
      ['a'.repeat(307), 3],
      ['€'.repeat(81), 2],
      ['😀'.repeat(35), 1],
      ['😀'.repeat(36), 2],
    ];
    for (const [text, n] of table) assert.equal(segmentCount(text), n, `${text.length} UTF-16 units`);
  });
});

describe('sandbox over HTTP', () => {
  // 611: a code neither table lists arrives before the delivery and is kept as unmapped.
  const scripted: Array<[string, ReportedStatus[]]> = [
    ['611', ['unmapped', 'delivered']],
    ['000', ['delivered']],
    ['604', ['delivered']],
    ['605', ['sent']],
    ['603', ['failed']],
    ['601', ['invalid_number']],
    ['608', ['delivered', 'delivered', 'sent', 'sent']],
  ];
  for (const [code, expected] of scripted) {
    test(`…${code}…: DLRs parse to ${expected.join(', ')}`, async () => {
      for (const method of ['GET', 'POST'] as const) {
        const c = new SmsMaskingProvider({ baseUrl: sandbox.url, ...SMS_MASKING_SANDBOX_CREDENTIALS, method });
        const to = number(code);
        const sent = await c.send(msg(to));
        assert.equal(sent.status, 'accepted');
        assert.match(sent.providerMessageId, /^\d+$/);
        await waitFor('DLRs', () => (eventsFor(sent.providerMessageId).length >= expected.length ? true : undefined));
        await new Promise((r) => setTimeout(r, 60)); // nothing more arrives
        const events = eventsFor(sent.providerMessageId);
        assert.deepEqual(
          events.map((e) => e.status),
          expected,
        );
        const hit = receiver.hits.find((h) => h.query.session_id === sent.providerMessageId);
        assert.equal(hit?.query.token, TOKEN);
        assert.equal(hit?.query.msisdn, to.slice(1));
        // report.php agrees with the last status in natural order.
        assert.equal(
          (await c.getStatus(sent.providerMessageId))[0]?.status,
          code === '608' ? 'delivered' : expected.at(-1),
        );
        if (code === '611') assert.equal(events[0]?.rawStatus, '23');
        assert.equal(sends(to), 1);
      }
    });
  }

  test('a malformed number is accepted with an id, then reported 52 (No Charge), as the document places it', async () => {
    const hp = '0812345';
    const res = await fetch(
      `${sandbox.url}/send.php?${new URLSearchParams({ ...SMS_MASKING_SANDBOX_CREDENTIALS, hp, message: 'x' })}`,
    );
    const id = (await res.text()).trim();
    assert.match(id, /^\d+$/);
    const events = await waitFor('52 DLR', () => (eventsFor(id).length ? eventsFor(id) : undefined));
    assert.deepEqual([events[0]?.status, events[0]?.providerCode], ['invalid_number', '52']);
  });

  test('…602…: the send is rejected', async () => {
    await rejectsWith(client.send(msg(number('602'))), SendRejectedError);
  });

  test('…606…: no DLR, report.php finds the status', async () => {
    const sent = await client.send(msg(number('606')));
    const deadline = Date.now() + 5_000;
    let status: ReportedStatus | undefined;
    while (status !== 'delivered' && Date.now() < deadline) {
      status = (await client.getStatus(sent.providerMessageId))[0]?.status;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 'delivered');
    assert.equal(eventsFor(sent.providerMessageId).length, 0);
  });

  test('…607…: the first send answers 503, the retry succeeds', async () => {
    const to = number('607');
    await rejectsWith(client.send(msg(to)), ProviderUnavailableError, (e) => assert.equal(e.httpStatus, 503));
    assert.match((await client.send(msg(to))).providerMessageId, /^\d+$/);
    assert.equal(sends(to), 2);
  });

  test('…610…: the first send times out, the retry succeeds', async () => {
    const to = number('610');
    await rejectsWith(client.send(msg(to)), ProviderUnavailableError, (e) => assert.match(e.message, /timed out/));
    assert.match((await client.send(msg(to))).providerMessageId, /^\d+$/);
  });

  test('…609…: the DLR arrives before the send answer', async () => {
    const patient = new SmsMaskingProvider({
      baseUrl: sandbox.url,
      ...SMS_MASKING_SANDBOX_CREDENTIALS,
      timeoutMs: 5_000,
    });
    const sent = await patient.send(msg(number('609')));
    assert.deepEqual(
      eventsFor(sent.providerMessageId).map((e) => e.status),
      ['delivered'],
    );
  });

  test('a DLR the receiver refuses is retried', async () => {
    receiver.failNext = 1;
    const sent = await client.send(msg(number('605')));
    const events = await waitFor('retried DLR', () =>
      eventsFor(sent.providerMessageId).length ? eventsFor(sent.providerMessageId) : undefined,
    );
    assert.equal(events[0]?.status, 'sent');
    assert.equal(receiver.failNext, 0);
  });

  test('balance.php: one credit per 160-character segment', async () => {
    const before = await client.getBalance();
    assert.equal(before.unit, 'credit');
    await client.send(msg(number(), { text: 'x'.repeat(161) }));
    assert.equal((await client.getBalance()).amount, before.amount - 2);
  });

  test('no balance left answers 50: InsufficientCreditError', async () => {
    const broke = await startSmsMaskingSandbox({ balance: 0 });
    try {
      const c = new SmsMaskingProvider({ baseUrl: broke.url, ...SMS_MASKING_SANDBOX_CREDENTIALS });
      await rejectsWith(c.send(msg(number())), InsufficientCreditError, (e) => assert.equal(e.providerCode, '50'));
    } finally {
      await broke.close();
    }
  });

  test('inbox.php lists inbound messages; reports_post.php downloads the sends of a day range', async () => {
    const inbox = await client.getInbox();
    assert.deepEqual(
      inbox.map((m) => [m.provider, m.providerMessageId, m.from, m.text, m.receivedAt.toISOString()]),
      [['sms-masking', '77', '+6281234567890', 'STOP', '2024-05-01T02:30:00.000Z']],
    );
    const sent = await client.send(msg(number(), { text: 'report, "quoted"' }));
    const today = new Date();
    const report = await client.downloadReport({ start: today, end: today });
    const row = report.rows.find((r) => r.session_id === sent.providerMessageId);
    assert.equal(row?.message, 'report, "quoted"');
    assert.deepEqual((await client.downloadReport({ start: '01-01-2000', end: '02-01-2000' })).rows, []);
  });

  test('wrong credentials: AuthenticationError everywhere, without the password in the message', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const c = new SmsMaskingProvider({
        baseUrl: sandbox.url,
        username: SMS_MASKING_SANDBOX_CREDENTIALS.username,
        password: 'wrong-pass',
        method,
      });
      for (const call of [
        () => c.send(msg(number())),
        () => c.getBalance(),
        () => c.getInbox(),
        () => c.downloadReport({ start: '01-01-2024', end: '01-01-2024' }),
      ]) {
        await rejectsWith(call(), AuthenticationError, (e) => assert.doesNotMatch(e.message, /wrong-pass/));
      }
    }
  });
});

describe('validation before any HTTP call', () => {
  let quiet: RunningSandbox;
  before(async () => {
    quiet = await startSmsMaskingSandbox();
  });
  after(async () => {
    await quiet.close();
  });

  test('requests the gateway would reject fail naming the field and make no HTTP call', async () => {
    const c = new SmsMaskingProvider({ baseUrl: quiet.url, ...SMS_MASKING_SANDBOX_CREDENTIALS });
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => c.send(msg('+6281234567890', { text: '  ' })), 'text'],
      [() => c.send(msg('+6281234567890', { text: undefined })), 'text'],
      [() => c.send(msg('12')), 'to'],
      [() => c.send(msg('+6281234567890', { template: { name: 't', params: [] } })), 'template'],
      [() => c.send(msg('+6281234567890', { smsFallback: { template: 't', params: [] } })), 'smsFallback'],
      [() => c.getStatus('abc'), 'rpt'],
      [() => c.downloadReport({ start: '2024-01-01', end: '01-01-2024' }), 'start'],
      [() => c.downloadReport({ start: '02-01-2024', end: '01-01-2024' }), 'end'],
    ];
    for (const [call, field] of cases)
      await rejectsWith(call(), BadRequestError, (e) => {
        assert.equal(e.field, field);
        assert.match(e.message, new RegExp(field));
      });
    assert.equal(quiet.requests.length, 0);
  });

  test('the number goes out as 62… digits, on send.php (GET) or send_post.php (POST)', async () => {
    for (const [method, path] of [
      ['GET', '/send.php'],
      ['POST', '/send_post.php'],
    ] as const) {
      const c = new SmsMaskingProvider({ baseUrl: quiet.url, ...SMS_MASKING_SANDBOX_CREDENTIALS, method });
      assert.equal(c.buildSendRequest(msg('0812 3456 7890')).hp, '6281234567890');
      await c.send(msg('0812 3456 7890'));
      assert.deepEqual(
        [quiet.requests.at(-1)?.method, quiet.requests.at(-1)?.path, quiet.requests.at(-1)?.recipient],
        [method, path, '6281234567890'],
      );
    }
  });
});
