// A local EngageLab OTP: template CRUD (in memory), /v1/messages (the sandbox makes the code),
// /v1/codes, /v1/verifications, HTTP Basic auth, the documented `{ code, message }` errors, and
// signed status callbacks. The template's send_channel_strategy is followed: a channel scripted to
// fail (see kit.ts: WhatsApp reads the last three digits, SMS the three before) falls back
// to the next one, and the callbacks say so in `channel`. Sandbox-only: GET /__sandbox/codes and
// GET /__sandbox/messages, because a real user reads the code on their phone.
import { randomInt } from 'node:crypto';
import {
  deliverCallback,
  progressFor,
  scenarioFor,
  sleep,
  startSandboxServer,
  type RunningSandbox,
  type SandboxOptions,
  type SandboxReply,
  type SandboxRequest,
  type Scenario,
} from './kit.js';
import { signEngageLabCallback } from '../providers/engagelab/callbacks.js';
import {
  CODE_TYPE_BITS,
  ENGAGELAB_PATHS,
  sendCustomCodeRequestSchema,
  sendOtpRequestSchema,
  strategyChannels,
  templateConfigSchema,
  verifyRequestSchema,
  type CallbackBody,
  type EngageLabMessageStatus,
  type SurpriseStatus,
  type TemplateConfig,
  type TemplateConfigInput,
} from '../providers/engagelab/contract.js';
import { ENGAGELAB_SANDBOX_CREDENTIALS } from '../providers/engagelab/client.js';
export { ENGAGELAB_SANDBOX_CREDENTIALS };

/** The same default as ENGAGELAB_CALLBACK_SECRET in config/schema.ts, so `npm start` works out of the box. */
export const ENGAGELAB_SANDBOX_CALLBACK_SECRET = 'dev-engagelab-callback-secret';
export const ENGAGELAB_SANDBOX_CALLBACK_USERNAME = 'kurir-sandbox';

const defaultTemplate = (template_id: string): TemplateConfigInput => ({
  template_id,
  description: 'kurir sandbox OTP',
  send_channel_strategy: 'whatsapp|sms',
  verify_code_config: { verify_code_type: 1, verify_code_len: 6, verify_code_ttl: 5 },
  whatsapp_config: { template_type: 1, template_default_config: { contain_security: false, contain_expire: true } },
  sms_config: { template_type: 1, template_default_config: { contain_security: false, contain_expire: true } },
});

/** Templates the sandbox starts with (`login-otp` is the document's sample id): whatsapp|sms, 6 digits, 5 minutes. */
export const ENGAGELAB_SANDBOX_TEMPLATES: readonly TemplateConfigInput[] = [
  defaultTemplate('kurir-otp'),
  defaultTemplate('login-otp'),
];

export interface EngageLabSandboxOptions extends SandboxOptions {
  devKey?: string;
  devSecret?: string;
  /** Key of the X-CALLBACK-ID HMAC; default ENGAGELAB_SANDBOX_CALLBACK_SECRET. */
  callbackSecret?: string;
  callbackUsername?: string;
  /** Templates present at start (replacing ENGAGELAB_SANDBOX_TEMPLATES). */
  templates?: readonly TemplateConfigInput[];
  /** How long one TTL minute lasts here, so tests can watch codes expire. Default 60 000 ms. */
  minuteMs?: number;
  /** How long the first send to a …610 number is held before its 500 answer. Default 12 s (beyond the 10 s client timeout). */
  slowResponseMs?: number;
  /** Sends allowed per recipient within `windowMs`; beyond it 429 code 3004. Default: no limit. */
  sendLimit?: { perRecipient: number; windowMs: number };
}

export interface SandboxEvent {
  message_status: EngageLabMessageStatus | SurpriseStatus;
  channel: string;
  at: string;
  error_code: number;
}

/** What GET /__sandbox/messages answers: the state the callbacks reported (also for 606, which sends none). */
export interface SandboxMessageView {
  message_id: string;
  to: string;
  template_id: string;
  send_channel: string;
  channel: string;
  expires_at: string;
  verified: boolean;
  events: SandboxEvent[];
}

export interface EngageLabSandbox extends RunningSandbox {
  /** The code a message carries (what the user would read on their phone). */
  codeFor(messageId: string): string | undefined;
  message(messageId: string): SandboxMessageView | undefined;
}

interface Step {
  status: EngageLabMessageStatus | SurpriseStatus;
  errorCode?: number;
  detail?: string;
}
interface Leg {
  channel: string;
  scenario: Scenario;
  steps: Step[];
}

interface SandboxMessage {
  id: string;
  to: string;
  templateId: string;
  code: string;
  sendChannel: string;
  /** The channel that carries the code (the last leg). */
  channel: string;
  quiet: boolean;
  itime: number;
  expiresAt: number;
  used: boolean;
  expired: boolean;
  events: SandboxEvent[];
  chain: Promise<void>;
}

const fail = (status: number, code: number, message: string, delayMs?: number): SandboxReply => ({
  status,
  body: { code, message },
  delayMs,
});
const AUTH_FAILED = (): SandboxReply => fail(401, 2001, 'authentication failed');
const BAD_JSON = (): SandboxReply => fail(400, 3001, 'invalid request body, check the JSON format');
const NOT_FOUND = (what: string): SandboxReply => fail(400, 4001, `${what} not exist`);

const LEG_FAILS: ReadonlySet<Scenario> = new Set(['invalid_number', 'rejected', 'fails_later']);

/** The statuses one channel leg goes through. The user verifying the code is what makes it "read". */
function stepsFor(scenario: Scenario): Step[] {
  switch (scenario) {
    case 'invalid_number':
      return [{ status: 'target_invalid', errorCode: 5011, detail: 'invalid number' }];
    case 'rejected':
      return [{ status: 'target_valid' }, { status: 'sent_failed', errorCode: 5013, detail: 'target blacklisted' }];
    case 'fails_later':
      return [{ status: 'target_valid' }, { status: 'sent_failed', errorCode: 5012, detail: 'target unreachable' }];
    // 611/612: before the delivery, a status name the document does not list, or a number in its place.
    case 'unknown_status':
      return [{ status: 'target_valid' }, { status: 'sent' }, { status: 'carrier_accepted' }, { status: 'delivered' }];
    case 'numeric_status':
      return [{ status: 'target_valid' }, { status: 'sent' }, { status: 2 }, { status: 'delivered' }];
    default:
      return [
        { status: 'target_valid' },
        ...progressFor(scenario)
          .filter((s) => s === 'sent' || s === 'delivered')
          .map((status) => ({ status })),
      ];
  }
}

function scenarioOf(to: string, channel: string): Scenario {
  if (to.includes('@') || (channel !== 'whatsapp' && channel !== 'sms')) return 'read';
  return scenarioFor(to, channel);
}

function generateCode(config: TemplateConfig['verify_code_config']): string {
  const type = config?.verify_code_type ?? 1;
  const alphabet =
    (type & CODE_TYPE_BITS.digits ? '0123456789' : '') +
    (type & CODE_TYPE_BITS.lowercase ? 'abcdefghijklmnopqrstuvwxyz' : '') +
    (type & CODE_TYPE_BITS.uppercase ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : '');
  let code = '';
  for (let i = 0; i < (config?.verify_code_len ?? 6); i++) code += alphabet[randomInt(alphabet.length)] ?? '0';
  return code;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function issueReply(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): SandboxReply {
  const issue = error.issues[0];
  return fail(400, 3002, `${issue?.path.map(String).join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}

/** The list answer leaves out contents ("umumnya tanpa konten spesifik"). */
function shortForm(t: StoredTemplate): Record<string, unknown> {
  const { whatsapp_config, sms_config, voice_config, email_config, ...rest } = t;
  return {
    ...rest,
    ...(whatsapp_config ? { whatsapp_config: { template_type: whatsapp_config.template_type } } : {}),
    ...(sms_config ? { sms_config: { template_type: sms_config.template_type, template_parts: 1 } } : {}),
    ...(voice_config ? { voice_config: { template_type: voice_config.template_type } } : {}),
    ...(email_config ? { email_config: { template_name: email_config.template_name } } : {}),
  };
}

type StoredTemplate = TemplateConfig & { created_time: number; status: number; audit_remark: string };

export async function startEngageLabSandbox(opts: EngageLabSandboxOptions = {}): Promise<EngageLabSandbox> {
  const expectedAuth = `Basic ${Buffer.from(`${opts.devKey ?? ENGAGELAB_SANDBOX_CREDENTIALS.devKey}:${opts.devSecret ?? ENGAGELAB_SANDBOX_CREDENTIALS.devSecret}`).toString('base64')}`;
  const secret = opts.callbackSecret ?? ENGAGELAB_SANDBOX_CALLBACK_SECRET;
  const username = opts.callbackUsername ?? ENGAGELAB_SANDBOX_CALLBACK_USERNAME;
  const delay = opts.callbackDelayMs ?? 50;
  const minuteMs = opts.minuteMs ?? 60_000;
  const slowMs = opts.slowResponseMs ?? 12_000;
  const templates = new Map<string, StoredTemplate>();
  const messages = new Map<string, SandboxMessage>();
  const sendsPerRecipient = new Map<string, number>();
  const recentSends = new Map<string, number[]>();
  const timers = new Set<NodeJS.Timeout>();
  let seq = randomInt(1_000_000); // two sandboxes issuing in the same millisecond still differ
  let closed = false;

  const store = (t: TemplateConfig): StoredTemplate => {
    const stored: StoredTemplate = { ...t, created_time: Math.floor(Date.now() / 1000), status: 1, audit_remark: '' };
    templates.set(t.template_id, stored);
    return stored;
  };
  for (const t of opts.templates ?? ENGAGELAB_SANDBOX_TEMPLATES) store(templateConfigSchema.parse(t));

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  /** EngageLab retries a callback that is not answered 2xx: `callbackRetries` times (default 3). */
  const post = async (body: CallbackBody): Promise<void> => {
    if (!opts.callbackUrl || closed) return;
    await deliverCallback(
      {
        method: 'POST',
        url: opts.callbackUrl,
        headers: { 'X-CALLBACK-ID': signEngageLabCallback(secret, username, Date.now()) },
        json: body,
      },
      { retries: opts.callbackRetries ?? 3, retryDelayMs: opts.callbackRetryDelayMs ?? 200 },
    );
  };

  /** Records a status in the message state (what the lookup shows) and returns its callback body. */
  const record = (m: SandboxMessage, channel: string, step: Step): CallbackBody => {
    const now = Date.now();
    m.events.push({
      message_status: step.status,
      channel,
      at: new Date(now).toISOString(),
      error_code: step.errorCode ?? 0,
    });
    return {
      message_id: m.id,
      to: m.to,
      server: 'otp',
      channel,
      itime: m.itime,
      status: {
        message_status: step.status,
        status_data: { msg_time: Math.floor(now / 1000) },
        error_code: step.errorCode ?? 0,
        error_detail: { message: step.detail ?? '' },
      },
    };
  };

  const enqueue = (m: SandboxMessage, task: () => Promise<void>): void => {
    m.chain = m.chain.then(task).catch(() => undefined);
  };

  /** Plays the legs one after another: plan, then each channel's statuses, spaced by callbackDelayMs. */
  function play(m: SandboxMessage, legs: Leg[], firstDelayMs: number): void {
    enqueue(m, async () => {
      let wait = firstDelayMs;
      const pause = async (): Promise<void> => {
        await sleep(wait);
        wait = delay;
      };
      await pause();
      if (closed) return;
      const plan = record(m, legs[0]?.channel ?? m.sendChannel, { status: 'plan' });
      if (legs[0]?.scenario !== 'no_callbacks') await post(plan);
      for (const leg of legs) {
        const held: CallbackBody[] = [];
        for (const step of leg.steps) {
          await pause();
          if (closed) return;
          const body = record(m, leg.channel, step);
          if (leg.scenario === 'no_callbacks') continue;
          if (leg.scenario === 'duplicate_reversed') held.push(body);
          else await post(body);
        }
        for (const body of held.reverse()) {
          await post(body);
          await post(body);
        }
      }
    });
  }

  /** A verification status, after everything already queued for the message. */
  function report(m: SandboxMessage, status: EngageLabMessageStatus): void {
    enqueue(m, async () => {
      if (closed) return;
      const body = record(m, m.channel, { status });
      if (!m.quiet) await post(body);
    });
  }

  function authorized(req: SandboxRequest): boolean {
    return req.headers.authorization === expectedAuth;
  }

  function rateLimited(to: string): boolean {
    if (!opts.sendLimit) return false;
    const now = Date.now();
    const recent = (recentSends.get(to) ?? []).filter((t) => now - t < opts.sendLimit!.windowMs);
    if (recent.length >= opts.sendLimit.perRecipient) {
      recentSends.set(to, recent);
      return true;
    }
    recent.push(now);
    recentSends.set(to, recent);
    return false;
  }

  function send(req: SandboxRequest, custom: boolean): SandboxReply {
    if (!isObject(req.body)) return BAD_JSON();
    const parsed = sendOtpRequestSchema.safeParse(req.body);
    if (!parsed.success) return issueReply(parsed.error);
    let customCode: string | undefined;
    if (custom) {
      const c = sendCustomCodeRequestSchema.safeParse(req.body);
      if (!c.success) return issueReply(c.error);
      customCode = c.data.code;
    }
    const { to, template: ref } = parsed.data;
    if (!/^\+\d{8,15}$/.test(to) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(to))
      return fail(400, 3002, 'to: must be an E.164 number (+…) or an email address');
    const template = templates.get(ref.id);
    if (!template) return NOT_FOUND('template');
    if (rateLimited(to)) return fail(429, 3004, 'rate limit exceeded, retry later');

    const n = (sendsPerRecipient.get(to) ?? 0) + 1;
    sendsPerRecipient.set(to, n);
    const channels = strategyChannels(template.send_channel_strategy);
    const scenarios = channels.map((c) => scenarioOf(to, c));
    const first = scenarios[0] ?? 'read';
    if (first === 'flaky_once' && n === 1) return fail(500, 1000, 'internal error');
    if (first === 'slow_once' && n === 1) return fail(500, 1000, 'internal error', slowMs);
    // Every channel refuses the number outright: the send itself fails, with the first channel's reason.
    if (scenarios.every((s) => s === 'invalid_number' || s === 'rejected')) {
      return first === 'invalid_number' ? fail(400, 5011, 'invalid number') : fail(400, 5013, 'target blacklisted');
    }
    const legs: Leg[] = [];
    for (const [i, channel] of channels.entries()) {
      const scenario = scenarios[i] ?? 'read';
      legs.push({ channel, scenario, steps: stepsFor(scenario) });
      if (!LEG_FAILS.has(scenario)) break;
    }
    const last = legs[legs.length - 1];
    const now = Date.now();
    const id = `${now}${String(++seq % 1_000_000).padStart(6, '0')}`;
    const m: SandboxMessage = {
      id,
      to,
      templateId: template.template_id,
      code: customCode ?? generateCode(template.verify_code_config),
      sendChannel: channels[0] ?? 'sms',
      channel: last?.channel ?? 'sms',
      quiet: last?.scenario === 'no_callbacks',
      itime: Math.floor(now / 1000),
      expiresAt: now + (template.verify_code_config?.verify_code_ttl ?? 5) * minuteMs,
      used: false,
      expired: false,
      events: [],
      chain: Promise.resolve(),
    };
    messages.set(id, m);
    const early = first === 'callback_before_response';
    play(m, legs, early ? 0 : delay);
    later(m.expiresAt - now, () => {
      if (m.used || m.expired) return;
      m.expired = true;
      report(m, 'verified_timeout');
    });
    const callbacks = 1 + legs.reduce((k, l) => k + l.steps.length, 0);
    return {
      status: 200,
      body: { message_id: id, send_channel: m.sendChannel },
      // 609: hold the answer until every callback has had time to arrive.
      delayMs: early ? (callbacks + 2) * delay + 300 : undefined,
    };
  }

  function verify(req: SandboxRequest): SandboxReply {
    if (!isObject(req.body)) return BAD_JSON();
    const parsed = verifyRequestSchema.safeParse(req.body);
    if (!parsed.success) return issueReply(parsed.error);
    const { message_id, verify_code } = parsed.data;
    const m = messages.get(message_id);
    if (!m) return NOT_FOUND('message');
    const answer = (verified: boolean): SandboxReply => ({ status: 200, body: { message_id, verify_code, verified } });
    if (m.expired || Date.now() > m.expiresAt) {
      if (!m.expired && !m.used) {
        m.expired = true;
        report(m, 'verified_timeout');
      }
      return answer(false);
    }
    // A code verifies once; afterwards (and for a wrong code) the answer is false.
    const ok = !m.used && verify_code === m.code;
    if (ok) m.used = true;
    report(m, ok ? 'verified' : 'verified_failed');
    return answer(ok);
  }

  function templateRoute(req: SandboxRequest, id: string | undefined): SandboxReply {
    if (id === undefined) {
      if (req.method === 'GET') return { status: 200, body: [...templates.values()].map(shortForm) };
      if (req.method !== 'POST') return fail(405, 3001, 'method not allowed');
    } else if (req.method === 'GET' || req.method === 'DELETE') {
      const t = templates.get(id);
      if (!t) return NOT_FOUND('config');
      if (req.method === 'DELETE') templates.delete(id);
      return { status: 200, body: req.method === 'GET' ? t : { code: 0, message: 'success' } };
    } else if (req.method !== 'PUT') return fail(405, 3001, 'method not allowed');

    if (!isObject(req.body)) return BAD_JSON();
    const configs = ['whatsapp_config', 'sms_config', 'voice_config', 'email_config'];
    if (!configs.some((k) => isObject(req.body) && req.body[k] !== undefined))
      return fail(400, 3003, 'not contains any channel config');
    const parsed = templateConfigSchema.safeParse(req.body);
    if (!parsed.success) return issueReply(parsed.error);
    if (id === undefined && templates.has(parsed.data.template_id))
      return fail(400, 3003, 'template_id already exists');
    if (id !== undefined) {
      if (!templates.has(id)) return NOT_FOUND('config');
      if (parsed.data.template_id !== id) return fail(400, 3002, 'template_id: does not match the path');
    }
    store(parsed.data);
    return { status: 200, body: { code: 0, message: 'success' } };
  }

  function view(m: SandboxMessage): SandboxMessageView {
    return {
      message_id: m.id,
      to: m.to,
      template_id: m.templateId,
      send_channel: m.sendChannel,
      channel: m.channel,
      expires_at: new Date(m.expiresAt).toISOString(),
      verified: m.used,
      events: [...m.events],
    };
  }

  const server = await startSandboxServer({
    port: opts.port,
    recipientOf: (req) => {
      if (
        req.method !== 'POST' ||
        (req.path !== ENGAGELAB_PATHS.messages && req.path !== ENGAGELAB_PATHS.codes) ||
        !isObject(req.body)
      )
        return undefined;
      const to = req.body.to;
      return typeof to === 'string' ? to : undefined;
    },
    handler: (req) => {
      const path = req.path.replace(/\/+$/, '');
      if (path === '/__sandbox/codes' || path === '/__sandbox/messages') {
        const m = messages.get(req.query.message_id ?? '');
        if (!m) return NOT_FOUND('message');
        return {
          status: 200,
          body:
            path === '/__sandbox/codes'
              ? {
                  message_id: m.id,
                  to: m.to,
                  code: m.code,
                  channel: m.channel,
                  expires_at: new Date(m.expiresAt).toISOString(),
                }
              : view(m),
        };
      }
      const isTemplates = path === ENGAGELAB_PATHS.templates || path.startsWith(`${ENGAGELAB_PATHS.templates}/`);
      const known =
        isTemplates ||
        path === ENGAGELAB_PATHS.messages ||
        path === ENGAGELAB_PATHS.codes ||
        path === ENGAGELAB_PATHS.verifications;
      if (!known) return fail(404, 4001, 'resource not found');
      if (!authorized(req)) return AUTH_FAILED();
      if (isTemplates) {
        const rest = path.slice(ENGAGELAB_PATHS.templates.length + 1);
        return templateRoute(req, rest ? decodeURIComponent(rest) : undefined);
      }
      if (req.method !== 'POST') return fail(405, 3001, 'method not allowed');
      if (req.rawBody.length > 0 && req.body === undefined) return BAD_JSON();
      if (path === ENGAGELAB_PATHS.verifications) return verify(req);
      return send(req, path === ENGAGELAB_PATHS.codes);
    },
  });

  return {
    ...server,
    codeFor: (id) => messages.get(id)?.code,
    message: (id) => {
      const m = messages.get(id);
      return m ? view(m) : undefined;
    },
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await server.close();
    },
  };
}
