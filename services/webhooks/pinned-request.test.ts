// The connect path of a webhook: one DNS answer, vetted, and the socket goes to that address even
// when the name would answer differently the second time; new blocked ranges; coarse error classes.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { webhookId } from './dispatcher.js';
import { classifyError, postPinned } from './pinned-request.js';
import { isInternalAddress, resolveVetted, type ResolveAll } from './url-policy.js';

test('NAT64, 6to4, IPv4-compatible and discard prefixes are internal', () => {
  for (const a of [
    '64:ff9b::a9fe:a9fe',
    '64:ff9b:1::1',
    '2002:a9fe:a9fe::1',
    '::a9fe:a9fe',
    '::7f00:1',
    '100::1',
    '::',
    '::1',
    '::ffff:10.0.0.1',
  ]) {
    assert.ok(isInternalAddress(a), `${a} is internal`);
  }
  for (const a of ['2606:4700::1111', '2001:4860:4860::8888', '93.184.216.34'])
    assert.ok(!isInternalAddress(a), `${a} is public`);
});

test('a name that answers public first and internal second: resolved once, the socket goes to the first answer', async () => {
  const server = createServer((req, res) => {
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  let calls = 0;
  // First answer: the local test server (allowed here as "public"); any second answer would be a trap.
  const rebinding: ResolveAll = async () =>
    ++calls === 1 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.255.255.1', family: 4 }];
  try {
    const res = await postPinned({
      url: new URL(`http://hooks.example.test:${port}/x`),
      body: '{}',
      headers: {},
      timeoutMs: 3_000,
      allowPrivate: true,
      resolve: rebinding,
    });
    assert.equal(res.status, 204);
    assert.equal(res.address, '127.0.0.1');
    assert.equal(calls, 1, 'DNS asked once per delivery');
  } finally {
    server.close();
  }
});

test('the host header keeps the name; an internal answer is refused as blocked_address', async () => {
  let host = '';
  const server = createServer((req, res) => {
    host = req.headers.host ?? '';
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    await postPinned({
      url: new URL(`http://hooks.example.test:${port}/`),
      body: '{}',
      headers: {},
      timeoutMs: 3_000,
      allowPrivate: true,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    assert.equal(host, `hooks.example.test:${port}`);
    const refused = await postPinned({
      url: new URL(`http://hooks.example.test:${port}/`),
      body: '{}',
      headers: {},
      timeoutMs: 3_000,
      allowPrivate: false,
      resolve: async () => [{ address: '64:ff9b::a9fe:a9fe', family: 6 }],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal(classifyError(refused), 'blocked_address');
    const nodns = await resolveVetted('x.invalid', {
      allowPrivate: false,
      resolve: async () => {
        throw new Error('ENOTFOUND');
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal(classifyError(nodns), 'dns');
  } finally {
    server.close();
  }
});

test('errors become coarse classes: refused, timeout', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const refused = await postPinned({
    url: new URL(`http://127.0.0.1:${port}/`),
    body: '{}',
    headers: {},
    timeoutMs: 3_000,
    allowPrivate: true,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.equal(classifyError(refused), 'connection_refused');

  const blackHole = createServer(() => undefined);
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  const hole = (blackHole.address() as AddressInfo).port;
  try {
    const started = Date.now();
    const timedOut = await postPinned({
      url: new URL(`http://127.0.0.1:${hole}/`),
      body: '{}',
      headers: {},
      timeoutMs: 300,
      allowPrivate: true,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal(classifyError(timedOut), 'timeout');
    assert.ok(Date.now() - started < 2_000);
  } finally {
    blackHole.closeAllConnections();
    blackHole.close();
  }
});

test('webhook-id is header-safe', () => {
  assert.equal(webhookId('inbound:wappin:abc-1_2'), 'inbound:wappin:abc-1_2');
  const odd = webhookId('inbound:wappin:a b\r\nx: y');
  assert.match(odd, /^evh_[A-Za-z0-9_-]+$/);
  assert.equal(odd, webhookId('inbound:wappin:a b\r\nx: y'), 'stable across retries');
});
