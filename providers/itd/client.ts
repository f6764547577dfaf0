// ITD Chile WhatsApp client: free-form TEXT/IMAGE/LINK/FILE sends, status lookup by key, credits
// and the inbound listing. Every request is checked against the contract before it leaves, so a
// request ITD would answer 400 makes no HTTP call.
import { BadRequestError, ProviderUnavailableError } from '../errors.js';
import { providerValidation } from '../validation.js';
import { httpRequest, joinUrl } from '../http.js';
import { parsePhone } from '../phone.js';
import type {
  Balance,
  Channel,
  ChannelProvider,
  InboundMessage,
  OutboundMessage,
  SendResult,
  StatusEvent,
} from '../types.js';
import { inboundFromReceived } from './callbacks.js';
import {
  creditsResponseSchema,
  ITD_PATHS,
  itdAuthHeaders,
  itdEnvelopeSchema,
  receivedRequestSchema,
  receivedResponseSchema,
  sendWhatsappRequestSchema,
  sendWhatsappResponseSchema,
  statusRequestSchema,
  statusResponseSchema,
  type ItdAuthScheme,
  type ItdContentType,
  type SendWhatsappRequest,
} from './contract.js';
import { itdError, lookupToEvents, PROVIDER, type ItdOperation } from './statuses.js';
import { formatDayParam } from './time.js';

export interface ItdProviderOptions {
  /** e.g. `https://ida.itdchile.cl/api/v2` (the paths `whatsapp/...` are appended). */
  baseUrl: string;
  /** The API JWT. */
  token: string;
  /** Which header carries it (ITD_AUTH_SCHEME; contract.ts says why it is a choice). Default `bearer`. */
  authScheme?: ItdAuthScheme;
  timeoutMs?: number;
}

export interface ReceivedQuery {
  /** The customer's number (E.164 or international digits). */
  senderPhone: string;
  /** The day to list from: a Date (taken as its Santiago calendar day) or `ddMMyyyy`. */
  sendAt: Date | string;
  /** At most this many of the latest messages. */
  top: number;
}

/** Our media types → ITD content types. Audio goes as a FILE: ITD has no audio send. */
const MEDIA_TYPES: Record<NonNullable<OutboundMessage['media']>['type'], ItdContentType> = {
  image: 'IMAGE',
  link: 'LINK',
  file: 'FILE',
  document: 'FILE',
  audio: 'FILE',
};

const { parseOrThrow, validationError } = providerValidation(PROVIDER);

/** parsePhone, with the provider named in its error. Assumption: a national number without + is Chilean. */
function phoneOf(input: string, field: string): ReturnType<typeof parsePhone> {
  try {
    return parsePhone(input, 'CL', field);
  } catch (err) {
    if (err instanceof BadRequestError)
      throw new BadRequestError(`${PROVIDER}: ${err.message}`, { provider: PROVIDER, field });
    throw err;
  }
}

export class ItdProvider implements ChannelProvider {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['whatsapp'];
  private readonly baseUrl: string;
  private readonly auth: Record<string, string>;
  private readonly timeoutMs?: number;

  constructor(options: ItdProviderOptions) {
    this.baseUrl = options.baseUrl;
    this.auth = itdAuthHeaders(options.authScheme ?? 'bearer', options.token);
    this.timeoutMs = options.timeoutMs;
  }

  /** The sendWhatsapp body for a message, validated; throws BadRequestError naming the field. */
  buildSendRequest(message: OutboundMessage): SendWhatsappRequest {
    // ITD sends free-form content only: no templates, no SMS leg of its own.
    if (message.template)
      throw new BadRequestError(`${PROVIDER}: template: ITD has no templates; send text or media`, {
        provider: PROVIDER,
        field: 'template',
      });
    if (message.smsFallback)
      throw new BadRequestError(`${PROVIDER}: smsFallback: ITD has no SMS fallback of its own`, {
        provider: PROVIDER,
        field: 'smsFallback',
      });
    const phone = phoneOf(message.to, 'to');
    const base = { phone: phone.nationalNumber, prefijo: phone.countryCallingCode };
    let req: SendWhatsappRequest;
    if (message.media) {
      const content_type = MEDIA_TYPES[message.media.type];
      if (!message.media.url?.trim()) {
        throw new BadRequestError(`${PROVIDER}: media.url: is required for ${content_type} (sent as content)`, {
          provider: PROVIDER,
          field: 'media.url',
        });
      }
      // A text beside media becomes the description, the body line under the caption in ITD's samples.
      req = {
        ...base,
        content_type,
        content: message.media.url,
        caption: message.media.caption,
        description: message.text,
      };
    } else if (message.text !== undefined) {
      req = { ...base, content_type: 'TEXT', content: message.text };
    } else {
      throw new BadRequestError(`${PROVIDER}: text: a text or media is required`, {
        provider: PROVIDER,
        field: 'text',
      });
    }
    const clean = Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined));
    const r = sendWhatsappRequestSchema.safeParse(clean);
    if (!r.success) throw validationError(r.error);
    return r.data;
  }

  /**
   * ITD takes no client reference, so `message.reference` cannot make the send idempotent at ITD;
   * the message key ITD returns (`uuid`) is the providerMessageId.
   */
  async send(message: OutboundMessage): Promise<SendResult> {
    const body = this.buildSendRequest(message);
    const json = await this.call('sendWhatsapp', ITD_PATHS.send, body);
    const res = sendWhatsappResponseSchema.safeParse(json);
    if (!res.success)
      throw new ProviderUnavailableError(`${PROVIDER} sendWhatsapp answered OK without a message uuid`, {
        provider: PROVIDER,
        providerCode: 'OK',
      });
    return {
      providerMessageId: res.data.uuid,
      acceptedAt: new Date(),
      status: 'accepted',
      providerCode: res.data.statusApi,
    };
  }

  /** statusWhatsappByKey: the events the current status implies, oldest first. */
  async getStatus(providerMessageId: string): Promise<StatusEvent[]> {
    const body = parseOrThrow(statusRequestSchema, { key: providerMessageId });
    const json = await this.call('statusWhatsappByKey', ITD_PATHS.status, body);
    const res = statusResponseSchema.safeParse(json);
    if (!res.success)
      throw new ProviderUnavailableError(`${PROVIDER} statusWhatsappByKey answered an unusable body`, {
        provider: PROVIDER,
      });
    return lookupToEvents(body.key, res.data);
  }

  /** creditsWhatsapp: WhatsApp credits left. */
  async getBalance(): Promise<Balance> {
    const json = await this.call('creditsWhatsapp', ITD_PATHS.credits);
    const res = creditsResponseSchema.safeParse(json);
    if (!res.success)
      throw new ProviderUnavailableError(`${PROVIDER} creditsWhatsapp answered an unusable body`, {
        provider: PROVIDER,
      });
    return { amount: res.data.data, unit: 'credits', raw: json };
  }

  /** recievedWhatsapp (ITD's spelling): messages a customer sent us. "NO WHATSAPP MESSAGES" is an empty list. */
  async listReceived(query: ReceivedQuery): Promise<InboundMessage[]> {
    const sendAt = query.sendAt instanceof Date ? formatDayParam(query.sendAt) : query.sendAt;
    const senderPhone = /^\d+$/.test(query.senderPhone)
      ? query.senderPhone
      : phoneOf(query.senderPhone, 'senderPhone').e164.slice(1);
    const body = parseOrThrow(receivedRequestSchema, { senderPhone, sendAt, top: query.top });
    let json: unknown;
    try {
      json = await this.call('recievedWhatsapp', ITD_PATHS.received, body);
    } catch (err) {
      if (err instanceof BadRequestError && err.providerCode === 'INVALID_MESSAGE') return [];
      throw err;
    }
    const res = receivedResponseSchema.safeParse(json);
    if (!res.success)
      throw new ProviderUnavailableError(`${PROVIDER} recievedWhatsapp answered an unusable body`, {
        provider: PROVIDER,
      });
    return res.data.data.map((item) => inboundFromReceived(item));
  }

  /** POST JSON (GET when there is no body); anything but `statusApi: OK` becomes a named error. */
  private async call(operation: ItdOperation, path: string, json?: Record<string, unknown>): Promise<unknown> {
    const res = await httpRequest({
      provider: PROVIDER,
      method: json ? 'POST' : 'GET',
      url: joinUrl(this.baseUrl, path),
      headers: this.auth,
      json,
      timeoutMs: this.timeoutMs,
    });
    const env = itdEnvelopeSchema.safeParse(res.json);
    const ok =
      res.status >= 200 &&
      res.status < 300 &&
      env.success &&
      res.json !== undefined &&
      (env.data.statusApi === undefined ? env.data.code === 200 : env.data.statusApi.toUpperCase() === 'OK');
    if (!ok) throw itdError({ operation, httpStatus: res.status, body: res.json });
    return res.json;
  }
}

/** A syntactically valid JWT that the sandbox accepts by default (it checks equality, not signatures). */
export const ITD_SANDBOX_CREDENTIALS = {
  token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJrdXJpci1zYW5kYm94IiwiaXNzIjoiaXRkIn0.a3VyaXItaXRkLXNhbmRib3g',
} as const;
