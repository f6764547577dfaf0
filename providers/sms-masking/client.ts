// SMS masking gateway client: send.php (GET) / send_post.php (POST), report.php status lookups,
// balance.php, inbox.php and the reports_post.php download. Requests are checked against the
// contract first, so one the gateway would reject makes no HTTP call.
import { BadRequestError, ProviderUnavailableError } from '../errors.js';
import { providerValidation } from '../validation.js';
import { httpRequest, joinUrl, type HttpResponse } from '../http.js';
import { toInternationalDigits } from '../phone.js';
import type {
  Balance,
  Channel,
  ChannelProvider,
  InboundMessage,
  OutboundMessage,
  SendResult,
  StatusEvent,
} from '../types.js';
import { eventFromReport } from './callbacks.js';
import { inboxMessageId } from './inbox-id.js';
import {
  balanceAnswerJsonSchema,
  inboxItemSchema,
  loginRequestSchema,
  messageIdSchema,
  reportAnswerJsonSchema,
  reportRequestSchema,
  reportsPostRequestSchema,
  sendAnswerSchema,
  sendRequestSchema,
  SMS_MASKING_PATHS,
  type SendRequest,
} from './contract.js';
import { answerError, httpError, leadingCode, PROVIDER, type SmsMaskingOperation } from './statuses.js';
import { jakartaDay, parseAmount, parseCsv, parseJakarta } from './text.js';

export interface SmsMaskingProviderOptions {
  /** e.g. `http://103.16.199.187/masking` (the `*.php` paths are appended). */
  baseUrl: string;
  username: string;
  password: string;
  timeoutMs?: number;
  /** GET send.php or POST send_post.php. Default POST: the login and text stay out of URLs and logs. */
  method?: 'GET' | 'POST';
  /** Told when a report.php answer has a shape kurir cannot read (the worker logs and counts it). */
  onLookupUnparsed?: (detail: string) => void;
}

export interface ReportDownload {
  /** The file as the gateway sent it. */
  text: string;
  /** Its rows, keyed by the header row (assumed CSV). */
  rows: Array<Record<string, string>>;
}

const { parseOrThrow, validationError } = providerValidation(PROVIDER);

/** Any short numeric code at the start of an answer, listed or not ("23", "23 Unknown"). */
function anyCode(text: string): { code: string; message?: string } | undefined {
  const m = /^\s*(\d{1,3})(?:\s*[|:;,\-\s]\s*(.*))?$/s.exec(text);
  return m?.[1] ? { code: m[1], message: m[2]?.trim() || undefined } : undefined;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class SmsMaskingProvider implements ChannelProvider {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['sms'];
  private readonly options: SmsMaskingProviderOptions & { method: 'GET' | 'POST' };

  constructor(options: SmsMaskingProviderOptions) {
    this.options = { ...options, method: options.method ?? 'POST' };
  }

  /** The send parameters for a message, validated; throws BadRequestError naming the field. */
  buildSendRequest(message: OutboundMessage): SendRequest {
    for (const field of ['template', 'media', 'smsFallback'] as const) {
      if (message[field])
        throw new BadRequestError(`${PROVIDER}: ${field}: the SMS gateway sends plain text only`, {
          provider: PROVIDER,
          field,
        });
    }
    if (message.text === undefined)
      throw new BadRequestError(`${PROVIDER}: text: is required`, { provider: PROVIDER, field: 'text' });
    const hp = toInternationalDigits(message.to);
    const r = sendRequestSchema.safeParse({
      username: this.options.username,
      password: this.options.password,
      hp,
      message: message.text,
    });
    if (r.success) return r.data;
    // Our own name for the gateway's `message` is `text`.
    const e = validationError(r.error);
    if (e.field !== 'message') throw e;
    throw new BadRequestError(e.message.replace(': message:', ': text:'), { provider: PROVIDER, field: 'text' });
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const req = this.buildSendRequest(message);
    const params = { username: req.username, password: req.password, hp: req.hp, message: req.message };
    const res =
      this.options.method === 'GET'
        ? await this.call('send', { method: 'GET', path: SMS_MASKING_PATHS.send, query: params })
        : await this.call('send', { method: 'POST', path: SMS_MASKING_PATHS.sendPost, form: params });
    const answer = sendAnswerSchema.parse(res.text);
    // Assumption: the id may come alone or as JSON {"id": …}; a documented code or text is a failure.
    const body = json(answer);
    const id = body !== null && typeof body === 'object' && 'id' in body ? String(body.id) : answer;
    if (!leadingCode(id) && messageIdSchema.safeParse(id).success) {
      return { providerMessageId: id, acceptedAt: new Date(), status: 'accepted' };
    }
    throw answerError(answer, 'send');
  }

  /** report.php: the message's current report as one event, or none while the gateway has none. */
  async getStatus(providerMessageId: string): Promise<StatusEvent[]> {
    const { rpt } = parseOrThrow(reportRequestSchema, { rpt: providerMessageId });
    const res = await this.call('report', { method: 'GET', path: SMS_MASKING_PATHS.report, query: { rpt } });
    const text = res.text.trim();
    const body = reportAnswerJsonSchema.safeParse(json(text));
    const found = body.success
      ? {
          code: body.data.error_code ?? body.data.status ?? body.data.code ?? '',
          message: body.data.error_message ?? body.data.message ?? body.data.keterangan,
        }
      : (leadingCode(text) ?? anyCode(text));
    // Assumption (the document shows only codes): an empty answer is "no report yet".
    if (text === '' || found?.code.trim() === '') return [];
    // A code the table does not list is a report all the same (unmapped, raw value kept); an answer
    // with no code at all is not "no news": it is counted and thrown, so a blind lookup shows.
    if (!found || !/^\d{1,3}$/.test(found.code.trim())) {
      const detail = `${PROVIDER} report answered in a shape kurir cannot read: "${text.split(this.options.password).join('***').slice(0, 120)}"`;
      this.options.onLookupUnparsed?.(detail);
      throw new ProviderUnavailableError(detail, {
        provider: PROVIDER,
        httpStatus: res.status,
        providerCode: 'report',
      });
    }
    return [eventFromReport(rpt, found.code, found.message, text)];
  }

  /** balance.php. Assumption: the amount is in the gateway's credit unit (the document names none). */
  async getBalance(): Promise<Balance> {
    const login = parseOrThrow(loginRequestSchema, {
      username: this.options.username,
      password: this.options.password,
    });
    const res = await this.call('balance', {
      method: 'GET',
      path: SMS_MASKING_PATHS.balance,
      query: { username: login.username, password: login.password },
    });
    const body = balanceAnswerJsonSchema.safeParse(json(res.text));
    const value = body.success ? (body.data.balance ?? body.data.saldo ?? body.data.credit) : res.text;
    const amount =
      value === undefined || /[a-z]{4,}/i.test(value.replace(/saldo|balance|rp/gi, ''))
        ? undefined
        : parseAmount(value);
    if (amount === undefined) throw answerError(res.text, 'balance');
    return { amount, unit: 'credit', raw: res.text };
  }

  /** inbox.php (collocation modem customers): the messages received. */
  async getInbox(): Promise<InboundMessage[]> {
    const login = parseOrThrow(loginRequestSchema, {
      username: this.options.username,
      password: this.options.password,
    });
    const res = await this.call('inbox', {
      method: 'GET',
      path: SMS_MASKING_PATHS.inbox,
      query: { username: login.username, password: login.password },
    });
    const text = res.text.trim();
    if (text === '') return [];
    const body = json(text);
    let items: unknown[];
    if (Array.isArray(body)) items = body;
    else if (body !== null && typeof body === 'object' && 'data' in body && Array.isArray(body.data))
      items = body.data as unknown[];
    else if (text.includes('|'))
      items = text
        .split(/\r?\n/)
        .filter((l) => l.includes('|'))
        .map((l) => {
          const [id, hp, message, date] = l.split('|');
          return { id, hp, message, date };
        });
    else throw answerError(text, 'inbox');
    const seen = new Map<string, number>();
    return items.flatMap((raw) => {
      const r = inboxItemSchema.safeParse(raw);
      const from = r.success ? (r.data.hp ?? r.data.msisdn ?? r.data.from) : undefined;
      if (!r.success || !from) return [];
      const time = r.data.date ?? r.data.time ?? r.data.received;
      const receivedAt = parseJakarta(time) ?? new Date();
      const digits = from.replace(/\D/g, '');
      const text = r.data.message ?? r.data.sms ?? r.data.text;
      return [
        {
          provider: PROVIDER,
          // Stable across polls, also without a gateway id (inbox-id.ts).
          providerMessageId: inboxMessageId(r.data.id, { digits, time, text }, seen),
          from: digits ? `+${digits}` : from,
          type: 'text',
          text,
          receivedAt,
          raw,
        },
      ];
    });
  }

  /** reports_post.php: the sending report for a range of days (Jakarta calendar days when given Dates). */
  async downloadReport(range: { start: Date | string; end: Date | string }): Promise<ReportDownload> {
    const day = (d: Date | string) => (typeof d === 'string' ? d : jakartaDay(d));
    const req = parseOrThrow(reportsPostRequestSchema, {
      username: this.options.username,
      password: this.options.password,
      start: day(range.start),
      end: day(range.end),
    });
    const res = await this.call('reports_post', {
      method: 'POST',
      path: SMS_MASKING_PATHS.reportsPost,
      form: { username: req.username, password: req.password, start: req.start, end: req.end },
    });
    const rows = parseCsv(res.text);
    // A one-line answer with no separator is a message (e.g. a login failure), not a file.
    if (rows.length === 0 && !/[,;\t]/.test(res.text)) throw answerError(res.text, 'reports_post');
    return { text: res.text, rows };
  }

  private async call(
    operation: SmsMaskingOperation,
    req: { method: 'GET' | 'POST'; path: string; query?: Record<string, string>; form?: Record<string, string> },
  ): Promise<HttpResponse> {
    const res = await httpRequest({
      provider: PROVIDER,
      method: req.method,
      url: joinUrl(this.options.baseUrl, req.path),
      query: req.query,
      form: req.form,
      timeoutMs: this.options.timeoutMs,
    });
    if (res.status < 200 || res.status >= 300) throw httpError(res.status, operation);
    // An empty report or inbox is an answer ("nothing yet"); elsewhere an empty body is an outage.
    if (operation !== 'report' && operation !== 'inbox' && res.text.trim() === '')
      throw new ProviderUnavailableError(`${PROVIDER} ${operation} answered an empty body`, {
        provider: PROVIDER,
        httpStatus: res.status,
      });
    return res;
  }
}

export const SMS_MASKING_SANDBOX_CREDENTIALS = {
  username: 'kurir-sandbox',
  password: 'sms-masking-sandbox-password',
} as const;
