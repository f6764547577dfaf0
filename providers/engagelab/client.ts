// EngageLab OTP client: template configs, provider-generated and custom codes, verification; plus a
// ChannelProvider for plain template sends. Every request is checked against the contract first,
// so a request EngageLab would answer 3001/3002 makes no HTTP call.
import { z } from 'zod';
import { BadRequestError, ProviderUnavailableError } from '../errors.js';
import { providerValidation } from '../validation.js';
import { httpRequest, joinUrl } from '../http.js';
import { parsePhone } from '../phone.js';
import type { Channel, ChannelProvider, OutboundMessage, SendResult } from '../types.js';
import {
  ENGAGELAB_PATHS,
  resultSchema,
  sendCustomCodeRequestSchema,
  sendOtpRequestSchema,
  sendResponseSchema,
  strategyChannels,
  templateConfigSchema,
  templateIdSchema,
  templateListResponseSchema,
  templatePath,
  templateResponseSchema,
  verifyRequestSchema,
  verifyResponseSchema,
  type ResultBody,
  type SendCustomCodeRequest,
  type SendOtpRequest,
  type TemplateConfig,
  type TemplateConfigInput,
  type TemplateResponse,
  type VerifyRequest,
} from './contract.js';
import { engageLabError, PROVIDER, type EngageLabOperation } from './statuses.js';

export interface EngageLabOptions {
  /** e.g. `https://otp.api.engagelab.cc` */
  baseUrl: string;
  devKey: string;
  devSecret: string;
  timeoutMs?: number;
}

export interface SendOtpResult {
  messageId: string;
  /** The channel EngageLab used first (whatsapp, sms, email, voice), when it says. */
  sendChannel?: string;
  acceptedAt: Date;
}

/** The verification answer without the code it echoes: the plaintext code must not travel further. */
export interface VerifyResult {
  messageId: string;
  verified: boolean;
}

const { parseOrThrow } = providerValidation(PROVIDER);

/**
 * `to` as EngageLab wants it: E.164 with "+" (the document's sample), or an email address for
 * templates whose strategy includes email.
 */
export function formatRecipient(to: string, field = 'to'): string {
  const trimmed = to.trim();
  if (trimmed.includes('@')) {
    if (!z.email().safeParse(trimmed).success)
      // The value is not quoted: errors reach Temporal failures and logs (security review M7).
      throw new BadRequestError(`${PROVIDER}: ${field}: is not a phone number or email address`, {
        provider: PROVIDER,
        field,
      });
    return trimmed;
  }
  try {
    return parsePhone(trimmed, 'ID', field).e164;
  } catch (err) {
    if (err instanceof BadRequestError)
      throw new BadRequestError(`${PROVIDER}: ${err.message}`, { provider: PROVIDER, field });
    throw err;
  }
}

function unusable(operation: EngageLabOperation): ProviderUnavailableError {
  return new ProviderUnavailableError(`${PROVIDER} ${operation} answered success with an unusable body`, {
    provider: PROVIDER,
  });
}

export class EngageLabOtpClient {
  private readonly baseUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs?: number;

  constructor(options: EngageLabOptions) {
    this.baseUrl = options.baseUrl;
    this.authorization = `Basic ${Buffer.from(`${options.devKey}:${options.devSecret}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs;
  }

  /** POST /v1/template-configs. Ranges (code type 1–7, length 4–10, TTL 1–10, WhatsApp TTL 1/5/10) are checked first. */
  async createTemplate(config: TemplateConfigInput): Promise<ResultBody> {
    const body = parseOrThrow(templateConfigSchema, config);
    return this.result('createTemplate', await this.call('createTemplate', 'POST', ENGAGELAB_PATHS.templates, body));
  }

  /**
   * Assumption: document 002 covers create, list, detail and delete only; an update is taken to be
   * `PUT /v1/template-configs/{templateId}` with the create body, answered like create.
   */
  async updateTemplate(templateId: string, config: TemplateConfigInput): Promise<ResultBody> {
    const id = parseOrThrow(templateIdSchema, templateId, { prefix: 'template_id' });
    const body: TemplateConfig = parseOrThrow(templateConfigSchema, {
      ...config,
      template_id: config.template_id ?? id,
    });
    if (body.template_id !== id)
      throw new BadRequestError(
        `${PROVIDER}: template_id: "${body.template_id}" does not match the template being updated`,
        { provider: PROVIDER, field: 'template_id' },
      );
    return this.result('updateTemplate', await this.call('updateTemplate', 'PUT', templatePath(id), body));
  }

  async getTemplate(templateId: string): Promise<TemplateResponse> {
    const id = parseOrThrow(templateIdSchema, templateId, { prefix: 'template_id' });
    const r = templateResponseSchema.safeParse(await this.call('getTemplate', 'GET', templatePath(id)));
    if (!r.success) throw unusable('getTemplate');
    return r.data;
  }

  async deleteTemplate(templateId: string): Promise<ResultBody> {
    const id = parseOrThrow(templateIdSchema, templateId, { prefix: 'template_id' });
    return this.result('deleteTemplate', await this.call('deleteTemplate', 'DELETE', templatePath(id)));
  }

  /** GET /v1/template-configs: every template, in short form (no pagination). */
  async listTemplates(): Promise<TemplateResponse[]> {
    const r = templateListResponseSchema.safeParse(await this.call('listTemplates', 'GET', ENGAGELAB_PATHS.templates));
    if (!r.success) throw unusable('listTemplates');
    return r.data;
  }

  /** POST /v1/messages: EngageLab generates the code and sends it on the template's channel strategy. */
  async sendOtp(request: SendOtpRequest): Promise<SendOtpResult> {
    const body = parseOrThrow(sendOtpRequestSchema, { ...request, to: formatRecipient(request.to) });
    return this.sent('sendOtp', await this.call('sendOtp', 'POST', ENGAGELAB_PATHS.messages, body));
  }

  /** POST /v1/codes: send a code we generated. The code is never put in an error message. */
  async sendCustomCode(request: SendCustomCodeRequest): Promise<SendOtpResult> {
    const body = parseOrThrow(sendCustomCodeRequestSchema, { ...request, to: formatRecipient(request.to) });
    return this.sent('sendCustomCode', await this.call('sendCustomCode', 'POST', ENGAGELAB_PATHS.codes, body));
  }

  /** POST /v1/verifications → `{ verified }`. A wrong, used or expired code is `verified: false`, not an error. */
  async verify(request: VerifyRequest): Promise<VerifyResult> {
    const body = parseOrThrow(verifyRequestSchema, request);
    const r = verifyResponseSchema.safeParse(await this.call('verify', 'POST', ENGAGELAB_PATHS.verifications, body));
    if (!r.success) throw unusable('verify');
    return { messageId: r.data.message_id ?? body.message_id, verified: r.data.verified };
  }

  private sent(operation: EngageLabOperation, json: unknown): SendOtpResult {
    const r = sendResponseSchema.safeParse(json);
    if (!r.success) throw unusable(operation);
    return { messageId: r.data.message_id, sendChannel: r.data.send_channel ?? undefined, acceptedAt: new Date() };
  }

  private result(operation: EngageLabOperation, json: unknown): ResultBody {
    const r = resultSchema.safeParse(json);
    // Assumption: an empty 2xx body is as good as `{ code: 0 }`.
    if (!r.success) {
      if (json === undefined) return { code: 0, message: 'success' };
      throw unusable(operation);
    }
    return r.data;
  }

  /** One HTTP exchange; a non-2xx answer or a `code` other than 0 becomes a named error. */
  private async call(
    operation: EngageLabOperation,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    json?: unknown,
  ): Promise<unknown> {
    const res = await httpRequest({
      provider: PROVIDER,
      method,
      url: joinUrl(this.baseUrl, path),
      headers: { authorization: this.authorization },
      json,
      timeoutMs: this.timeoutMs,
    });
    const env = resultSchema.safeParse(res.json);
    const code = env.success ? env.data.code : undefined;
    if (res.status < 200 || res.status >= 300 || (code !== undefined && code !== 0))
      throw engageLabError({ operation, httpStatus: res.status, body: res.json });
    return res.json;
  }
}

/**
 * `template.params` (a list) → EngageLab's named params. Assumption: `name=value` items give the
 * name; a bare item is named by its 1-based position (`{{1}}`), like positional WhatsApp params.
 */
export function templateParams(params: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  params.forEach((p, i) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(p);
    const key = m?.[1] ?? String(i + 1);
    if (key in out)
      throw new BadRequestError(`${PROVIDER}: template.params: "${key}" is given twice`, {
        provider: PROVIDER,
        field: 'template.params',
      });
    out[key] = m ? (m[2] ?? '') : p;
  });
  return out;
}

/**
 * The uniform ChannelProvider: `message.template.name` is the EngageLab template id, its params the
 * template params. EngageLab picks the channel itself from the template's `send_channel_strategy`.
 */
export class EngageLabProvider implements ChannelProvider {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['whatsapp', 'sms'];
  readonly otp: EngageLabOtpClient;

  constructor(options: EngageLabOptions) {
    this.otp = new EngageLabOtpClient(options);
  }

  buildSendRequest(message: OutboundMessage): SendOtpRequest {
    if (!message.template) {
      const field = message.media ? 'media' : message.text !== undefined ? 'text' : 'template';
      throw new BadRequestError(`${PROVIDER}: ${field}: EngageLab sends templates only (template.name = template id)`, {
        provider: PROVIDER,
        field,
      });
    }
    if (message.smsFallback) {
      throw new BadRequestError(`${PROVIDER}: smsFallback: the template's send_channel_strategy decides the fallback`, {
        provider: PROVIDER,
        field: 'smsFallback',
      });
    }
    const { name, params, language } = message.template;
    return {
      to: message.to,
      template: {
        id: name,
        language: language ?? 'default',
        ...(params.length > 0 ? { params: templateParams(params) } : {}),
      },
    };
  }

  /** EngageLab takes no client reference, so `message.reference` cannot dedupe at EngageLab. */
  async send(message: OutboundMessage): Promise<SendResult> {
    const request = this.buildSendRequest(message);
    const legs = await this.legsOf(request.template.id);
    const r = await this.otp.sendOtp(request);
    return { providerMessageId: r.messageId, acceptedAt: r.acceptedAt, status: 'accepted', ...(legs ? { legs } : {}) };
  }

  private readonly strategies = new Map<string, { legs?: Channel[]; until: number }>();

  /**
   * The template's channel strategy (`whatsapp|sms`), so the workflow knows a failed first leg is
   * not the end. Best effort and cached for ten minutes: a template lookup that fails costs the
   * send nothing, the message is then tracked as one channel.
   */
  private async legsOf(templateId: string): Promise<Channel[] | undefined> {
    const known = this.strategies.get(templateId);
    if (known && known.until > Date.now()) return known.legs;
    const strategy = await this.otp.getTemplate(templateId).then(
      (t) => t.send_channel_strategy ?? undefined,
      () => undefined,
    );
    const channels = strategy ? strategyChannels(strategy) : [];
    const legs =
      channels.every((c): c is Channel => c === 'whatsapp' || c === 'sms') && channels.length > 1
        ? channels
        : undefined;
    if (this.strategies.size > 1_000) this.strategies.clear();
    this.strategies.set(templateId, { legs, until: Date.now() + 600_000 });
    return legs;
  }
}

export const ENGAGELAB_SANDBOX_CREDENTIALS = {
  devKey: 'kurir-sandbox-dev-key',
  devSecret: 'kurir-sandbox-dev-secret',
} as const;
