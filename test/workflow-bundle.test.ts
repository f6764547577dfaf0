// The workflow bundle's stack traces (workers/workflow-bundler-options.ts): at most
// WORKFLOW_STACK_TRACE_LIMIT frames, to keep the SDK's per-promise stack capture cheap, and still
// mapped to the TypeScript sources.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { WORKFLOW_STACK_TRACE_LIMIT } from '../workers/workflow-bundler-options.js';
import { scriptedNumber } from './helpers/numbers.js';
import { startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack({ logLevel: 'warn' });
});
after(async () => {
  await stack?.stop();
});

test('an error made in workflow code keeps WORKFLOW_STACK_TRACE_LIMIT frames, mapped to .ts sources', async () => {
  // Started past the API's validation: the workflow's own check throws, several calls deep.
  const input = {
    to: scriptedNumber(),
    steps: [{ channel: 'sms', provider: 'sms-masking', text: 'hi' }],
    pollAfter: 'soon',
  };
  const err = await stack.client.workflow
    .execute('message', { taskQueue: stack.taskQueue, workflowId: `msg_test_${randomUUID()}`, args: [input] })
    .then(
      () => assert.fail('the workflow accepted a bad duration'),
      (e: unknown) => e,
    );
  assert.ok(err instanceof WorkflowFailedError);
  assert.match(err.cause?.message ?? '', /pollAfter/);
  const frames = (err.cause?.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  assert.ok(frames.length > 0, `no frame in ${err.cause?.stack}`);
  assert.ok(
    frames.length <= WORKFLOW_STACK_TRACE_LIMIT,
    `more than ${WORKFLOW_STACK_TRACE_LIMIT} frames:\n${err.cause?.stack}`,
  );
  for (const frame of frames) assert.match(frame, /\.ts:\d+:\d+\)?$/, `a frame not mapped to a source: ${frame}`);
});
