// Every signal, query and update of kurir's workflows, defined once and shared by the
// workflows, the relay, the API and the typed client.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { MessageStatus, StatusUpdate } from './types.js';

/** A provider status for one of the message's provider messages (relay or poll). */
export const statusUpdateSignal = defineSignal<[StatusUpdate]>('statusUpdate');
export const messageStatusQuery = defineQuery<MessageStatus>('status');
/** Stop sending further steps; answers whether anything was still pending. */
export const cancelMessageUpdate = defineUpdate<{ canceled: boolean }, [{ reason?: string }]>('cancel');
/** The same as a signal, for clients that cannot send updates. */
export const cancelMessageSignal = defineSignal<[{ reason?: string }]>('cancelSignal');

export const MESSAGE_WORKFLOW_TYPE = 'message';
