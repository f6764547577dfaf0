// Starting an OTP and talking to it, shared by the REST API and the typed client.
// The start is update-with-start: one call starts the workflow and answers when the code is out.
import { randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes } from '@temporalio/common';
import type { OtpInput } from '../schemas/otp.js';
import {
  firstSendUpdate,
  OTP_WORKFLOW_TYPE,
  otpStatusQuery,
  providerVerdictUpdate,
  resendOtpUpdate,
  verifyOtpUpdate,
} from '../workflows/messages.js';
import type { ResendResult, VerifyResult } from '../workflows/otp-types.js';
import { OTP_REFUSAL } from '../domain/otp-refusals.js';
import { hashOtpCode } from '../lib/crypto/otp-code.js';
import { recipientHash } from '../lib/crypto/recipient-hash.js';
import { RECIPIENT_HASH, REFERENCE } from '../domain/search-attributes.js';

export function newOtpId(): string {
  return `otp_${randomUUID()}`;
}

/** Why an OTP call was refused, with the kind of refusal a caller can act on. */
export class OtpRefusedError extends Error {
  constructor(
    readonly reason: 'send_limit' | 'cooldown' | 'not_pending' | 'send_failed' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'OtpRefusedError';
  }
}

/** The refusal a workflow validator's failure type stands for (domain/otp-refusals.ts); any other failure is a failed send. */
const REASON_OF: Partial<Record<string, OtpRefusedError['reason']>> = {
  [OTP_REFUSAL.sendLimit]: 'send_limit',
  [OTP_REFUSAL.cooldown]: 'cooldown',
  [OTP_REFUSAL.notPending]: 'not_pending',
  [OTP_REFUSAL.invalidCodeHash]: 'invalid',
  [OTP_REFUSAL.engineMode]: 'invalid',
  [OTP_REFUSAL.providerMode]: 'invalid',
  // The provider refused what the caller asked for (a template that does not fit, a bad parameter).
  BadRequestError: 'invalid',
};

/** The failure type of an update the workflow refused or failed, if it has one. */
function failureType(err: unknown): string | undefined {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure
    ? (err.cause.type ?? undefined)
    : undefined;
}

function refusal(err: unknown): never {
  if (err instanceof WorkflowUpdateFailedError) {
    const message = err.cause?.message ?? err.message;
    throw new OtpRefusedError(REASON_OF[failureType(err) ?? ''] ?? 'send_failed', message);
  }
  // The workflow ended (approved, expired, …) as the update arrived: the server answers with an
  // error that has no type of its own, only this text. A code works once; nothing is checked after.
  if (err instanceof Error && /already completed|workflow execution already/i.test(err.message))
    throw new OtpRefusedError('not_pending', 'this OTP is no longer pending');
  throw err;
}

/**
 * An update that found no running workflow: refused as not pending when the OTP exists but has
 * ended (approved, expired, …, as the update arrived); an id that never existed stays not found.
 */
async function refusalAfterEnd(handle: WorkflowHandle, err: unknown): Promise<never> {
  if (err instanceof WorkflowNotFoundError) {
    const ended = await handle.describe().then(
      (d) => d.status.name !== 'RUNNING',
      () => false,
    );
    if (ended) throw new OtpRefusedError('not_pending', 'this OTP is no longer pending');
  }
  return refusal(err);
}

export async function startOtp(
  temporal: Client,
  input: OtpInput,
  opts: { id: string; taskQueue: string; recipientHashKey: string },
): Promise<ResendResult> {
  const pairs = [{ key: RECIPIENT_HASH, value: recipientHash(opts.recipientHashKey, input.to) }];
  if (input.reference) pairs.push({ key: REFERENCE, value: input.reference });
  const startWorkflowOperation = new WithStartWorkflowOperation(OTP_WORKFLOW_TYPE, {
    workflowId: opts.id,
    taskQueue: opts.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: new TypedSearchAttributes(pairs),
  });
  try {
    return await temporal.workflow.executeUpdateWithStart(firstSendUpdate, { args: [], startWorkflowOperation });
  } catch (err) {
    return refusal(err);
  }
}

/** What checks codes of provider-mode OTPs (EngageLab's verification API). */
export interface ProviderVerifier {
  verify(request: { message_id: string; verify_code: string }): Promise<{ verified: boolean }>;
}

/**
 * Engine mode: hashes the code here, so only its HMAC travels to Temporal. Provider mode (the
 * workflow refuses the hash): asks EngageLab, and tells the workflow only the verdict.
 */
export async function verifyOtp(
  temporal: Client,
  hmacKey: string,
  id: string,
  code: string,
  provider?: ProviderVerifier,
): Promise<VerifyResult> {
  const handle = temporal.workflow.getHandle(id);
  try {
    return await handle.executeUpdate(verifyOtpUpdate, { args: [{ codeHash: hashOtpCode(hmacKey, id, code) }] });
  } catch (err) {
    if (failureType(err) !== OTP_REFUSAL.providerMode) return refusalAfterEnd(handle, err);
  }
  if (!provider)
    throw new OtpRefusedError('invalid', 'this OTP is verified by its provider; no provider client is configured here');
  const state = await handle.query(otpStatusQuery);
  if (state.status !== 'pending') throw new OtpRefusedError('not_pending', `verify: this OTP is ${state.status}`);
  const messageId = state.sends.filter((s) => s.providerMessageId).at(-1)?.providerMessageId;
  if (!messageId) throw new OtpRefusedError('not_pending', 'verify: no code has been sent yet');
  const { verified } = await provider.verify({ message_id: messageId, verify_code: code });
  try {
    return await handle.executeUpdate(providerVerdictUpdate, { args: [{ verified }] });
  } catch (err) {
    return refusalAfterEnd(handle, err);
  }
}

export async function resendOtp(temporal: Client, id: string): Promise<ResendResult> {
  const handle = temporal.workflow.getHandle(id);
  try {
    return await handle.executeUpdate(resendOtpUpdate, { args: [] });
  } catch (err) {
    return refusalAfterEnd(handle, err);
  }
}
