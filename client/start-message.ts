// Starting a message workflow, shared by the REST API and the typed client.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { MessageInput } from '../schemas/message.js';
import { MESSAGE_WORKFLOW_TYPE } from '../workflows/messages.js';
import { recipientHash } from '../lib/crypto/recipient-hash.js';
import { RECIPIENT_HASH, REFERENCE } from '../domain/search-attributes.js';

export function newMessageId(): string {
  return `msg_${randomUUID()}`;
}

/** Starts (or, for an id already running or done, attaches to) the message workflow. */
export async function startMessage(
  temporal: Client,
  input: MessageInput,
  opts: { id: string; taskQueue: string; recipientHashKey: string },
) {
  const pairs = [{ key: RECIPIENT_HASH, value: recipientHash(opts.recipientHashKey, input.to) }];
  if (input.reference) pairs.push({ key: REFERENCE, value: input.reference });
  return temporal.workflow.start(MESSAGE_WORKFLOW_TYPE, {
    args: [input],
    workflowId: opts.id,
    taskQueue: opts.taskQueue,
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: new TypedSearchAttributes(pairs),
  });
}
