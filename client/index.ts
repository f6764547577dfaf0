// The SDK for application code: `import { Kurir } from '@kurir/client'` (packages/client builds it).
// Messages and OTPs go to Temporal directly (no REST hop), validated with the API's schemas;
// campaigns are created through the REST API, which owns the database.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { messageInputSchema, type MessageInputRaw } from '../schemas/message.js';
import { otpInputSchema, type OtpInputRaw } from '../schemas/otp.js';
import { cancelMessageUpdate, cancelOtpUpdate, messageStatusQuery, otpStatusQuery } from '../workflows/messages.js';
import type { OtpState, ResendResult, VerifyResult } from '../workflows/otp-types.js';
import type { MessageResult, MessageStatus } from '../workflows/types.js';
import { createTemporalClient } from '../temporal/connect.js';
import { KurirConfigError, parseOrThrow } from './errors.js';
import { newMessageId, startMessage } from './start-message.js';
import { newOtpId, resendOtp, startOtp, verifyOtp } from './start-otp.js';
import { streamEvents, type EventStreamFilter, type EventStreamOptions, type KurirEvent } from './events.js';
import type { CampaignSpecRaw } from '../schemas/campaign.js';
import {
  CampaignHandle,
  startCampaignOverRest,
  type CampaignRecipients,
  type StartCampaignOptions,
} from './campaign.js';
import type { RestTarget } from './rest.js';

export { KurirConfigError, KurirValidationError } from './errors.js';
export { OtpRefusedError } from './start-otp.js';
export {
  EventStreamError,
  streamEvents,
  type EventStreamFilter,
  type EventStreamOptions,
  type EventType,
  type KurirEvent,
} from './events.js';
export { signWebhook, verifyWebhookSignature, WebhookVerificationError } from '../lib/crypto/webhook-signature.js';
export { EncryptionKeyError } from '../codec/keys.js';
export { UnknownEncryptionKeyError } from '../codec/aes-gcm-codec.js';
export { CampaignHandle } from './campaign.js';
export { CampaignEmptyError, CampaignExistsError, CampaignNotFoundError } from './campaign-errors.js';
export { KurirApiError } from './rest.js';
export type { CampaignRecipientInput, CampaignRecipients, StartCampaignOptions } from './campaign.js';
export type { CampaignSpecRaw as CampaignSpec } from '../schemas/campaign.js';
export type { CampaignProgress, RecipientStatus } from '../workflows/campaign-types.js';
export type {
  MessageInputRaw as MessageInput,
  OtpInputRaw as OtpInput,
  MessageResult,
  MessageStatus,
  OtpState,
  VerifyResult,
  ResendResult,
};

export interface KurirOptions {
  /** Temporal frontend, default TEMPORAL_ADDRESS or 127.0.0.1:7233. */
  address?: string;
  namespace?: string;
  taskQueue?: string;
  /** Must equal the worker's OTP_HMAC_KEY: codes are hashed here before they reach Temporal. */
  otpHmacKey?: string;
  /**
   * Must equal the API's and worker's RECIPIENT_HASH_KEY (default that variable): messages and OTPs
   * carry the number's keyed hash as a search attribute, so they are found by phone.
   */
  recipientHashKey?: string;
  /** Temporal Cloud API key (implies TLS). */
  apiKey?: string;
  tls?: boolean;
  /**
   * Payload encryption key(s), the worker's KURIR_ENCRYPTION_KEY (`k2:<base64>,k1:<base64>`); default that
   * variable. Set: everything this client sends to Temporal is encrypted and what it reads is decrypted.
   */
  encryptionKey?: string;
  /** The kurir REST API (campaigns are created there), default KURIR_API_URL or http://127.0.0.1:3000; also events()' default. */
  apiUrl?: string;
  /** A key of the API's KURIR_API_KEYS, default KURIR_API_KEY, required for campaigns and events (`apiKey` is Temporal Cloud's). */
  kurirApiKey?: string;
}

export class MessageHandle {
  constructor(
    readonly id: string,
    private readonly handle: WorkflowHandle,
  ) {}
  status(): Promise<MessageStatus> {
    return this.handle.query(messageStatusQuery);
  }
  async result(): Promise<MessageResult> {
    return (await this.handle.result()) as MessageResult;
  }
  cancel(reason?: string): Promise<{ canceled: boolean }> {
    return this.handle.executeUpdate(cancelMessageUpdate, { args: [{ reason }] });
  }
}

export class OtpHandle {
  constructor(
    readonly id: string,
    private readonly kurir: Kurir,
    readonly sent?: ResendResult,
  ) {}
  async verify(code: string): Promise<VerifyResult> {
    return verifyOtp(this.kurir.client, this.kurir.requireOtpHmacKey(), this.id, code);
  }
  resend(): Promise<ResendResult> {
    return resendOtp(this.kurir.client, this.id);
  }
  status(): Promise<OtpState> {
    return this.kurir.client.workflow.getHandle(this.id).query(otpStatusQuery);
  }
  cancel(): Promise<VerifyResult> {
    return this.kurir.client.workflow.getHandle(this.id).executeUpdate(cancelOtpUpdate);
  }
}

export class Kurir {
  private constructor(
    readonly client: Client,
    readonly taskQueue: string,
    private readonly otpHmacKey: string | undefined,
    private readonly rest: RestTarget,
    private readonly recipientHashKey: string | undefined,
  ) {}

  /** The key of the recipient hash every started message and OTP carries; there is no default key. */
  private requireRecipientHashKey(): string {
    if (!this.recipientHashKey)
      throw new KurirConfigError(
        'recipientHashKey',
        "set the API's RECIPIENT_HASH_KEY (the recipientHashKey option or RECIPIENT_HASH_KEY) to start messages and OTPs",
      );
    return this.recipientHashKey;
  }

  /** Codes are hashed here with the worker's OTP_HMAC_KEY before they reach Temporal; there is no default key. */
  requireOtpHmacKey(): string {
    if (!this.otpHmacKey)
      throw new KurirConfigError(
        'otpHmacKey',
        "set the worker's OTP_HMAC_KEY (the otpHmacKey option or OTP_HMAC_KEY) to verify codes",
      );
    return this.otpHmacKey;
  }

  static async connect(options: KurirOptions = {}): Promise<Kurir> {
    const client = await createTemporalClient({
      address: options.address ?? process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      namespace: options.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default',
      ...(options.tls || options.apiKey ? { tls: true } : {}),
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      encryptionKey: options.encryptionKey ?? process.env.KURIR_ENCRYPTION_KEY,
    });
    const otpHmacKey = options.otpHmacKey ?? process.env.OTP_HMAC_KEY;
    return new Kurir(
      client,
      options.taskQueue ?? process.env.TEMPORAL_TASK_QUEUE ?? 'kurir',
      otpHmacKey,
      { apiUrl: options.apiUrl, apiKey: options.kurirApiKey },
      options.recipientHashKey ?? process.env.RECIPIENT_HASH_KEY,
    );
  }

  /** Starts a message; the same `id` twice attaches to the first (no second send). */
  async sendMessage(input: MessageInputRaw, opts: { id?: string } = {}): Promise<MessageHandle> {
    const parsed = parseOrThrow(messageInputSchema, input);
    const id = opts.id ?? newMessageId();
    const handle = await startMessage(this.client, parsed, {
      id,
      taskQueue: this.taskQueue,
      recipientHashKey: this.requireRecipientHashKey(),
    });
    return new MessageHandle(id, handle);
  }

  message(id: string): MessageHandle {
    return new MessageHandle(id, this.client.workflow.getHandle(id));
  }

  /** Starts an OTP and resolves once the first code is out (update-with-start). */
  async startOtp(input: OtpInputRaw, opts: { id?: string } = {}): Promise<OtpHandle> {
    const parsed = parseOrThrow(otpInputSchema, input);
    const id = opts.id ?? newOtpId();
    const sent = await startOtp(this.client, parsed, {
      id,
      taskQueue: this.taskQueue,
      recipientHashKey: this.requireRecipientHashKey(),
    });
    return new OtpHandle(id, this, sent);
  }

  otp(id: string): OtpHandle {
    return new OtpHandle(id, this);
  }
  verifyOtp(id: string, code: string): Promise<VerifyResult> {
    return this.otp(id).verify(code);
  }
  resendOtp(id: string): Promise<ResendResult> {
    return this.otp(id).resend();
  }

  /**
   * Creates the campaign through the REST API (POST /v1/campaigns: it imports the recipients and
   * starts the workflow). Throws KurirValidationError (spec), CampaignEmptyError (no valid
   * recipient), CampaignExistsError (opts.id taken), KurirApiError (any other refusal).
   */
  startCampaign(
    spec: CampaignSpecRaw,
    recipients: CampaignRecipients,
    opts: StartCampaignOptions = {},
  ): Promise<CampaignHandle> {
    return startCampaignOverRest({ rest: this.rest, temporal: this.client }, spec, recipients, opts);
  }

  /** Progress and control of a campaign (through Temporal: the workflow id is the campaign id). */
  campaign(id: string): CampaignHandle {
    return new CampaignHandle(id, this.client.workflow.getHandle(id));
  }

  /** Events as they happen (GET /v1/events on the kurir API, not Temporal): apiUrl/apiKey default to connect's apiUrl/kurirApiKey, then KURIR_API_URL/KURIR_API_KEY. */
  events(filter: EventStreamFilter = {}, options: EventStreamOptions = {}): AsyncGenerator<KurirEvent> {
    return streamEvents(filter, { apiUrl: this.rest.apiUrl, apiKey: this.rest.apiKey, ...options });
  }

  async close(): Promise<void> {
    await this.client.connection.close();
  }
}
