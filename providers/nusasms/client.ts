// NusaSMS WhatsApp client: plain-text sends over GET or POST, credits and delivery reports via
// the `/api/command` commands. Requests are checked against the contract before they leave, so a
// request NusaSMS would reject (text over 1000 characters, a bad number) makes no HTTP call.
import { BadRequestError, ProviderUnavailableError } from '../errors.js';
import { providerValidation } from '../validation.js';
import { httpRequest, joinUrl, type HttpResponse } from '../http.js';
import { toInternationalDigits } from '../phone.js';
import type { Balance, Channel, ChannelProvider, OutboundMessage, SendResult, StatusEvent } from '../types.js';
import { answerRecords, type AnswerRecord } from './answer.js';
import { readDrRecord } from './callbacks.js';
import {
  commandRequestSchema,
  creditsRecordSchema,
  NUSASMS_PATHS,
  sendRequestSchema,
  sendResultSchema,
  type CommandRequest,
  type NusaSmsOutput,
  type SendRequest,
} from './contract.js';
import { nusasmsCodeError, nusasmsHttpError, PROVIDER, type NusaSmsOperation } from './statuses.js';

export interface NusaSmsProviderOptions {
  /** e.g. `http://api.nusasms.com` (the `/api/...` paths are appended). */
  baseUrl: string;
  username: string;
  password: string;
  timeoutMs?: number;
  /** How sends go: query string (GET) or form body (POST). Default POST: the text stays out of URLs and logs. */
  method?: 'GET' | 'POST';
  /** The `output` we ask for; both are parsed whatever comes back. Default json. */
  output?: NusaSmsOutput;
  /** Told when a DR answer has a shape kurir cannot read (the worker logs and counts it). */
  onLookupUnparsed?: (detail: string) => void;
}

const { parseOrThrow } = providerValidation(PROVIDER);

export class NusaSmsProvider implements ChannelProvider {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['whatsapp'];
  private readonly options: Required<Omit<NusaSmsProviderOptions, 'timeoutMs' | 'onLookupUnparsed'>> &
    Pick<NusaSmsProviderOptions, 'timeoutMs' | 'onLookupUnparsed'>;

  constructor(options: NusaSmsProviderOptions) {
    this.options = { method: 'POST', output: 'json', ...options };
  }

  /** The send parameters for a message, validated; throws BadRequestError naming the field. */
  buildSendRequest(message: OutboundMessage): SendRequest {
    // `/sendwa/plain` carries plain text only.
    for (const field of ['template', 'media', 'smsFallback'] as const) {
      if (message[field])
        throw new BadRequestError(`${PROVIDER}: ${field}: NusaSMS sendwa/plain sends plain text only`, {
          provider: PROVIDER,
          field,
        });
    }
    if (message.text === undefined)
      throw new BadRequestError(`${PROVIDER}: text: is required`, { provider: PROVIDER, field: 'text' });
    const GSM = toInternationalDigits(message.to);
    return parseOrThrow(sendRequestSchema, {
      username: this.options.username,
      password: this.options.password,
      GSM,
      text: message.text,
      output: this.options.output,
    });
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const req = this.buildSendRequest(message);
    const params = { username: req.username, password: req.password, GSM: req.GSM, text: req.text, output: req.output };
    const url = joinUrl(this.options.baseUrl, NUSASMS_PATHS.send);
    const res = await httpRequest(
      this.options.method === 'GET'
        ? { provider: PROVIDER, method: 'GET', url, query: params, timeoutMs: this.options.timeoutMs }
        : { provider: PROVIDER, method: 'POST', url, form: params, timeoutMs: this.options.timeoutMs },
    );
    const first = this.firstRecord(res, 'sendwa');
    const result = sendResultSchema.safeParse(first);
    if (!result.success)
      throw new ProviderUnavailableError(`${PROVIDER} sendwa answered without a status`, {
        provider: PROVIDER,
        httpStatus: res.status,
      });
    const code = result.data.status.trim();
    if (code !== '0') throw nusasmsCodeError(code, 'sendwa');
    const id = result.data.messageid?.trim();
    if (!id)
      throw new ProviderUnavailableError(`${PROVIDER} sendwa answered status 0 without a messageid`, {
        provider: PROVIDER,
        providerCode: code,
      });
    // NusaSMS gives no acceptance time: ours stands in.
    return { providerMessageId: id, acceptedAt: new Date(), status: 'accepted', providerCode: code };
  }

  /**
   * `cmd=DR`: the current delivery status of a message, as one event; `[]` only when NusaSMS says it
   * has no report yet (callbacks.ts readDrRecord lists the shapes). An answer in no known shape is
   * reported to `onLookupUnparsed` and thrown as a retryable error: the lookup is blind, not quiet.
   */
  async getStatus(providerMessageId: string): Promise<StatusEvent[]> {
    const res = await this.command({ cmd: 'DR', msgid: providerMessageId, ref_no: providerMessageId });
    const readings = this.checkedRecords(res, 'DR').map((r) => readDrRecord(r, providerMessageId));
    const events = readings.flatMap((r) => (r.kind === 'report' ? [r.event] : []));
    if (events.length === 0 && (readings.length === 0 || readings.some((r) => r.kind === 'unparsed'))) {
      // The body may echo the request: never show the password, and only a short excerpt.
      const excerpt = res.text.split(this.options.password).join('***').trim().slice(0, 120) || '(empty answer)';
      const detail = `${PROVIDER} DR answered in a shape kurir cannot read: "${excerpt}"`;
      this.options.onLookupUnparsed?.(detail);
      throw new ProviderUnavailableError(detail, { provider: PROVIDER, httpStatus: res.status, providerCode: 'DR' });
    }
    return events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  }

  /** `cmd=CREDITS&type=wa`: the WhatsApp credits left. */
  async getBalance(): Promise<Balance> {
    const res = await this.command({ cmd: 'CREDITS' });
    const records = this.checkedRecords(res, 'CREDITS');
    for (const record of records) {
      const c = creditsRecordSchema.safeParse(record);
      const value = c.success ? (c.data.credits ?? c.data.credit ?? c.data.balance) : undefined;
      const bare = typeof record.value === 'string' ? record.value : undefined;
      const amount = Number((value ?? bare ?? '').replace(/,/g, ''));
      if ((value ?? bare) !== undefined && Number.isFinite(amount)) return { amount, unit: 'credits', raw: res.text };
    }
    throw new ProviderUnavailableError(`${PROVIDER} CREDITS answered without an amount`, {
      provider: PROVIDER,
      httpStatus: res.status,
    });
  }

  private async command(args: Pick<CommandRequest, 'cmd' | 'msgid' | 'ref_no'>): Promise<HttpResponse> {
    // The command example logs in with `user` (not `username` as sendwa does).
    const req = parseOrThrow(commandRequestSchema, {
      user: this.options.username,
      password: this.options.password,
      type: 'wa',
      output: this.options.output,
      ...args,
    });
    const query = {
      user: req.user,
      password: req.password,
      cmd: req.cmd,
      type: req.type,
      output: req.output,
      msgid: req.msgid,
      ref_no: req.ref_no,
    };
    return httpRequest({
      provider: PROVIDER,
      method: 'GET',
      url: joinUrl(this.options.baseUrl, NUSASMS_PATHS.command),
      query,
      timeoutMs: this.options.timeoutMs,
    });
  }

  /** The records of a 2xx answer; HTTP errors become named errors. */
  private records(res: HttpResponse, operation: NusaSmsOperation): AnswerRecord[] {
    if (res.status < 200 || res.status >= 300) throw nusasmsHttpError(res.status, operation);
    return answerRecords(res.text);
  }

  private firstRecord(res: HttpResponse, operation: NusaSmsOperation): AnswerRecord | undefined {
    return this.records(res, operation)[0];
  }

  /** Command records, throwing the named error when a record carries a non-zero numeric code. */
  private checkedRecords(res: HttpResponse, operation: NusaSmsOperation): AnswerRecord[] {
    const records = this.records(res, operation);
    for (const record of records) {
      const status = record.status;
      const code = typeof status === 'number' ? String(status) : typeof status === 'string' ? status.trim() : undefined;
      if (code !== undefined && /^-\d+$/.test(code)) throw nusasmsCodeError(code, operation);
    }
    return records;
  }
}

export const NUSASMS_SANDBOX_CREDENTIALS = { username: 'kurir-sandbox', password: 'nusasms-sandbox-password' } as const;
