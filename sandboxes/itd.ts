// A local ITD Chile: the four documented endpoints (GET with a query string or POST JSON, JWT in the
// `token` header), documented error answers, credits, status lookup that follows what the callbacks
// said, status callbacks to `callbackUrl` and inbound callbacks to `inboundCallbackUrl`. Outcomes are
// scripted by the recipient's last three digits (see kit.ts).
import { randomUUID } from 'node:crypto';
import {
  deliverCallback,
  progressFor,
  scenarioFor,
  startSandboxServer,
  type RunningSandbox,
  type SandboxOptions,
  type SandboxReply,
  type SandboxRequest,
} from './kit.js';
import {
  ITD_CONTENT_TYPES,
  ITD_DEFAULT_PREFIJO,
  itdAuthHeaders,
  type ItdAuthScheme,
} from '../providers/itd/contract.js';
import { formatCallbackDate, formatLookupDate, parseDayParam } from '../providers/itd/time.js';
import { ITD_SANDBOX_CREDENTIALS } from '../providers/itd/client.js';
export { ITD_SANDBOX_CREDENTIALS };

/** The sandbox account's WhatsApp number (`accountPhone`). */
export const ITD_SANDBOX_ACCOUNT_PHONE = '56932028245';

export interface ItdSandboxOptions extends SandboxOptions {
  /** The JWT the requests must carry; default ITD_SANDBOX_CREDENTIALS.token. */
  token?: string;
  /** The one header form it accepts (the document does not name the header); default `bearer`. */
  authScheme?: ItdAuthScheme;
  /** Where inbound-message callbacks go (e.g. http://127.0.0.1:3000/callbacks/itd/inbound?token=…). */
  inboundCallbackUrl?: string;
  /** WhatsApp credits at start; each accepted send uses one; at 0 sends answer 502 NOT_CREDITS. Default 1000. */
  credits?: number;
  /** How long the first send to a …610 number is held before its 504 answer. Default 12 s (beyond the 10 s client timeout). */
  slowResponseMs?: number;
}

/** What an inbound emit may set; the rest gets sandbox defaults. */
export interface ItdInboundInput {
  senderPhone: string;
  content?: string;
  messageType?: string;
  uuid?: string;
  sendAt?: number;
  caption?: string;
  url?: string;
  mimetype?: string;
  title?: string;
  description?: string;
  location_name?: string;
  lat?: string;
  lng?: string;
  direction?: number;
}

export type ItdInboundBody = Required<
  Pick<ItdInboundInput, 'uuid' | 'senderPhone' | 'content' | 'sendAt' | 'messageType' | 'caption' | 'url' | 'direction'>
> &
  ItdInboundInput & { accountPhone: string };

export interface ItdSandbox extends RunningSandbox {
  /** Stores an inbound message (listed by recievedWhatsapp) and posts it to `inboundCallbackUrl`. */
  emitInbound(input: ItdInboundInput): Promise<{ body: ItdInboundBody; delivered: boolean }>;
  /** Credits left. */
  credits(): number;
}

type ItdStatusName = 'MESSAGE QUEUED' | 'SENT' | 'DELIVERED' | 'READ' | 'FAILED';
const STATUS_NAMES: Record<'sent' | 'delivered' | 'read' | 'failed', ItdStatusName> = {
  sent: 'SENT',
  delivered: 'DELIVERED',
  read: 'READ',
  failed: 'FAILED',
};

interface SandboxMessage {
  recipient: string;
  status: ItdStatusName;
  createdAt: Date;
  sentAt?: Date;
  deliveredAt?: Date;
}

const ROUTES = {
  '/whatsapp/sendWhatsapp': 'send',
  '/whatsapp/statusWhatsappByKey': 'status',
  '/whatsapp/creditsWhatsapp': 'credits',
  '/whatsapp/recievedWhatsapp': 'received',
} as const;

const err = (status: number, statusApi: string, message: string, delayMs?: number): SandboxReply => ({
  status,
  body: { message, statusApi, code: status },
  delayMs,
});
const BAD_PARAMETERS = (): SandboxReply => err(400, 'BAD_REQUEST', 'BAD PARAMETERS');

/** Live base URLs end in `/api/v2`; the sandbox serves the paths with and without that prefix. */
function routeOf(path: string): (typeof ROUTES)[keyof typeof ROUTES] | undefined {
  const p = path.replace(/^\/api\/v2(?=\/)/, '').replace(/\/+$/, '');
  return (ROUTES as Record<string, (typeof ROUTES)[keyof typeof ROUTES]>)[p];
}

/** GET carries the parameters in the query string, POST in the JSON body. */
function paramsOf(req: SandboxRequest): Record<string, unknown> {
  if (req.method === 'GET') return req.query;
  return req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body)
    ? (req.body as Record<string, unknown>)
    : {};
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

function recipientOf(req: SandboxRequest): string | undefined {
  if (routeOf(req.path) !== 'send') return undefined;
  const p = paramsOf(req);
  const phone = str(p.phone);
  return phone ? `+${str(p.prefijo) || ITD_DEFAULT_PREFIJO}${phone}` : undefined;
}

export async function startItdSandbox(opts: ItdSandboxOptions = {}): Promise<ItdSandbox> {
  const token = opts.token ?? ITD_SANDBOX_CREDENTIALS.token;
  const delay = opts.callbackDelayMs ?? 50;
  const slowMs = opts.slowResponseMs ?? 12_000;
  let credits = opts.credits ?? 1000;
  const messages = new Map<string, SandboxMessage>();
  const inbound: ItdInboundBody[] = [];
  const sendsPerRecipient = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  // ITD documents no retry policy; the sandbox retries `callbackRetries` times (default 2) on a non-2xx.
  const post = (url: string | undefined, json: unknown): Promise<boolean> => {
    if (!url || closed) return Promise.resolve(false);
    return deliverCallback(
      { method: 'POST', url, json },
      { retries: opts.callbackRetries ?? 2, retryDelayMs: opts.callbackRetryDelayMs ?? 200 },
    );
  };

  const statusBody = (uuid: string, m: SandboxMessage, status: ItdStatusName) => ({
    sent_at: formatCallbackDate(m.sentAt ?? m.createdAt),
    status,
    uuid,
  });

  /** Moves the message through its scripted statuses and posts the callbacks the scenario calls for. */
  function progress(uuid: string, m: SandboxMessage, scenario: ReturnType<typeof scenarioFor>): void {
    const steps = progressFor(scenario).map((s) => STATUS_NAMES[s]);
    let chain = Promise.resolve();
    const queue = (status: ItdStatusName): void => {
      chain = chain.then(async () => {
        await post(opts.callbackUrl, statusBody(uuid, m, status));
      });
    };
    steps.forEach((status, i) => {
      later((i + 1) * delay, () => {
        const now = new Date();
        m.status = status;
        if (status === 'SENT') m.sentAt = now;
        if (status === 'DELIVERED') m.deliveredAt = now;
        if (scenario === 'no_callbacks') return;
        if (scenario !== 'duplicate_reversed') return queue(status);
        if (i === steps.length - 1)
          for (const s of [...steps].reverse()) {
            queue(s);
            queue(s);
          }
      });
    });
  }

  function send(p: Record<string, unknown>): SandboxReply {
    const contentType = str(p.content_type);
    if (!contentType || !(ITD_CONTENT_TYPES as readonly string[]).includes(contentType)) {
      return err(400, 'BAD_REQUEST', "Parámetro 'content_type' solo puede ser TEXT, IMAGE, LINK o FILE");
    }
    const content = str(p.content);
    const phone = str(p.phone);
    if (!content || !phone) return BAD_PARAMETERS();
    const prefijo = str(p.prefijo) || ITD_DEFAULT_PREFIJO;
    const recipient = `+${prefijo}${phone}`;
    const n = (sendsPerRecipient.get(recipient) ?? 0) + 1;
    sendsPerRecipient.set(recipient, n);
    const scenario = scenarioFor(recipient, 'whatsapp');
    if (!/^\d{4,14}$/.test(phone) || !/^\d{1,4}$/.test(prefijo)) return BAD_PARAMETERS();
    // ITD documents no answer for a number that has no WhatsApp: 601 is accepted and then never
    // moves past MESSAGE QUEUED (what the document allows), so only timed rules can act on it.
    if (contentType !== 'TEXT' && !/^https?:\/\//i.test(content)) return BAD_PARAMETERS();
    // Assumption: no rejection answer is documented; a permanent refusal is a 400 naming no field.
    if (scenario === 'rejected') return err(400, 'BAD_REQUEST', 'MESSAGE REJECTED');
    if (scenario === 'flaky_once' && n === 1) return err(500, 'ERROR', 'INTERNAL SERVER ERROR');
    if (scenario === 'slow_once' && n === 1) return err(504, 'ERROR', 'GATEWAY TIMEOUT', slowMs);
    if (credits <= 0) return err(502, 'NOT_CREDITS', 'NOT ENOUGH CREDITS');
    credits -= 1;
    const uuid = randomUUID();
    const m: SandboxMessage = { recipient, status: 'MESSAGE QUEUED', createdAt: new Date() };
    messages.set(uuid, m);
    progress(uuid, m, scenario);
    const steps = progressFor(scenario).length;
    return {
      status: 200,
      body: { uuid, statusApi: 'OK', code: 200 },
      // 609: hold the answer until every callback has had time to arrive.
      delayMs: scenario === 'callback_before_response' ? (steps + 2) * delay + 300 : undefined,
    };
  }

  function status(p: Record<string, unknown>): SandboxReply {
    if (p.key === undefined) return err(400, 'BAD_REQUEST', 'Introduzca parámetro key');
    const key = str(p.key)?.trim();
    if (!key) return BAD_PARAMETERS();
    const m = messages.get(key);
    if (!m) return err(503, 'INVALID_MESSAGE', 'WHATSAPP MESSAGE NOT FOUND');
    return {
      status: 200,
      body: {
        statusApi: 'OK',
        code: 200,
        data: {
          sent_at: m.sentAt ? formatLookupDate(m.sentAt) : null,
          status: m.status,
          delivered_at: m.deliveredAt ? formatLookupDate(m.deliveredAt) : null,
          credit_usage: 1,
        },
      },
    };
  }

  function received(p: Record<string, unknown>): SandboxReply {
    const senderPhone = str(p.senderPhone)?.trim();
    if (!senderPhone) return err(400, 'BAD_REQUEST', 'Parámetro senderPhone es necesario.');
    const day = parseDayParam(str(p.sendAt) ?? '');
    if (!day) return err(400, 'BAD_REQUEST', 'Parámetro sendAt es necesario y en formato ddMMyyyy ejemplo: 16081997');
    const top = Number(str(p.top));
    // Assumption: a missing or bad `top` gets the generic answer.
    if (!Number.isInteger(top) || top < 1) return BAD_PARAMETERS();
    // Assumption: sendAt is the day to list from (that day and later), newest first, at most `top`.
    const found = inbound
      .filter((b) => b.senderPhone === senderPhone && b.sendAt >= day.getTime())
      .sort((a, b) => b.sendAt - a.sendAt)
      .slice(0, top);
    if (found.length === 0) return err(503, 'INVALID_MESSAGE', 'NO WHATSAPP MESSAGES');
    return {
      status: 200,
      body: {
        statusApi: 'OK',
        code: 200,
        data: found.map((b) => ({
          whatsappKey: '',
          uuid: b.uuid,
          accountPhone: b.accountPhone,
          senderPhone: b.senderPhone,
          senderName: 'Sandbox',
          senderType: 'user',
          content: b.content,
          createdAt: b.sendAt,
          sendAt: b.sendAt,
          direction: b.direction,
          messageType: b.messageType,
          comments: 'READ',
        })),
      },
    };
  }

  async function emitInbound(input: ItdInboundInput): Promise<{ body: ItdInboundBody; delivered: boolean }> {
    const body: ItdInboundBody = {
      uuid: randomUUID(),
      accountPhone: ITD_SANDBOX_ACCOUNT_PHONE,
      content: '',
      sendAt: Date.now(),
      messageType: 'chat',
      caption: '',
      url: '',
      direction: 0,
      ...input,
      senderPhone: input.senderPhone.replace(/^\+/, ''),
    };
    inbound.push(body);
    return { body, delivered: await post(opts.inboundCallbackUrl, body) };
  }

  const server = await startSandboxServer({
    port: opts.port,
    recipientOf,
    handler: async (req) => {
      if (req.path === '/__sandbox/inbound' && req.method === 'POST') {
        const b = paramsOf(req);
        const senderPhone = str(b.senderPhone);
        if (!senderPhone) return { status: 400, body: { error: 'senderPhone is required' } };
        const { body, delivered } = await emitInbound({ ...(b as Partial<ItdInboundInput>), senderPhone });
        return { status: 200, body: { uuid: body.uuid, delivered } };
      }
      const route = routeOf(req.path);
      if (!route) return err(404, 'NOT_FOUND', 'NOT FOUND');
      if (req.method !== 'GET' && req.method !== 'POST') return err(405, 'METHOD_NOT_ALLOWED', 'METHOD NOT ALLOWED');
      const [[header, expected]] = Object.entries(itdAuthHeaders(opts.authScheme ?? 'bearer', token)) as [
        [string, string],
      ];
      if (req.headers[header] !== expected) return err(401, 'UNAUTHORIZED', 'UNAUTHORIZED');
      // Assumption: the 415 body is undocumented; it follows the other answers' shape.
      const ct = req.headers['content-type'];
      if (req.method === 'POST' && !(typeof ct === 'string' && ct.includes('application/json')))
        return err(415, 'UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED MEDIA TYPE');
      const p = paramsOf(req);
      switch (route) {
        case 'send':
          return send(p);
        case 'status':
          return status(p);
        case 'credits':
          return { status: 200, body: { statusApi: 'OK', code: 200, data: credits } };
        case 'received':
          return received(p);
      }
    },
  });

  return {
    ...server,
    emitInbound,
    credits: () => credits,
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await server.close();
    },
  };
}
