// The typed client for application code: `import { Kurir } from 'kurir/client'`.
// It talks to Temporal directly (no REST hop) and validates input with the API's schemas.
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { messageInputSchema, type MessageInputRaw } from '../schemas/message.js';
import { otpInputSchema, type OtpInputRaw } from '../schemas/otp.js';
import { cancelMessageUpdate, cancelOtpUpdate, messageStatusQuery, otpStatusQuery } from '../workflows/messages.js';
import type { OtpState, ResendResult, VerifyResult } from '../workflows/otp-types.js';
import type { MessageResult, MessageStatus } from '../workflows/types.js';
import { kurirDataConverter } from '../codec/data-converter.js';
import { parseOrThrow } from './errors.js';
import { newMessageId, startMessage } from './start-message.js';
import { newOtpId, resendOtp, startOtp, verifyOtp } from './start-otp.js';
import { streamEvents, type EventStreamFilter, type EventStreamOptions, type KurirEvent } from './events.js';
import { createPool, type Pool } from '../db/pool.js';
import type { CampaignSpecRaw } from '../schemas/campaign.js';
import { CampaignHandle, DatabaseRequiredError, startCampaignFromClient, type CampaignRecipients, type StartCampaignOptions } from './campaign.js';

export { KurirValidationError } from './errors.js';
export { OtpRefusedError } from './start-otp.js';
export { EventStreamError, streamEvents, type EventStreamFilter, type EventStreamOptions, type EventType, type KurirEvent } from './events.js';
export { signWebhook, verifyWebhookSignature, WebhookVerificationError } from '../lib/crypto/webhook-signature.js';
export { EncryptionKeyError } from '../codec/keys.js';
export { UnknownEncryptionKeyError } from '../codec/aes-gcm-codec.js';
export { CampaignHandle, CampaignEmptyError, CampaignNotFoundError, DatabaseRequiredError } from './campaign.js';
export { CampaignExistsError } from '../app/campaigns.js';
export type { CampaignRecipientInput, CampaignRecipients, StartCampaignOptions } from './campaign.js';
export type { CampaignSpecRaw as CampaignSpec } from '../schemas/campaign.js';
export type { CampaignProgress, RecipientStatus } from '../workflows/campaign-types.js';
export type { MessageInputRaw as MessageInput, OtpInputRaw as OtpInput, MessageResult, MessageStatus, OtpState, VerifyResult, ResendResult };

export interface KurirOptions {
  /** Temporal frontend, default TEMPORAL_ADDRESS or 127.0.0.1:7233. */
  address?: string;
  namespace?: string;
  taskQueue?: string;
  /** Must equal the worker's OTP_HMAC_KEY: codes are hashed here before they reach Temporal. */
  otpHmacKey?: string;
  apiKey?: string;
  tls?: boolean;
  /**
   * Payload encryption key(s), the worker's KURIR_ENCRYPTION_KEY (`k2:<base64>,k1:<base64>`); default that
   * variable. Set: everything this client sends to Temporal is encrypted and what it reads is decrypted.
   */
  encryptionKey?: string;
  /** PostgreSQL of the kurir deployment (campaign recipients live there); default DATABASE_URL. Only campaigns need it. */
  databaseUrl?: string;
}

export class MessageHandle {
  constructor(readonly id: string, private readonly handle: WorkflowHandle) {}
  status(): Promise<MessageStatus> { return this.handle.query(messageStatusQuery); }
  async result(): Promise<MessageResult> { return await this.handle.result() as MessageResult; }
  cancel(reason?: string): Promise<{ canceled: boolean }> { return this.handle.executeUpdate(cancelMessageUpdate, { args: [{ reason }] }); }
}

export class OtpHandle {
  constructor(readonly id: string, private readonly kurir: Kurir, readonly sent?: ResendResult) {}
  verify(code: string): Promise<VerifyResult> { return verifyOtp(this.kurir.client, this.kurir.otpHmacKey, this.id, code); }
  resend(): Promise<ResendResult> { return resendOtp(this.kurir.client, this.id); }
  status(): Promise<OtpState> { return this.kurir.client.workflow.getHandle(this.id).query(otpStatusQuery); }
  cancel(): Promise<VerifyResult> { return this.kurir.client.workflow.getHandle(this.id).executeUpdate(cancelOtpUpdate); }
}

export class Kurir {
  private constructor(readonly client: Client, readonly taskQueue: string, readonly otpHmacKey: string) {}
  private databaseUrl?: string;
  private pool?: Pool;

  static async connect(options: KurirOptions = {}): Promise<Kurir> {
    // Parsed first: a bad key throws EncryptionKeyError before any connection is opened.
    const dataConverter = kurirDataConverter(options.encryptionKey ?? process.env.KURIR_ENCRYPTION_KEY);
    const connection = await Connection.connect({
      address: options.address ?? process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      ...(options.apiKey ? { apiKey: options.apiKey, tls: true } : options.tls ? { tls: true } : {}),
    });
    const client = new Client({ connection, namespace: options.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default', ...(dataConverter ? { dataConverter } : {}) });
    const kurir = new Kurir(client, options.taskQueue ?? process.env.TEMPORAL_TASK_QUEUE ?? 'kurir',
      options.otpHmacKey ?? process.env.OTP_HMAC_KEY ?? 'dev-otp-hmac-key-change-me');
    kurir.databaseUrl = options.databaseUrl;
    return kurir;
  }

  /** Starts a message; the same `id` twice attaches to the first (no second send). */
  async sendMessage(input: MessageInputRaw, opts: { id?: string } = {}): Promise<MessageHandle> {
    const parsed = parseOrThrow(messageInputSchema, input);
    const id = opts.id ?? newMessageId();
    const handle = await startMessage(this.client, parsed, { id, taskQueue: this.taskQueue });
    return new MessageHandle(id, handle);
  }

  message(id: string): MessageHandle { return new MessageHandle(id, this.client.workflow.getHandle(id)); }

  /** Starts an OTP and resolves once the first code is out (update-with-start). */
  async startOtp(input: OtpInputRaw, opts: { id?: string } = {}): Promise<OtpHandle> {
    const parsed = parseOrThrow(otpInputSchema, input);
    const id = opts.id ?? newOtpId();
    const sent = await startOtp(this.client, parsed, { id, taskQueue: this.taskQueue });
    return new OtpHandle(id, this, sent);
  }

  otp(id: string): OtpHandle { return new OtpHandle(id, this); }
  verifyOtp(id: string, code: string): Promise<VerifyResult> { return this.otp(id).verify(code); }
  resendOtp(id: string): Promise<ResendResult> { return this.otp(id).resend(); }

  /**
   * Imports the recipients into PostgreSQL, then starts the campaign workflow. Throws
   * KurirValidationError (spec), CampaignEmptyError (no valid recipient), CampaignExistsError (opts.id taken),
   * DatabaseRequiredError.
   */
  startCampaign(spec: CampaignSpecRaw, recipients: CampaignRecipients, opts: StartCampaignOptions = {}): Promise<CampaignHandle> {
    return startCampaignFromClient({ pool: () => this.campaignPool(), temporal: this.client, taskQueue: this.taskQueue }, spec, recipients, opts);
  }

  campaign(id: string): CampaignHandle { return new CampaignHandle(id, this.client.workflow.getHandle(id)); }

  private campaignPool(): Pool {
    const url = this.databaseUrl ?? process.env.DATABASE_URL;
    if (!url) throw new DatabaseRequiredError();
    return (this.pool ??= createPool(url, 4));
  }

  /** Events as they happen (GET /v1/events on the kurir API, not Temporal): apiUrl/apiKey default to KURIR_API_URL/KURIR_API_KEY. */
  events(filter: EventStreamFilter = {}, options: EventStreamOptions = {}): AsyncGenerator<KurirEvent> { return streamEvents(filter, options); }

  async close(): Promise<void> {
    await this.pool?.end();
    await this.client.connection.close();
  }
}
