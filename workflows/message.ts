// One message to one recipient through ordered steps with fallback rules (sequential), or
// through every step at once (parallel). Timers are Temporal timers: days-long waits are free.
// The state machine is workflows/message-run.ts; this workflow gives it its own activities,
// timers and event outbox, and answers signals, the status query and the cancel update.
import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { MessageActivities } from '../activities/message-activities.js';
import { OUTCOME } from '../domain/search-attributes.js';
import { FETCH_STATUS_OPTIONS, PICK_PROVIDER_OPTIONS, SEND_OPTIONS } from './message-options.js';
import {
  cancelMessageSignal,
  cancelMessageUpdate,
  messageStatusQuery,
  statusUpdateSignal,
  statusUpdatesSignal,
} from './messages.js';
import { createMessageRun, type MessageEnv } from './message-run.js';
import type { MessageResult } from './types.js';
import type { MessageInputRaw } from '../schemas/message.js';
import { providerSendQueue } from './task-queues.js';
import { EVENT_HOLD_MS } from './message-events.js';
import { EventOutbox } from './event-outbox.js';
import { WakeTimer } from './wake-timer.js';

const { checkNumber } = proxyActivities<MessageActivities>(SEND_OPTIONS);

/** The send activity on the provider's own task queue, where the server enforces its rate cap. */
function sendStepFor(provider: string): MessageActivities['sendStep'] {
  // Time on the paced queue counts against schedule-to-start, not the send's own timeout.
  return proxyActivities<MessageActivities>({
    ...SEND_OPTIONS,
    taskQueue: providerSendQueue(workflowInfo().taskQueue, provider),
  }).sendStep;
}
const { pickProvider } = proxyActivities<MessageActivities>(PICK_PROVIDER_OPTIONS);

const { fetchStatus } = proxyActivities<MessageActivities>(FETCH_STATUS_OPTIONS);

export async function message(raw: MessageInputRaw): Promise<MessageResult> {
  const outbox = new EventOutbox(EVENT_HOLD_MS);
  const env: MessageEnv = {
    messageId: workflowInfo().workflowId,
    events: outbox,
    checkNumber,
    pickProvider,
    sendStep: (input) => sendStepFor(input.step.provider)(input),
    fetchStatus,
    waiter: () => new WakeTimer(),
  };
  const run = createMessageRun(raw, env);

  setHandler(statusUpdateSignal, run.receive);
  setHandler(statusUpdatesSignal, (updates) => {
    for (const u of updates) run.receive(u);
  });
  setHandler(cancelMessageSignal, () => {
    run.cancel();
  });
  let updatesAnswered = 0;
  setHandler(cancelMessageUpdate, () => {
    updatesAnswered++;
    return run.cancel();
  });
  setHandler(messageStatusQuery, run.status);

  const result = await run.run();
  upsertSearchAttributes([{ key: OUTCOME, value: result.outcome }]);
  run.events.completed(result);
  await outbox.drained();
  // Answer a cancel update in a task that does not also complete the workflow (see otp.ts). Only an
  // update's answer can be lost that way, so without one the extra timer and task are saved.
  await condition(allHandlersFinished);
  if (updatesAnswered > 0) await sleep(1);
  return result;
}
