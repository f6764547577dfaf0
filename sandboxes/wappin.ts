// A local Wappin: the six documented endpoints (token with Basic auth, then Bearer), the
// documented codes and messages, a status inquiry that follows what the callbacks said, the number
// checker, and callbacks POSTed with `Authorization: Bearer <callbackToken>` and retried three
// times unless answered {"status":"000"}. Outcomes are scripted by the recipient's last three
// digits (see kit.ts); the omnichannel SMS leg by the three before them.
import { randomBytes } from 'node:crypto';
import {
  deliverCallback,
  progressFor,
  scenarioFor,
  startSandboxServer,
  type RunningSandbox,
  type SandboxOptions,
  type SandboxReply,
  type SandboxRequest,
  type Scenario,
} from './kit.js';
import {
  extensionOf,
  WAPPIN_MEDIA_EXTENSIONS,
  WAPPIN_MEDIA_TYPES,
  WAPPIN_PATHS,
  type WappinMediaType,
} from '../providers/wappin/contract.js';
import { formatWappinDateTime, toUnixSeconds } from '../providers/wappin/time.js';
import { WAPPIN_SANDBOX_CREDENTIALS } from '../providers/wappin/client.js';
export { WAPPIN_SANDBOX_CREDENTIALS };

/** The Bearer token the sandbox puts on its callbacks by default (config's WAPPIN_CALLBACK_TOKEN default). */
export const WAPPIN_SANDBOX_CALLBACK_TOKEN = 'dev-wappin-callback-token';

/** UAT templates the document names, with their parameter counts; other names are accepted with any count. */
export const WAPPIN_SANDBOX_TEMPLATES: Readonly<Record<string, number>> = { templ_uat_2: 2, templ_uat_3: 3 };

export interface WappinSandboxOptions extends SandboxOptions {
  clientId?: string;
  secretKey?: string;
  projectId?: string;
  clientName?: string;
  projectName?: string;
  /**
   * What the callbacks' `Authorization: Bearer [token]` carries. The document writes it as the API
   * token, so by default the integration's current access token (it rotates); `static` sends
   * `callbackToken` instead (a setup with a callback secret).
   */
  callbackAuth?: 'access-token' | 'static';
  /** The Bearer value of `static` callbacks (and of callbacks before any token was issued); default WAPPIN_SANDBOX_CALLBACK_TOKEN. */
  callbackToken?: string;
  /** How long an issued token lives. Default 24 h, as documented. */
  tokenTtlMs?: number;
  /** Known templates → parameter count (a wrong count answers 400). Default WAPPIN_SANDBOX_TEMPLATES. */
  templates?: Record<string, number>;
  /** Known SMS templates → parameter count; other names are accepted with any count. */
  smsTemplates?: Record<string, number>;
  /** A UAT project answers do-send with 419 (document 2.3). Default true (production). */
  production?: boolean;
  /**
   * The document puts the code only in the body. `true`: the HTTP status equals the code when it
   * is a valid HTTP status (601/605/700 still go as 200). Default false: always HTTP 200.
   */
  httpStatusIsCode?: boolean;
  /** How long the first send to a …610 number is held before its 504 answer. Default 12 s (beyond the 10 s client timeout). */
  slowResponseMs?: number;
}

/** What a test may set on an inbound message; the rest gets sandbox defaults. */
export interface WappinInboundInput {
  from: string;
  text: string;
  messageId?: string;
}

export interface WappinCallbackRecord {
  body: Record<string, string>;
  delivered: boolean;
  attempts: number;
}

export interface WappinSandbox extends RunningSandbox {
  /** A customer writes to us: posts a `callback_type: message` callback. */
  emitInbound(input: WappinInboundInput): Promise<WappinCallbackRecord>;
  /** Every callback the sandbox has finished posting (delivered or given up), in order. */
  callbacks: WappinCallbackRecord[];
  /** Forgets every issued token, as regenerating it from the dashboard does: the next Bearer call gets 401. */
  revokeTokens(): void;
  /** Tokens issued so far (new tokens, not "Token not expired" answers). */
  tokensIssued(): number;
}

type ProgressStatus = 'sent' | 'delivered' | 'read' | 'failed';
interface SandboxMessage {
  recipient: string;
  events: Array<{ status: ProgressStatus; at: Date }>;
}
type Body = Record<string, unknown>;

const ROUTES: Record<string, 'token' | 'hsm' | 'text' | 'media' | 'inquiry' | 'checker'> = {
  [WAPPIN_PATHS.token]: 'token',
  [WAPPIN_PATHS.sendHsm]: 'hsm',
  [WAPPIN_PATHS.sendText]: 'text',
  [WAPPIN_PATHS.sendMedia]: 'media',
  [WAPPIN_PATHS.inquiry]: 'inquiry',
  [WAPPIN_PATHS.numberChecker]: 'checker',
};

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
const isObject = (v: unknown): v is Body => v !== null && typeof v === 'object' && !Array.isArray(v);
const newMessageId = (): string => randomBytes(7).toString('hex').slice(0, 13);

function recipientOf(req: SandboxRequest): string | undefined {
  if (!isObject(req.body)) return undefined;
  const route = ROUTES[req.path.replace(/\/+$/, '')];
  if (route === 'hsm' || route === 'text' || route === 'media') return str(req.body.recipient_number);
  if (route === 'checker') return str(req.body.phone_number);
  return undefined;
}

/** National (0…) or international digits → international digits, as Wappin accepts both. */
function international(n: string): string {
  const d = n.replace(/\D/g, '');
  return d.startsWith('0') ? `62${d.slice(1)}` : d;
}

/** Params objects keyed "1".."n"; undefined when not such an object. */
function paramCount(v: unknown): number | undefined {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  return keys.every((k) => /^[1-9]\d*$/.test(k) && Number(k) <= keys.length) ? keys.length : undefined;
}

export async function startWappinSandbox(opts: WappinSandboxOptions = {}): Promise<WappinSandbox> {
  const clientId = opts.clientId ?? WAPPIN_SANDBOX_CREDENTIALS.clientId;
  const secretKey = opts.secretKey ?? WAPPIN_SANDBOX_CREDENTIALS.secretKey;
  const projectId = opts.projectId ?? WAPPIN_SANDBOX_CREDENTIALS.projectId;
  const callbackToken = opts.callbackToken ?? WAPPIN_SANDBOX_CALLBACK_TOKEN;
  const ttl = opts.tokenTtlMs ?? 24 * 60 * 60 * 1000;
  const templates = opts.templates ?? WAPPIN_SANDBOX_TEMPLATES;
  const smsTemplates = opts.smsTemplates ?? {};
  const delay = opts.callbackDelayMs ?? 50;
  const slowMs = opts.slowResponseMs ?? 12_000;
  const production = opts.production ?? true;
  const tokens = new Map<string, number>();
  let current: { token: string; expiresAt: number } | undefined;
  let issued = 0;
  const messages = new Map<string, SandboxMessage>();
  const sendsPerRecipient = new Map<string, number>();
  const callbacks: WappinCallbackRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const reply = (code: string, message: string, extra: Body = {}, delayMs?: number): SandboxReply => {
    const n = Number(code);
    const status = opts.httpStatusIsCode && n >= 200 && n <= 599 ? n : 200;
    return { status, body: { status: code, message, ...extra }, delayMs };
  };
  const NO_INPUT = (): SandboxReply => reply('400', 'Error no input received', { data: null });
  const BAD_IDS = (): SandboxReply => reply('400', 'Project ID or Client ID cannot be process.', { data: null });

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  const callbackBearer = () =>
    opts.callbackAuth !== 'static' && current && tokens.has(current.token) ? current.token : callbackToken;

  /** Posts one callback; Wappin retries three times unless the answer is {"status":"000"}. */
  async function post(body: Record<string, string>): Promise<WappinCallbackRecord> {
    const record: WappinCallbackRecord = { body, delivered: false, attempts: 0 };
    if (!opts.callbackUrl || closed) return record;
    record.delivered = await deliverCallback(
      { method: 'POST', url: opts.callbackUrl, headers: { authorization: `Bearer ${callbackBearer()}` }, json: body },
      {
        retries: opts.callbackRetries ?? 3,
        retryDelayMs: opts.callbackRetryDelayMs ?? 200,
        accepted: (_status, text) => {
          try {
            const j: unknown = JSON.parse(text);
            return isObject(j) && j.status === '000';
          } catch {
            return false;
          }
        },
        onResult: (_ok, attempts) => {
          record.attempts = attempts;
        },
      },
    );
    callbacks.push(record);
    return record;
  }

  const callbackBody = (
    messageId: string,
    type: 'status' | 'message',
    sender: string,
    status: string,
    content: string,
    at: Date,
  ): Record<string, string> => ({
    message_id: messageId,
    client_id: clientId,
    client_name: opts.clientName ?? 'kurir-sandbox',
    project_id: projectId,
    project_name: opts.projectName ?? 'KURIR-SANDBOX',
    sender_number: sender,
    status_messages: status,
    message_content: content,
    environment: production ? 'PRODUCTION' : 'UAT',
    timestamp: toUnixSeconds(at),
    callback_type: type,
  });

  /** Moves the message through its scripted statuses and posts the callbacks the scenario calls for. */
  function progress(messageId: string, m: SandboxMessage, scenario: Scenario): void {
    const steps = progressFor(scenario);
    let chain = Promise.resolve();
    const queue = (status: ProgressStatus, at: Date): void => {
      chain = chain.then(async () => {
        await post(callbackBody(messageId, 'status', m.recipient, status, '-', at));
      });
    };
    steps.forEach((status, i) => {
      later((i + 1) * delay, () => {
        const at = new Date();
        m.events.push({ status, at });
        if (scenario === 'no_callbacks') return;
        if (scenario !== 'duplicate_reversed') return queue(status, at);
        if (i === steps.length - 1)
          for (const e of [...m.events].reverse()) {
            queue(e.status, e.at);
            queue(e.status, e.at);
          }
      });
    });
  }

  function bearer(req: SandboxRequest): SandboxReply | undefined {
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
    if (!m) return reply('406', 'Auth not recognize', { data: null });
    const expiresAt = tokens.get(m[1]!);
    if (expiresAt === undefined || expiresAt <= Date.now()) return reply('401', 'Invalid credential', { data: null });
    return undefined;
  }

  function token(req: SandboxRequest): SandboxReply {
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^Basic\s+(\S+)$/i.exec(auth) : null;
    if (!m) return reply('406', 'Auth not recognize', { data: null });
    const [user, ...rest] = Buffer.from(m[1]!, 'base64').toString('utf8').split(':');
    if (user !== clientId || rest.join(':') !== secretKey) return reply('401', 'Invalid credential', { data: null });
    const now = Date.now();
    const live = current !== undefined && current.expiresAt > now && tokens.has(current.token);
    if (!live) {
      current = { token: randomBytes(32).toString('hex'), expiresAt: now + ttl };
      tokens.set(current.token, current.expiresAt);
      issued += 1;
    }
    const c = current!;
    return reply('200', live ? 'Token not expired' : 'Success', {
      data: {
        access_token: c.token,
        expired_datetime: formatWappinDateTime(new Date(c.expiresAt)),
        token_type: 'access_token',
      },
    });
  }

  /** Common checks of the three send endpoints; the recipient and its scenario when they pass. */
  function sendPreamble(b: Body): SandboxReply | { recipient: string; scenario: Scenario; attempt: number } {
    const recipient = str(b.recipient_number);
    if (!recipient || !/^\+?\d{8,15}$/.test(recipient)) return NO_INPUT();
    if (str(b.client_id) !== clientId || str(b.project_id) !== projectId) return BAD_IDS();
    const intl = international(recipient);
    const attempt = (sendsPerRecipient.get(intl) ?? 0) + 1;
    sendsPerRecipient.set(intl, attempt);
    return { recipient: intl, scenario: scenarioFor(intl, 'whatsapp'), attempt };
  }

  /** The scripted answer of an accepted-looking send; `scenario` drives the callbacks. */
  function accept(
    recipient: string,
    scenario: Scenario,
    attempt: number,
    channel: 'whatsapp' | 'sms' = 'whatsapp',
  ): SandboxReply {
    if (channel === 'whatsapp' && scenario === 'invalid_number')
      return reply('601', 'Contact invalid', { message_id: newMessageId(), data: null });
    // Assumption: no rejection code is documented; a permanent refusal is a 400 naming no field.
    if (scenario === 'rejected') return reply('400', 'Message rejected', { message_id: newMessageId(), data: null });
    // A vendor outage: a 5xx whose body carries the documented 700.
    if (scenario === 'flaky_once' && attempt === 1)
      return { status: 502, body: { status: '700', message: 'Error from vendor', data: null } };
    if (scenario === 'slow_once' && attempt === 1) return { status: 504, body: 'Gateway Timeout', delayMs: slowMs };
    const messageId = newMessageId();
    const m: SandboxMessage = { recipient, events: [] };
    messages.set(messageId, m);
    // The SMS leg of an omnichannel send fails where the WhatsApp leg would report invalid number.
    progress(messageId, m, channel === 'sms' && scenario === 'invalid_number' ? 'fails_later' : scenario);
    const steps = progressFor(scenario).length;
    // 609: hold the answer until every callback has had time to arrive.
    return reply(
      '200',
      'Success',
      { message_id: messageId, data: null },
      scenario === 'callback_before_response' ? (steps + 2) * delay + 300 : undefined,
    );
  }

  function sendHsm(b: Body): SandboxReply {
    const pre = sendPreamble(b);
    if ('status' in pre) return pre;
    const type = str(b.type);
    const count = paramCount(b.params);
    if (!type || count === undefined) return NO_INPUT();
    // Assumption: templates named missing_* or inactive_* stand for unapproved ones.
    if (/^(missing|inactive)_/.test(type))
      return reply('404', 'API Notification Template not found or inactive', { data: null });
    const expected = templates[type];
    if (expected !== undefined && expected !== count)
      return reply('400', 'Message param count do not match', { data: null });
    if (b.channel === undefined) return accept(pre.recipient, pre.scenario, pre.attempt);
    const content = str(b.content);
    const smsCount = paramCount(b.params_sms);
    if (str(b.channel) !== 'sms' || !content || smsCount === undefined) return NO_INPUT();
    if (/^(missing|inactive)_/.test(content)) return reply('404', 'Content Template SMS not found', { data: null });
    const smsExpected = smsTemplates[content];
    if (smsExpected !== undefined && smsExpected !== smsCount)
      return reply('400', 'params sms count do not match', { data: null });
    // "WA → SMS, Invalid WA Number": Wappin sends the SMS instead of answering 601; that leg's
    // outcome follows the SMS digits of the number. Otherwise the WhatsApp leg runs as usual.
    if (pre.scenario === 'invalid_number')
      return accept(pre.recipient, scenarioFor(pre.recipient, 'sms'), pre.attempt, 'sms');
    return accept(pre.recipient, pre.scenario, pre.attempt);
  }

  function sendText(b: Body): SandboxReply {
    const pre = sendPreamble(b);
    if ('status' in pre) return pre;
    if (!str(b.message_content)) return NO_INPUT();
    if (!production) {
      return reply(
        '419',
        'Sorry, the API Send Message can only be used for projects with production status. Please try API Sending Message using Sandbox - Send Session Message.',
        { message_id: newMessageId(), data: null },
      );
    }
    return accept(pre.recipient, pre.scenario, pre.attempt);
  }

  function sendMedia(b: Body): SandboxReply {
    const pre = sendPreamble(b);
    if ('status' in pre) return pre;
    const media = str(b.media);
    const type = str(b.media_type);
    if (!media || !type) return NO_INPUT();
    if (!(WAPPIN_MEDIA_TYPES as readonly string[]).includes(type))
      return reply('605', 'Upload Media Failed', { data: null });
    const ext = extensionOf(media);
    if (ext !== undefined && !WAPPIN_MEDIA_EXTENSIONS[type as WappinMediaType].includes(ext))
      return reply('605', 'Upload Media Failed', { data: null });
    return accept(pre.recipient, pre.scenario, pre.attempt);
  }

  function inquiry(b: Body): SandboxReply {
    const id = str(b.message_id);
    if (!id) return NO_INPUT();
    const m = messages.get(id);
    if (!m) return reply('404', 'Data not Found', { message_id: id, data: null });
    return reply('200', 'Success', {
      message_id: id,
      data: m.events.map((e) => ({ status: e.status, timestamp: toUnixSeconds(e.at) })),
    });
  }

  function checker(b: Body): SandboxReply {
    const phone = str(b.phone_number);
    if (!phone || !/^\+?\d{8,15}$/.test(phone)) return NO_INPUT();
    if (str(b.client_id) !== clientId || str(b.project_id) !== projectId) return BAD_IDS();
    const intl = international(phone);
    if (scenarioFor(intl, 'whatsapp') === 'invalid_number')
      return reply('601', 'Phone Number Invalid', { message_id: newMessageId(), data: null });
    return reply('200', 'Phone Number Valid', { message_id: newMessageId(), data: `+${intl}` });
  }

  async function emitInbound(input: WappinInboundInput): Promise<WappinCallbackRecord> {
    return post(
      callbackBody(
        input.messageId ?? newMessageId(),
        'message',
        international(input.from),
        '-',
        input.text,
        new Date(),
      ),
    );
  }

  const server = await startSandboxServer({
    port: opts.port,
    recipientOf,
    handler: async (req) => {
      if (req.path === '/__sandbox/inbound' && req.method === 'POST') {
        const b = isObject(req.body) ? req.body : {};
        const from = str(b.from);
        const text = str(b.text);
        if (!from || text === undefined) return { status: 400, body: { error: 'from and text are required' } };
        const record = await emitInbound({ from, text });
        return { status: 200, body: { message_id: record.body.message_id, delivered: record.delivered } };
      }
      const route = ROUTES[req.path.replace(/\/+$/, '')];
      // Assumption: unknown paths and methods get a plain 404/405 from the web server, not a Wappin body.
      if (!route) return { status: 404, body: { message: 'Not Found' } };
      if (req.method !== 'POST') return { status: 405, body: { message: 'Method Not Allowed' } };
      if (route === 'token') return token(req);
      const denied = bearer(req);
      if (denied) return denied;
      if (!isObject(req.body)) return NO_INPUT();
      switch (route) {
        case 'hsm':
          return sendHsm(req.body);
        case 'text':
          return sendText(req.body);
        case 'media':
          return sendMedia(req.body);
        case 'inquiry':
          return inquiry(req.body);
        case 'checker':
          return checker(req.body);
      }
    },
  });

  return {
    ...server,
    callbacks,
    emitInbound,
    revokeTokens: () => {
      tokens.clear();
      current = undefined;
    },
    tokensIssued: () => issued,
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await server.close();
    },
  };
}
