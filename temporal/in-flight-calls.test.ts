// InFlightCalls against the dev server: idle() waits for a call in flight (through the SDK's retry
// interceptor, which stays in the chain) and answers at once when there is none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Connection } from '@temporalio/client';
import { InFlightCalls } from './in-flight-calls.js';

test('idle() resolves only after the calls in flight have their final status', async () => {
  const inFlight = new InFlightCalls();
  const connection = await Connection.connect({
    address: process.env.TEMPORAL_ADDRESS!,
    interceptors: inFlight.interceptors(),
  });
  try {
    await inFlight.idle(5_000);
    let settled = 0;
    const calls = Array.from({ length: 5 }, () =>
      connection.workflowService.getSystemInfo({}).then(() => {
        settled++;
      }),
    );
    assert.equal(settled, 0);
    await inFlight.idle(10_000);
    assert.equal(settled, 5, 'every call had its answer before idle() resolved');
    await Promise.all(calls);
    // A failing call counts too: it ends with its (non-retryable) error status.
    const failing = connection.workflowService.describeNamespace({ namespace: 'no-such-namespace-kurir' }).then(
      () => 'answered',
      () => 'failed',
    );
    await inFlight.idle(10_000);
    assert.equal(await Promise.race([failing, Promise.resolve('still pending')]), 'failed');
  } finally {
    await connection.close();
  }
});

test('a call on a closed connection ends CANCELLED, never a "Channel has been shut down" throw', async () => {
  const connection = await Connection.connect({
    address: process.env.TEMPORAL_ADDRESS!,
    interceptors: new InFlightCalls().interceptors(),
  });
  await connection.workflowService.getSystemInfo({});
  await connection.close();
  // What the retry interceptor does from its timer after a close: issue the call again.
  await assert.rejects(
    async () => connection.workflowService.getSystemInfo({}),
    (err: Error & { code?: number }) => err.code === 1 && /connection is closed/.test(err.message),
  );
});
