// The Temporal SDK's logs in kurir's logger: the SDK's own chatter at warn, kurir's workflow and
// activity lines at LOG_LEVEL (issue #21 item 5).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { LogEntry, LogLevel } from '@temporalio/worker';
import { pino } from 'pino';
import { chatterLevel, sdkLogSink } from './runtime.js';

function capture(level: string) {
  const lines: { msg: string; component?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string; component?: string });
      done();
    },
  });
  return { lines, sink: sdkLogSink(pino({ level }, stream)) };
}

const entry = (level: LogLevel, message: string, sdkComponent: string): LogEntry => ({
  level,
  message,
  meta: { sdkComponent },
  timestampNanos: 0n,
});

test("at info: the SDK's info lines are dropped, its warnings and kurir's info lines kept", () => {
  const { lines, sink } = capture('info');
  sink(entry('INFO', 'Worker state changed', 'worker'));
  sink(entry('INFO', 'core chatter', 'core'));
  sink(entry('WARN', 'worker warning', 'worker'));
  sink(entry('WARN', 'No workflows registered, not polling for workflow tasks', 'worker'));
  sink(entry('INFO', 'inbox poll done', 'activity'));
  sink(entry('INFO', 'events stored', 'workflow'));
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['worker warning', 'inbox poll done', 'events stored'],
  );
  assert.ok(lines.every((l) => l.component === 'temporal'));
});

test('LOG_LEVEL=debug lets the chatter through; a quieter level stays quieter', () => {
  assert.equal(chatterLevel('info'), 'warn');
  assert.equal(chatterLevel('debug'), 'debug');
  assert.equal(chatterLevel('trace'), 'trace');
  assert.equal(chatterLevel('error'), 'error');
  assert.equal(chatterLevel('silent'), 'silent');
  const { lines, sink } = capture('debug');
  sink(entry('INFO', 'Worker state changed', 'worker'));
  assert.equal(lines.length, 1);
});
