// Wappin client: templates (HSM, optionally with Wappin's own WA→SMS omnichannel leg), session
// texts and media over WhatsApp, status inquiry and the number checker. Every request is checked
// against the contract before it leaves, so a request Wappin would refuse makes no HTTP call.
import { BadRequestError, ProviderUnavailableError, SendRejectedError } from '../errors.js';
import { providerValidation } from '../validation.js';
import { httpRequest, joinUrl } from '../http.js';
import { toInternationalDigits } from '../phone.js';
import type { Channel, ChannelProvider, NumberCheck, OutboundMessage, SendResult, StatusEvent } from '../types.js';
import {
  inquiryRequestSchema,
  inquiryResponseSchema,
  numberCheckRequestSchema,
  numberCheckResponseSchema,
  sendHsmRequestSchema,
  sendHsmSmsRequestSchema,
  sendMediaRequestSchema,
  sendResponseSchema,
  sendTextRequestSchema,
  toParamsObject,
  tokenResponseSchema,
  WAPPIN_PATHS,
  wappinEnvelopeSchema,
  type WappinMediaType,
} from './contract.js';
import { canonicalStatus, PROVIDER, wappinError, type WappinOperation } from './statuses.js';
import { parseWappinDateTime, parseWappinTimestamp } from './time.js';

export interface WappinProviderOptions {
  /** e.g. `https://api.wappin.id`. */
  baseUrl: string;
  /** The integration's client ID (the Basic auth user name of /v1/token/get, and `client_id`). */
  clientId: string;
  /** The integration's secret key (the Basic auth password). */
  secretKey: string;
  /** The project the templates belong to (`project_id`). */
  projectId: string;
  /** Called with each token Wappin issues, before it is used (the worker records its hash for callback checks). */
  onToken?: (token: string, validUntil: Date) => Promise<void>;
  timeoutMs?: number;
  /** Fetch a new token this long before the current one expires. Default 5 minutes. */
  tokenRefreshMarginMs?: number;
  /** The clock the token cache reads (tests move it). Default Date.now. */
  clock?: () => number;
}

/** Documented validity of a token, used when `expired_datetime` is missing or unreadable. */
const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
const DEFAULT_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** Our media kinds → Wappin's `media_type`. A generic file goes as a document; a link has no media form. */
const MEDIA_TYPES: Record<NonNullable<OutboundMessage['media']>['type'], WappinMediaType | undefined> = {
  image: 'image',
  document: 'document',
  audio: 'audio',
  file: 'document',
  link: undefined,
};

/** The names our message fields have on the wire, so an error names both. */
const OUR_FIELD: Record<string, string> = {
  type: 'template.name',
  params: 'template.params',
  content: 'smsFallback.template',
  params_sms: 'smsFallback.params',
  message_content: 'text',
  media: 'media.url',
  media_type: 'media.type',
  caption: 'media.caption',
  recipient_number: 'to',
  phone_number: 'to',
};

/** International digits without "+" (6281234567890), with the provider named in the error. */
function digitsOf(input: string): string {
  try {
    return toInternationalDigits(input);
  } catch (err) {
    if (err instanceof BadRequestError)
      throw new BadRequestError(`${PROVIDER}: ${err.message}`, { provider: PROVIDER, field: err.field ?? 'to' });
    throw err;
  }
}

/** Zod failures as BadRequestErrors naming the first offending Wappin field (and ours beside it). */
const { parseOrThrow } = providerValidation(PROVIDER, { ours: (f) => OUR_FIELD[f] });

/**
 * Node's fetch (undici) never hands back an HTTP 407: it turns it into a network error ("fetch
 * failed" caused by an Error with no message, or "proxy authentication required"). Wappin's 407 is
 * "IP Address not allowed", which must stay an AuthenticationError rather than a retryable outage
 * when Wappin mirrors the code in the HTTP status. Network failures carry a system `code`
 * (ECONNREFUSED, …) or a message, timeouts are TimeoutErrors, so this shape is only the 407.
 */
function isHiddenHttp407(err: unknown): boolean {
  if (!(err instanceof ProviderUnavailableError) || !(err.cause instanceof TypeError)) return false;
  const inner: unknown = err.cause.cause;
  if (!(inner instanceof Error) || 'code' in inner) return false;
  return inner.message === '' || inner.message === 'proxy authentication required';
}

interface CachedToken {
  token: string;
  expiresAt: number;
  /** When to ask for a new one: `expiresAt - margin`, or `expiresAt` when Wappin would hand back the same token. */
  refreshAt: number;
}

interface Answer {
  code: string;
  json: unknown;
}

export class WappinProvider implements ChannelProvider {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['whatsapp', 'sms'];
  private readonly baseUrl: string;
  private readonly clientId: string;
  private readonly secretKey: string;
  private readonly projectId: string;
  private readonly timeoutMs?: number;
  private readonly margin: number;
  private readonly clock: () => number;
  private cached?: CachedToken;
  /** The token request in flight: concurrent calls share it. */
  private pending?: Promise<CachedToken>;

  private readonly onToken?: (token: string, validUntil: Date) => Promise<void>;

  constructor(options: WappinProviderOptions) {
    this.onToken = options.onToken;
    this.baseUrl = options.baseUrl;
    this.clientId = options.clientId;
    this.secretKey = options.secretKey;
    this.projectId = options.projectId;
    this.timeoutMs = options.timeoutMs;
    this.margin = options.tokenRefreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * The request for a message: its endpoint and validated body. Throws BadRequestError naming the
   * field. `message.reference` is not sent: Wappin's send APIs take no client reference.
   */
  buildSendRequest(message: OutboundMessage): {
    operation: WappinOperation;
    path: string;
    body: Record<string, unknown>;
  } {
    const bodies = [message.template, message.text, message.media].filter((b) => b !== undefined).length;
    if (bodies !== 1)
      throw new BadRequestError(`${PROVIDER}: template: exactly one of template, text or media is required`, {
        provider: PROVIDER,
        field: 'template',
      });
    if (message.smsFallback && !message.template) {
      throw new BadRequestError(`${PROVIDER}: smsFallback: the SMS leg exists only for templates (do-send-hsm)`, {
        provider: PROVIDER,
        field: 'smsFallback',
      });
    }
    const base = { client_id: this.clientId, project_id: this.projectId, recipient_number: digitsOf(message.to) };
    if (message.template) {
      const hsm = { ...base, type: message.template.name, params: toParamsObject(message.template.params) };
      if (message.smsFallback) {
        const body = {
          ...hsm,
          channel: 'sms',
          content: message.smsFallback.template,
          params_sms: toParamsObject(message.smsFallback.params),
        };
        return { operation: 'send-hsm', path: WAPPIN_PATHS.sendHsm, body: parseOrThrow(sendHsmSmsRequestSchema, body) };
      }
      return { operation: 'send-hsm', path: WAPPIN_PATHS.sendHsm, body: parseOrThrow(sendHsmRequestSchema, hsm) };
    }
    if (message.media) {
      const mediaType = MEDIA_TYPES[message.media.type];
      if (!mediaType)
        throw new BadRequestError(
          `${PROVIDER}: media_type (media.type): Wappin sends image, document or audio, not ${message.media.type}`,
          { provider: PROVIDER, field: 'media_type' },
        );
      // The file name, when given, carries the format better than a URL path may.
      const body = {
        ...base,
        media_type: mediaType,
        media: message.media.url,
        ...(message.media.caption === undefined ? {} : { caption: message.media.caption }),
      };
      const checked = parseOrThrow(
        sendMediaRequestSchema,
        message.media.filename ? { ...body, media: message.media.filename } : body,
      );
      return {
        operation: 'send-media',
        path: WAPPIN_PATHS.sendMedia,
        body: { ...checked, media: message.media.url.trim() },
      };
    }
    const body = { ...base, message_content: message.text };
    return { operation: 'send-text', path: WAPPIN_PATHS.sendText, body: parseOrThrow(sendTextRequestSchema, body) };
  }

  async prepare(): Promise<void> {
    await this.token();
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const req = this.buildSendRequest(message);
    const answer = await this.call(req.operation, req.path, req.body).catch((err: unknown) => {
      // 700 "Error from vendor" on an omnichannel send: the SMS vendor failed, perhaps after the
      // WhatsApp leg went out. Wappin takes no idempotency key, so a retry could send the template
      // twice: the send is not retried, and the fallback rules decide what follows.
      if (message.smsFallback && err instanceof ProviderUnavailableError && err.providerCode === '700')
        throw new SendRejectedError(
          `${PROVIDER}: 700 Error from vendor on a WhatsApp+SMS send; the WhatsApp leg may have gone out, so it is not retried`,
          { provider: PROVIDER, providerCode: '700' },
        );
      throw err;
    });
    const res = sendResponseSchema.safeParse(answer.json);
    if (!res.success)
      throw new ProviderUnavailableError(`${PROVIDER} ${req.operation} answered 200 without a message_id`, {
        provider: PROVIDER,
        providerCode: answer.code,
      });
    return {
      providerMessageId: res.data.message_id,
      acceptedAt: new Date(),
      status: 'accepted',
      providerCode: answer.code,
    };
  }

  /**
   * The message's status history, oldest first. Assumption: a status we cannot place (not in the
   * document) is skipped rather than failing the whole lookup.
   */
  async getStatus(providerMessageId: string): Promise<StatusEvent[]> {
    const body = parseOrThrow(inquiryRequestSchema, { message_id: providerMessageId });
    const answer = await this.call('inquiry', WAPPIN_PATHS.inquiry, body);
    const res = inquiryResponseSchema.safeParse(answer.json);
    if (!res.success)
      throw new ProviderUnavailableError(`${PROVIDER} inquiry answered an unusable body`, {
        provider: PROVIDER,
        providerCode: answer.code,
      });
    const events: StatusEvent[] = [];
    for (const item of res.data.data ?? []) {
      const status = canonicalStatus(item.status);
      const occurredAt = parseWappinTimestamp(item.timestamp);
      if (status && occurredAt)
        events.push({
          provider: PROVIDER,
          providerMessageId: body.message_id,
          status,
          occurredAt,
          providerCode: item.status,
          raw: item,
        });
    }
    return events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  }

  /** Number checker: 200 is a WhatsApp number, 601 is not (an answer, not an error). */
  async checkNumber(to: string): Promise<NumberCheck> {
    const body = parseOrThrow(numberCheckRequestSchema, {
      client_id: this.clientId,
      project_id: this.projectId,
      phone_number: digitsOf(to),
    });
    const answer = await this.call('number-checker', WAPPIN_PATHS.numberChecker, body, ['601']);
    if (answer.code === '601') return { valid: false, providerCode: '601' };
    const res = numberCheckResponseSchema.safeParse(answer.json);
    const normalized = res.success && res.data.data && /^\+\d{8,15}$/.test(res.data.data) ? res.data.data : undefined;
    return { valid: true, providerCode: answer.code, ...(normalized ? { normalized } : {}) };
  }

  /**
   * A Bearer call. A 401 means the token died early (revoked or regenerated from the dashboard):
   * fetch a new one once and retry the call once. `answers` lists codes that are answers here.
   */
  private async call(
    operation: WappinOperation,
    path: string,
    body: Record<string, unknown>,
    answers: string[] = [],
  ): Promise<Answer> {
    let token = await this.token();
    let res = await this.post(operation, path, body, `Bearer ${token.token}`);
    if (res.code === '401') {
      this.invalidate(token);
      token = await this.token();
      res = await this.post(operation, path, body, `Bearer ${token.token}`);
    }
    if (res.code !== '200' && !answers.includes(res.code))
      throw wappinError({ operation, code: res.code, httpStatus: res.httpStatus, message: res.message });
    return res;
  }

  /**
   * The outcome of one POST. The document puts the code in the body's `status`; the HTTP status may
   * be 200 or the code itself, so the body wins, and the HTTP status stands in when there is no body
   * code or when a body "200" comes with an HTTP error.
   */
  private async post(
    operation: WappinOperation,
    path: string,
    json: Record<string, unknown>,
    authorization: string,
  ): Promise<Answer & { httpStatus: number; message?: string }> {
    let res: Awaited<ReturnType<typeof httpRequest>>;
    try {
      res = await httpRequest({
        provider: PROVIDER,
        method: 'POST',
        url: joinUrl(this.baseUrl, path),
        headers: { authorization },
        json,
        timeoutMs: this.timeoutMs,
      });
    } catch (err) {
      if (isHiddenHttp407(err))
        return { code: '407', json: undefined, httpStatus: 407, message: 'IP Address not allowed' };
      throw err;
    }
    const env = wappinEnvelopeSchema.safeParse(res.json);
    let code = env.success ? env.data.status.trim() : String(res.status);
    if (code === '200' && (res.status < 200 || res.status >= 300)) code = String(res.status);
    const message = env.success ? env.data.message : undefined;
    return { code, json: res.json, httpStatus: res.status, ...(message ? { message } : {}) };
  }

  /** The cached token, or the one being fetched, or a new one. */
  private token(): Promise<CachedToken> {
    const now = this.clock();
    if (this.cached && now < this.cached.refreshAt) return Promise.resolve(this.cached);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Drops the cached token if it is still the one that failed (another call may have renewed it already). */
  private invalidate(failed: CachedToken): void {
    if (this.cached?.token === failed.token) this.cached = undefined;
  }

  private async fetchToken(): Promise<CachedToken> {
    const previous = this.cached;
    // The credentials travel only in the Basic header; the table's Username/Password rows describe it.
    const basic = Buffer.from(`${this.clientId}:${this.secretKey}`).toString('base64');
    const res = await this.post('token', WAPPIN_PATHS.token, {}, `Basic ${basic}`);
    if (res.code !== '200')
      throw wappinError({ operation: 'token', code: res.code, httpStatus: res.httpStatus, message: res.message });
    const parsed = tokenResponseSchema.safeParse(res.json);
    if (!parsed.success)
      throw new ProviderUnavailableError(`${PROVIDER} token answered 200 without an access_token`, {
        provider: PROVIDER,
        providerCode: '200',
      });
    const now = this.clock();
    const stated = parsed.data.data.expired_datetime
      ? parseWappinDateTime(parsed.data.data.expired_datetime)?.getTime()
      : undefined;
    // A stated expiry already past (a zone we misread, or clock skew) is not believed: 24 h from now,
    // the documented validity, and a 401 later still renews it.
    const expiresAt = stated !== undefined && stated > now ? Math.min(stated, now + TOKEN_TTL_MS) : now + TOKEN_TTL_MS;
    const token = parsed.data.data.access_token;
    // Wappin answers "Token not expired" with the same token while it lives: asking again before
    // it expires cannot help, so that token is used to its end instead of re-asking on every call.
    const reissued = previous?.token === token || expiresAt - this.margin <= now;
    const cached = { token, expiresAt, refreshAt: reissued ? expiresAt : expiresAt - this.margin };
    // Recorded before first use: Wappin signs the callbacks of what we send with this token.
    await this.onToken?.(token, new Date(expiresAt));
    this.cached = cached;
    return cached;
  }
}

/** The sandbox integration's credentials (the client's defaults when no real ones are configured). */
export const WAPPIN_SANDBOX_CREDENTIALS = {
  clientId: '0009',
  secretKey: 'aa27048cb2d9d0b99ccdef4bab4620999f12246b',
  projectId: '16',
} as const;
