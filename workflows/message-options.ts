// The retry policies of a message's calls. A message workflow gives them to its activities; a
// campaign's recipients follow the same policies for their batched calls (recipient-runner.ts).
import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_PROVIDER_ERRORS } from '../domain/failures.js';

export interface CallPolicy {
  initialMs: number;
  coefficient: number;
  maxMs: number;
  maxAttempts: number;
  nonRetryable: readonly string[];
}

/** A send and a number check. */
export const SEND_POLICY: CallPolicy = {
  initialMs: 1_000,
  coefficient: 2,
  maxMs: 60_000,
  maxAttempts: 6,
  nonRetryable: NON_RETRYABLE_PROVIDER_ERRORS,
};
export const PICK_PROVIDER_POLICY: CallPolicy = {
  initialMs: 1_000,
  coefficient: 2,
  maxMs: 100_000,
  maxAttempts: 3,
  nonRetryable: [],
};
export const FETCH_STATUS_POLICY: CallPolicy = {
  initialMs: 2_000,
  coefficient: 2,
  maxMs: 200_000,
  maxAttempts: 3,
  nonRetryable: NON_RETRYABLE_PROVIDER_ERRORS,
};

/** The activity options of a call under `policy`. */
export function activityOptions(startToCloseTimeout: string, policy: CallPolicy): ActivityOptions {
  return {
    startToCloseTimeout,
    retry: {
      initialInterval: policy.initialMs,
      backoffCoefficient: policy.coefficient,
      maximumInterval: policy.maxMs,
      maximumAttempts: policy.maxAttempts,
      nonRetryableErrorTypes: [...policy.nonRetryable],
    },
  };
}

export const SEND_OPTIONS = activityOptions('30 seconds', SEND_POLICY);
export const PICK_PROVIDER_OPTIONS = activityOptions('10 seconds', PICK_PROVIDER_POLICY);
export const FETCH_STATUS_OPTIONS = activityOptions('30 seconds', FETCH_STATUS_POLICY);
