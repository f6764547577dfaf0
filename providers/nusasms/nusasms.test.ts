// NusaSMS adapter over real HTTP: the client against its sandbox (and a stub answering the
// document's exact bodies), callbacks captured by a node:http receiver and parsed.
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
import { startNusaSmsSandbox } from '../../sandboxes/nusasms.js';
import { nusasmsCallbackEndpoints, parseNusaSmsCallback } from './callbacks.js';
import { NusaSmsProvider, NUSASMS_SANDBOX_CREDENTIALS } from './client.js';
import { NUSASMS_CODES } from './statuses.js';
import { readFlatXml } from './xml.js';

/** A stub NusaSMS answering whatever body the test sets, to replay the document's samples over HTTP. */
async function startStub(): Promise<{
  url: string;
  reply: { status: number; body: string; type: string };
  close(): Promise<void>;
}> {
  const stub = { url: '', reply: { status: 200, body: '', type: 'application/json' }, close: () => close(server) };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(stub.reply.status, { 'content-type': stub.reply.type }).end(stub.reply.body));
  });
  stub.url = await listen(server);
  return stub;
}

let counter = 100;
/** +62812 <unique> <whatsapp code>. */
const number = (code = '000') => `+62812${String(++counter).padStart(6, '0')}${code}`;
const msg = (to: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  to,
  reference: 'wf-1/step-0',
  text: 'Order A-1 shipped',
  ...extra,
});

const TOKEN = 'cb-secret';
let receiver: Receiver;
let sandbox: RunningSandbox;
let client: NusaSmsProvider;

before(async () => {
  receiver = await startReceiver();
  sandbox = await startNusaSmsSandbox({
    callbackUrl: `${receiver.url}/callbacks/nusasms?token=${TOKEN}`,
    callbackDelayMs: 20,
    callbackRetryDelayMs: 20,
    slowMs: 600,
    credits: 500,
  });
  client = new NusaSmsProvider({ baseUrl: sandbox.url, ...NUSASMS_SANDBOX_CREDENTIALS, timeoutMs: 300 });
});
after(async () => {
  await sandbox.close();
  await receiver.close();
});

function eventsFor(id: string): StatusEvent[] {
  return receiver.hits
    .filter((h) => h.query.ref_no === id)
    .flatMap((h) => {
      const parsed = nusasmsCallbackEndpoints[0]!.parse(h);
      assert.equal(parsed.kind, 'status');
      return parsed.kind === 'status' ? parsed.events : [];
    });
}

const sends = (to: string) => sandbox.requests.filter((r) => r.recipient === to.replace(/\D/g, '')).length;

describe('status and error codes', () => {
  // The document's table, with the class each code must raise (0 is success).
  const EXPECTED: Record<string, [ErrorClass | null, CanonicalStatus]> = {
    '0': [null, 'accepted'],
    '-1': [ProviderUnavailableError, 'failed'],
    '-2': [InsufficientCreditError, 'failed'],
    '-3': [SendRejectedError, 'failed'],
    '-5': [AuthenticationError, 'failed'],
    '-6': [BadRequestError, 'failed'],
    '-7': [InsufficientCreditError, 'failed'],
    '-10': [SendRejectedError, 'failed'],
    '-11': [InvalidNumberError, 'invalid_number'],
    '-12': [BadRequestError, 'failed'],
    '-13': [InvalidNumberError, 'invalid_number'],
    '-22': [BadRequestError, 'failed'],
    '-23': [ProviderUnavailableError, 'failed'],
    '-26': [ProviderUnavailableError, 'failed'],
    '-27': [BadRequestError, 'failed'],
    '-28': [BadRequestError, 'failed'],
    '-30': [BadRequestError, 'failed'],
    '-33': [BadRequestError, 'failed'],
    '-34': [SendRejectedError, 'failed'],
    '-40': [AuthenticationError, 'failed'],
    '-77': [SendRejectedError, 'failed'],
    '-78': [SendRejectedError, 'failed'],
    '-88': [SendRejectedError, 'failed'],
    '-99': [ProviderUnavailableError, 'failed'],
  };

  test('every documented code is in the table with the specified status', () => {
    assert.deepEqual(Object.keys(NUSASMS_CODES).sort(), Object.keys(EXPECTED).sort());
    for (const [code, [, status]] of Object.entries(EXPECTED)) assert.equal(NUSASMS_CODES[code]?.status, status, code);
  });

  test('every code answered over HTTP, in JSON and XML, maps to its named error', async () => {
    const stub = await startStub();
    try {
      const c = new NusaSmsProvider({ baseUrl: stub.url, username: 'u', password: 'p' });
      for (const [code, [cls]] of Object.entries(EXPECTED)) {
        for (const xml of [false, true]) {
          stub.reply = xml
            ? {
                status: 200,
                type: 'text/xml',
                body: `<?xml version="1.0" encoding="UTF-8"?><results><result><status>${code}</status><messageid>${code === '0' ? '42' : ''}</messageid><destination>6281234567890</destination></result></results>`,
              }
            : {
                status: 200,
                type: 'application/json',
                body: JSON.stringify({
                  results: [{ status: code, messageid: code === '0' ? '42' : '', destination: '6281234567890' }],
                }),
              };
          if (cls === null) {
            const r = await c.send(msg('+6281234567890'));
            assert.deepEqual([r.providerMessageId, r.status], ['42', 'accepted']);
          } else {
            await rejectsWith(c.send(msg('+6281234567890')), cls, (e) => {
              assert.equal(e.providerCode, code);
              assert.match(e.message, /nusasms/);
              assert.match(e.message, new RegExp(code));
            });
          }
        }
      }
      // -11/-13 name the GSM parameter; an undocumented code is a retryable vendor error.
      stub.reply = {
        status: 200,
        type: 'application/json',
        body: '{"results":[{"status":"-13","messageid":"","destination":"x"}]}',
      };
      await rejectsWith(c.send(msg('+6281234567890')), InvalidNumberError, (e) => assert.equal(e.field, 'GSM'));
      stub.reply = { status: 200, type: 'application/json', body: '{"results":[{"status":-55,"messageid":""}]}' };
      await rejectsWith(c.send(msg('+6281234567890')), ProviderUnavailableError);
    } finally {
      await stub.close();
    }
  });

  test("the document's sample bodies parse", async () => {
    const samples: Array<[string, string, ErrorClass | string]> = [
      [
        'text/xml',
        `<?xml version="1.0" encoding="UTF-8"?>\n<results>\n     <result>\n          <status>0</status>\n          <messageid>175041319203754627</messageid>\n          <destination>6285100803380</destination>\n     </result>\n</results>`,
        '175041319203754627',
      ],
      [
        'application/json',
        '{"results":[{"status":"0","messageid":"175041319203754627","destination":"6285100803380"}]}',
        '175041319203754627',
      ],
      [
        'text/xml',
        `<?xml version="1.0" encoding="UTF-8"?>\n<results>\n     <result>\n          <status>-5</status>\n          <messageid></messageid>\n          <destination>6285100803380</destination>\n     </result>\n</results>`,
        AuthenticationError,
      ],
      [
        'application/json',
        '{"results":[{"status":"-5","messageid":"","destination":"6285100803380"}]}',
        AuthenticationError,
      ],
      [
        'text/xml',
        `<?xml version="1.0" encoding="UTF-8"?> \n  <results> \n     <result> \n       <status>-13</status> \n       <messageid></messageid> \n       <destination>085100803380</destination> \n    </result>\n</results>`,
        InvalidNumberError,
      ],
      [
        'application/json',
        '{"results":[{"status":"-13","messageid":"","destination":"6285100803380"}]}',
        InvalidNumberError,
      ],
    ];
    const stub = await startStub();
    try {
      const c = new NusaSmsProvider({ baseUrl: stub.url, username: 'u', password: 'p', method: 'GET', output: 'xml' });
      for (const [type, body, expected] of samples) {
        stub.reply = { status: 200, type, body };
        if (typeof expected === 'string')
          assert.equal((await c.send(msg('+6285100803380'))).providerMessageId, expected);
        else await rejectsWith(c.send(msg('+6285100803380')), expected);
      }
    } finally {
      await stub.close();
    }
    // The callback example, as the query string NusaSMS sends and as the JSON the document prints.
    const sample = { ref_no: '053380444905641291', status: 'D', sent_date: '2017-09-25 17:49:05.0', err_code: '0' };
    for (const req of [
      { method: 'GET', query: sample, headers: {}, body: undefined },
      { method: 'GET', query: {}, headers: {}, body: sample },
    ]) {
      const parsed = parseNusaSmsCallback(req);
      assert.equal(parsed.kind, 'status');
      if (parsed.kind !== 'status') return;
      assert.equal(parsed.events[0]?.providerMessageId, '053380444905641291');
      assert.equal(parsed.events[0]?.status, 'delivered');
      assert.equal(parsed.events[0]?.providerCode, 'D');
    }
  });

  test('callback letters, err_code and malformed callbacks', () => {
    const parse = (query: Record<string, string>) => {
      const p = parseNusaSmsCallback({
        method: 'GET',
        query: { token: TOKEN, ...query },
        headers: {},
        body: undefined,
      });
      assert.equal(p.kind, 'status');
      return p.kind === 'status' ? p.events[0]! : assert.fail('not a status');
    };
    const table: Array<[string, string, CanonicalStatus]> = [
      ['S', '0', 'sent'],
      ['D', '0', 'delivered'],
      ['F', '-88', 'failed'],
      ['F', '-13', 'invalid_number'],
      ['U', '-11', 'invalid_number'],
      ['E', '0', 'expired'],
      ['d', '0', 'delivered'],
    ];
    for (const [status, err_code, expected] of table)
      assert.equal(
        parse({ ref_no: '1', status, err_code, sent_date: '2024-01-02 03:04:05.0' }).status,
        expected,
        `${status}/${err_code}`,
      );
    // sent_date (Jakarta time) dates the "sent" report; extra fields are kept in raw, not rejected.
    const sent = parse({ ref_no: '7', status: 'S', sent_date: '2024-01-02 10:04:05.0', err_code: '0', extra: 'x' });
    assert.equal(sent.occurredAt.toISOString(), '2024-01-02T03:04:05.000Z');
    assert.deepEqual(sent.raw, {
      ref_no: '7',
      status: 'S',
      sent_date: '2024-01-02 10:04:05.0',
      err_code: '0',
      extra: 'x',
    });
    assert.throws(
      () => parse({ status: 'D' }),
      (e: unknown) => e instanceof BadRequestError && e.field === 'ref_no',
    );
    assert.throws(
      () => parse({ ref_no: '1' }),
      (e: unknown) => e instanceof BadRequestError && e.field === 'status',
    );
    // A letter the document does not list is kept, never refused: unmapped with its raw value.
    const odd = parse({ ref_no: '1', status: 'Z' });
    assert.deepEqual([odd.status, odd.rawStatus], ['unmapped', 'Z']);
    // R is not read: the document does not say, and R is "rejected" in other DLR vocabularies.
    const r = parse({ ref_no: '1', status: 'R', err_code: '0' });
    assert.deepEqual([r.status, r.rawStatus], ['unmapped', 'R']);
    // A number where the document shows a letter.
    assert.deepEqual(
      [parse({ ref_no: '1', status: '2' }).status, parse({ ref_no: '1', status: '2' }).rawStatus],
      ['unmapped', '2'],
    );
    // Through the endpoint, only a report that names no message is refused.
    const endpoint = nusasmsCallbackEndpoints[0]!;
    const viaEndpoint = (query: Record<string, string>) =>
      endpoint.parse({ method: 'GET', query: { token: TOKEN, ...query }, headers: {}, body: undefined });
    const noStatus = viaEndpoint({ ref_no: '1' });
    assert.equal(noStatus.kind === 'status' && noStatus.events[0]?.status, 'unmapped');
    assert.throws(() => viaEndpoint({ status: 'D' }), BadRequestError);
  });

  test('-10 is a non-retryable rejection that names the OTP route the account needs', async () => {
    const stub = await startStub();
    try {
      const c = new NusaSmsProvider({ baseUrl: stub.url, username: 'u', password: 'p' });
      stub.reply = { status: 200, type: 'application/json', body: '{"results":[{"status":"-10","messageid":""}]}' };
      await rejectsWith(c.send(msg('+6281234567890', { text: 'Your code is 123456' })), SendRejectedError, (e) => {
        assert.equal(e.retryable, false);
        assert.match(e.message, /NusaSMS account needs an OTP route for OTP texts/);
      });
    } finally {
      await stub.close();
    }
  });

  test('DR answers: a report, "no report yet" ([]), or an unreadable shape (counted, thrown, never [])', async () => {
    const stub = await startStub();
    const unparsed: string[] = [];
    try {
      const c = new NusaSmsProvider({
        baseUrl: stub.url,
        username: 'u',
        password: 'secret-pw',
        onLookupUnparsed: (d) => unparsed.push(d),
      });
      const json = (body: string) => ({ status: 200, type: 'application/json', body });
      const xml = (body: string) => ({ status: 200, type: 'text/xml', body });
      const reports: Array<[{ status: number; type: string; body: string }, ReportedStatus]> = [
        [json('{"results":[{"status":"0","ref_no":"9","dr_status":"D","err_code":"0"}]}'), 'delivered'],
        [
          json('{"results":[{"ref_no":"9","status":"D","sent_date":"2017-09-25 17:49:05.0","err_code":"0"}]}'),
          'delivered',
        ],
        [xml('<results><result><status>0</status><dr_status>R</dr_status></result></results>'), 'unmapped'],
        [{ status: 200, type: 'text/plain', body: 'D' }, 'delivered'],
      ];
      for (const [reply, status] of reports) {
        stub.reply = reply;
        assert.deepEqual(
          (await c.getStatus('9')).map((e) => e.status),
          [status],
          reply.body,
        );
      }
      // Asked well, no report yet: the request code 0 with an empty dr_status.
      for (const reply of [
        json('{"results":[{"status":"0","ref_no":"9","dr_status":""}]}'),
        xml('<results><result><status>0</status><dr_status/></result></results>'),
      ]) {
        stub.reply = reply;
        assert.deepEqual(await c.getStatus('9'), [], reply.body);
      }
      assert.equal(unparsed.length, 0);
      const blind = [
        json('{"results":[{"status":"0","ref_no":"9"}]}'),
        json('{"results":[]}'),
        json('{"delivery":"ok"}'),
        { status: 200, type: 'text/html', body: '<html><body>Maintenance secret-pw</body></html>' },
        { status: 200, type: 'text/plain', body: '' },
        { status: 200, type: 'text/plain', body: 'unknown command' },
      ];
      for (const reply of blind) {
        stub.reply = reply;
        await rejectsWith(c.getStatus('9'), ProviderUnavailableError, (e) => {
          assert.match(e.message, /DR answered in a shape kurir cannot read/);
          assert.doesNotMatch(e.message, /secret-pw/);
        });
      }
      assert.equal(unparsed.length, blind.length);
      // A documented error code is still that error, not an unreadable answer.
      stub.reply = json('{"results":[{"status":"-5"}]}');
      await rejectsWith(c.getStatus('9'), AuthenticationError);
      assert.equal(unparsed.length, blind.length);
    } finally {
      await stub.close();
    }
  });

  test('the callback endpoint: GET /callbacks/nusasms, token in the query, 200 plain-text ack', () => {
    assert.equal(nusasmsCallbackEndpoints.length, 1);
    const e = nusasmsCallbackEndpoints[0]!;
    assert.deepEqual([e.provider, e.method, e.path, e.auth], ['nusasms', 'GET', '/callbacks/nusasms', 'token-query']);
    assert.deepEqual(e.ack, { status: 200, body: 'OK', contentType: 'text/plain' });
  });

  test('the XML reader copes with entities, CDATA, empty and self-closing elements', () => {
    assert.deepEqual(
      readFlatXml(
        '<results><result><status>0</status><messageid/><destination>a &amp; b</destination><note><![CDATA[<x>]]></note></result><result><status>-5</status></result></results>',
      ),
      [{ status: '0', messageid: '', destination: 'a & b', note: '<x>' }, { status: '-5' }],
    );
    assert.deepEqual(readFlatXml('<?xml version="1.0"?><credits>12</credits>'), [{ credits: '12' }]);
  });
});

describe('sandbox over HTTP', () => {
  // The document shows one report, D: that is all a normal message gets (no S, no R). 603's F/-88
  // is an explicit assumption; 611/612 are the surprises (a letter and a number not in the document).
  const scripted: Array<[string, ReportedStatus[]]> = [
    ['000', ['delivered']],
    ['604', ['delivered']],
    ['605', []],
    ['603', ['failed']],
    ['608', ['delivered', 'delivered']],
    ['611', ['unmapped', 'delivered']],
    ['612', ['unmapped', 'delivered']],
  ];
  for (const [code, expected] of scripted) {
    test(`…${code}: callbacks parse to ${expected.join(', ')}`, async () => {
      for (const method of ['GET', 'POST'] as const) {
        const c = new NusaSmsProvider({
          baseUrl: sandbox.url,
          ...NUSASMS_SANDBOX_CREDENTIALS,
          method,
          output: method === 'GET' ? 'xml' : 'json',
        });
        const to = number(code);
        const sent = await c.send(msg(to));
        assert.equal(sent.status, 'accepted');
        assert.match(sent.providerMessageId, /^\d+$/);
        const events = await waitFor('callbacks', () =>
          eventsFor(sent.providerMessageId).length >= expected.length ? eventsFor(sent.providerMessageId) : undefined,
        );
        await new Promise((r) => setTimeout(r, 60)); // nothing more arrives
        assert.deepEqual(
          eventsFor(sent.providerMessageId).map((e) => e.status),
          expected,
        );
        for (const e of events)
          assert.deepEqual([e.provider, e.providerMessageId], ['nusasms', sent.providerMessageId]);
        if (expected.length > 0)
          assert.equal(receiver.hits.find((h) => h.query.ref_no === sent.providerMessageId)?.query.token, TOKEN);
        // The DR command agrees with the last report ([] while there is none: 605).
        const last = (await c.getStatus(sent.providerMessageId)).at(-1);
        assert.equal(last?.status, expected.at(-1));
        assert.equal(sends(to), 1);
      }
    });
  }

  test('…601 is an invalid number (-11), …602 a rejection (-88): no callbacks', async () => {
    await rejectsWith(client.send(msg(number('601'))), InvalidNumberError, (e) => assert.equal(e.providerCode, '-11'));
    await rejectsWith(client.send(msg(number('602'))), SendRejectedError, (e) => assert.equal(e.providerCode, '-88'));
  });

  test('…606: no callbacks, the DR command finds the status', async () => {
    const sent = await client.send(msg(number('606')));
    const deadline = Date.now() + 5_000;
    let status: ReportedStatus | undefined;
    while (status !== 'delivered' && Date.now() < deadline) {
      status = (await client.getStatus(sent.providerMessageId)).at(-1)?.status;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 'delivered');
    assert.equal(eventsFor(sent.providerMessageId).length, 0);
  });

  test('…607: the first send answers 503, the retry succeeds', async () => {
    const to = number('607');
    await rejectsWith(client.send(msg(to)), ProviderUnavailableError, (e) => assert.equal(e.httpStatus, 503));
    assert.match((await client.send(msg(to))).providerMessageId, /^\d+$/);
    assert.equal(sends(to), 2);
  });

  test('…610: the first send times out, the retry succeeds', async () => {
    const to = number('610');
    await rejectsWith(client.send(msg(to)), ProviderUnavailableError, (e) => assert.match(e.message, /timed out/));
    assert.match((await client.send(msg(to))).providerMessageId, /^\d+$/);
  });

  test('…609: every callback arrives before the send answer', async () => {
    const patient = new NusaSmsProvider({ baseUrl: sandbox.url, ...NUSASMS_SANDBOX_CREDENTIALS, timeoutMs: 5_000 });
    const sent = await patient.send(msg(number('609')));
    assert.deepEqual(
      eventsFor(sent.providerMessageId).map((e) => e.status),
      ['delivered'],
    );
  });

  test('a callback the receiver refuses is retried', async () => {
    receiver.failNext = 1;
    const sent = await client.send(msg(number('604')));
    const events = await waitFor('retried callback', () =>
      eventsFor(sent.providerMessageId).length ? eventsFor(sent.providerMessageId) : undefined,
    );
    assert.equal(events[0]?.status, 'delivered');
    assert.equal(receiver.failNext, 0);
  });

  test('credits: CREDITS answers the balance, one credit per accepted send', async () => {
    const before = await client.getBalance();
    assert.equal(before.unit, 'credits');
    await client.send(msg(number('604')));
    assert.equal((await client.getBalance()).amount, before.amount - 1);
    const xml = new NusaSmsProvider({ baseUrl: sandbox.url, ...NUSASMS_SANDBOX_CREDENTIALS, output: 'xml' });
    assert.equal((await xml.getBalance()).amount, before.amount - 1);
  });

  test('no credits left is -2: InsufficientCreditError', async () => {
    const broke = await startNusaSmsSandbox({ credits: 0 });
    try {
      const c = new NusaSmsProvider({ baseUrl: broke.url, ...NUSASMS_SANDBOX_CREDENTIALS });
      await rejectsWith(c.send(msg(number())), InsufficientCreditError, (e) => assert.equal(e.providerCode, '-2'));
    } finally {
      await broke.close();
    }
  });

  test('wrong credentials: AuthenticationError on send, credits and DR, without the password in the message', async () => {
    for (const output of ['json', 'xml'] as const) {
      const c = new NusaSmsProvider({
        baseUrl: sandbox.url,
        username: NUSASMS_SANDBOX_CREDENTIALS.username,
        password: 'wrong-pass',
        output,
      });
      for (const call of [() => c.send(msg(number())), () => c.getBalance(), () => c.getStatus('123')]) {
        await rejectsWith(call(), AuthenticationError, (e) => {
          assert.equal(e.providerCode, '-5');
          assert.doesNotMatch(e.message, /wrong-pass/);
        });
      }
    }
  });
});

describe('validation before any HTTP call', () => {
  let quiet: RunningSandbox;
  before(async () => {
    quiet = await startNusaSmsSandbox();
  });
  after(async () => {
    await quiet.close();
  });

  test('requests NusaSMS would reject fail naming the field and make no HTTP call', async () => {
    const c = new NusaSmsProvider({ baseUrl: quiet.url, ...NUSASMS_SANDBOX_CREDENTIALS });
    const cases: Array<[OutboundMessage, string, RegExp]> = [
      [msg('+6281234567890', { text: 'x'.repeat(1001) }), 'text', /text: must be at most 1000 characters/],
      [msg('+6281234567890', { text: '' }), 'text', /text/],
      [msg('+6281234567890', { text: undefined }), 'text', /text/],
      [msg('not a number'), 'to', /to/],
      [msg('+6281234567890', { template: { name: 't', params: [] } }), 'template', /template/],
      [msg('+6281234567890', { media: { type: 'image', url: 'https://x/y.png' } }), 'media', /media/],
    ];
    for (const [m, field, re] of cases)
      await rejectsWith(c.send(m), BadRequestError, (e) => {
        assert.equal(e.field, field);
        assert.match(e.message, re);
      });
    await rejectsWith(c.getStatus(''), BadRequestError, (e) => assert.equal(e.field, 'msgid'));
    assert.equal(quiet.requests.length, 0);
    // 1000 characters (emoji count once each) is within the limit and goes out.
    assert.match((await c.send(msg('+6281234567890', { text: '😀'.repeat(1000) }))).providerMessageId, /^\d+$/);
    assert.equal(quiet.requests.length, 1);
  });

  test('the number goes out as international digits without + or 0', async () => {
    const c = new NusaSmsProvider({ baseUrl: quiet.url, ...NUSASMS_SANDBOX_CREDENTIALS, method: 'GET' });
    assert.equal(c.buildSendRequest(msg('0812-3456-7890')).GSM, '6281234567890');
    await c.send(msg('0812-3456-7890'));
    assert.equal(quiet.requests.at(-1)?.recipient, '6281234567890');
  });
});
