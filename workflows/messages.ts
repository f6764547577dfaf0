// Every signal, query and update of kurir's workflows, defined once and shared by the
// workflows, the relay, the API and the typed client.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CampaignProgress } from './campaign-types.js';
import type { OtpState, ResendResult, VerifyResult } from './otp-types.js';
import type { MessageStatus, StatusUpdate } from './types.js';

/** A provider status for one of the message's provider messages (relay or poll). */
export const statusUpdateSignal = defineSignal<[StatusUpdate]>('statusUpdate');
/** Several statuses in the order they arrived: the relay's batch for one workflow (one task, not one each). */
export const statusUpdatesSignal = defineSignal<[StatusUpdate[]]>('statusUpdates');
export const messageStatusQuery = defineQuery<MessageStatus>('status');
/** Stop sending further steps; answers whether anything was still pending. */
export const cancelMessageUpdate = defineUpdate<{ canceled: boolean }, [{ reason?: string }]>('cancel');
/** The same as a signal, for clients that cannot send updates. */
export const cancelMessageSignal = defineSignal<[{ reason?: string }]>('cancelSignal');

export const MESSAGE_WORKFLOW_TYPE = 'message';

// OTP

/** Engine mode: the submitted code, hashed by the caller (HMAC), never the code itself. */
export const verifyOtpUpdate = defineUpdate<VerifyResult, [{ codeHash: string }]>('verify');
/** Provider mode: the provider's verdict on the submitted code. */
export const providerVerdictUpdate = defineUpdate<VerifyResult, [{ verified: boolean }]>('providerVerdict');
export const resendOtpUpdate = defineUpdate<ResendResult, []>('resend');
/** Answers when the first code is out (use with update-with-start); fails when it could not be sent. */
export const firstSendUpdate = defineUpdate<ResendResult, []>('firstSend');
export const cancelOtpUpdate = defineUpdate<VerifyResult, []>('cancelOtp');
export const otpStatusQuery = defineQuery<OtpState>('otpStatus');
export const OTP_WORKFLOW_TYPE = 'otp';

// Campaigns

/** Stop starting new sends (in-flight ones go on) until resumed. */
export const pauseCampaignSignal = defineSignal('pauseCampaign');
export const resumeCampaignSignal = defineSignal('resumeCampaign');
/** Stop starting new sends for good: in-flight ones finish, the rest are recorded not_sent. */
export const cancelCampaignSignal = defineSignal<[{ reason?: string }]>('cancelCampaign');
export const campaignProgressQuery = defineQuery<CampaignProgress>('progress');
/** A recipient's message while it runs in its campaign (by message id, `<campaignId>:<recipientId>`). */
export const recipientStatusQuery = defineQuery<MessageStatus | undefined, [string]>('recipientStatus');
export const CAMPAIGN_WORKFLOW_TYPE = 'campaign';
