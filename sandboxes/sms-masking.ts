// An SMS masking gateway sandbox: send.php (GET), send_post.php (POST), report.php, balance.php,
// inbox.php (sandbox-only POST /__sandbox/inbox adds a message), reports_post.php and DLR callbacks
// by HTTP GET. Outcomes are scripted by the three digits before the recipient's last three (the SMS
// code, see kit.ts). Paths are served at the root and under `/masking/` like the real gateway.
import { randomInt } from 'node:crypto';
import {
  deliverCallback,
  scenarioFor,
  sleep,
  startSandboxServer,
  type RunningSandbox,
  type SandboxOptions,
  type SandboxReply,
  type SandboxRequest,
  type Scenario,
} from './kit.js';
import { SMS_MASKING_PATHS } from '../providers/sms-masking/contract.js';
import { jakartaDay } from '../providers/sms-masking/text.js';
import { SMS_MASKING_SANDBOX_CREDENTIALS } from '../providers/sms-masking/client.js';
export { SMS_MASKING_SANDBOX_CREDENTIALS };

/**
 * Explicit assumptions: the document shows no send failure at all (only the numeric id of a
 * success), so these texts are the sandbox's own, scripted for a wrong login, an empty message and
 * 602; docs/providers.md lists them as assumptions. The client reads them with statuses.ts TEXT_ERRORS.
 */
export const SMS_MASKING_SANDBOX_ANSWERS = {
  badLogin: 'Username atau Password salah',
  emptyMessage: 'Pesan kosong',
  rejected: 'REJECTED: pesan ditolak operator',
} as const;

export interface SmsMaskingSandboxOptions extends SandboxOptions {
  username?: string;
  password?: string;
  /** Credits at start; each accepted SMS costs one credit per started 160 characters (the document's words). */
  balance?: number;
  /** Messages inbox.php lists (collocation modem customers); tests add more by POST /__sandbox/inbox. */
  inbox?: InboxItem[];
  /** inbox.php's answer, which the document does not show: a JSON array (default) or `id|hp|message|date` lines. */
  inboxFormat?: 'json' | 'lines';
  /** Whether a read empties the inbox (the document does not say); default false, every read lists all. */
  inboxDrain?: boolean;
  /** How long the first send to a scripted 610 number takes before it answers 503. */
  slowMs?: number;
}

/** An inbox item as the sandbox answers it; no `id` or `date` when the test gives none. */
export interface InboxItem {
  id?: string;
  hp: string;
  message: string;
  date?: string;
}

/** Jakarta wall-clock time, `yyyy-MM-dd HH:mm:ss` (WIB, UTC+7), as the client's parseJakarta reads it. */
const jakartaTime = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

interface Message {
  hp: string;
  message: string;
  sentAt: Date;
  code?: string;
}

const MESSAGES: Record<string, string> = {
  '22': 'Delivered',
  '20': 'Pending',
  '50': 'Insufficient Credit Balance',
  '51': 'Expiration Period',
  '52': 'No Charge',
};

/** The DLR codes each scenario reports, in natural order. SMS has no read receipt: "read" ends at 22. */
function codesFor(scenario: Scenario): string[] {
  switch (scenario) {
    case 'invalid_number':
      return ['52'];
    case 'fails_later':
      return ['51'];
    case 'never_delivered':
      return ['20'];
    case 'duplicate_reversed':
      return ['20', '22'];
    // 611: a code neither table lists, before the delivery. 612 (a number where a name was shown)
    // cannot happen here: every DLR value is query text and every code is already a number.
    case 'unknown_status':
      return ['23', '22'];
    case 'rejected':
      return [];
    default:
      return ['22'];
  }
}

function params(req: SandboxRequest): Record<string, string> {
  const body = req.body !== null && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  const out: Record<string, string> = { ...req.query };
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  return out;
}

const text = (body: string, status = 200): SandboxReply => ({ status, body, contentType: 'text/html; charset=UTF-8' });

export async function startSmsMaskingSandbox(opts: SmsMaskingSandboxOptions = {}): Promise<RunningSandbox> {
  const username = opts.username ?? SMS_MASKING_SANDBOX_CREDENTIALS.username;
  const password = opts.password ?? SMS_MASKING_SANDBOX_CREDENTIALS.password;
  const delay = opts.callbackDelayMs ?? 50;
  let balance = opts.balance ?? 10_000;
  // Numeric ids like the gateway's (e.g. 18319370), unique across sandbox restarts as the real
  // gateway's are: a fixed start made a new sandbox reuse ids that a shared database already
  // owned, so callbacks reached an older message's workflow.
  let nextId = randomInt(10_000_000, 2 ** 47);
  let closed = false;
  const messages = new Map<string, Message>();
  const firstSeen = new Set<string>();
  const loggedIn = (p: Record<string, string>) => p.username === username && p.password === password;

  const dlr = async (id: string, m: Message, code: string): Promise<void> => {
    if (!opts.callbackUrl || closed) return;
    await deliverCallback(
      {
        method: 'GET',
        url: opts.callbackUrl,
        query: { session_id: id, error_code: code, error_message: MESSAGES[code] ?? '', msisdn: m.hp },
      },
      { retries: opts.callbackRetries ?? 3, retryDelayMs: opts.callbackRetryDelayMs ?? 500 },
    );
  };

  /** report.php follows every code; DLRs report them (reversed and twice for 608, none for 606). */
  const progress = async (id: string, m: Message, scenario: Scenario, firstDelay: number): Promise<void> => {
    const later: string[] = [];
    for (const [i, code] of codesFor(scenario).entries()) {
      await sleep(i === 0 ? firstDelay : delay);
      if (closed) return;
      m.code = code;
      if (scenario === 'no_callbacks') continue;
      if (scenario === 'duplicate_reversed') later.unshift(code, code);
      else await dlr(id, m, code);
    }
    for (const code of later) await dlr(id, m, code);
  };

  const send = (p: Record<string, string>): SandboxReply => {
    if (!loggedIn(p)) return text(SMS_MASKING_SANDBOX_ANSWERS.badLogin);
    const hp = p.hp ?? '';
    if (!p.message?.trim()) return text(SMS_MASKING_SANDBOX_ANSWERS.emptyMessage);
    // 52 No Charge "kesalahan format nomor tujuan" is a report code, not a send answer: a malformed
    // number gets an id like any send, then a 52 report and no charge.
    const scenario = /^[1-9]\d{7,14}$/.test(hp) ? scenarioFor(hp, 'sms') : 'invalid_number';
    const first = !firstSeen.has(hp);
    firstSeen.add(hp);
    if (scenario === 'flaky_once' && first) return text('Service Unavailable', 503);
    if (scenario === 'slow_once' && first)
      return { ...text('Service Unavailable', 503), delayMs: opts.slowMs ?? 11_000 };
    if (scenario === 'rejected') return text(SMS_MASKING_SANDBOX_ANSWERS.rejected);
    // "satu sms adalah 160 karakter jika lebih dari 160 karakter akan terhitung menjadi 2 sms".
    const cost = Math.ceil([...p.message].length / 160);
    if (balance < cost) return text('50');
    // No Charge: an invalid number is not charged.
    if (scenario !== 'invalid_number') balance -= cost;
    const id = String(nextId++);
    const m: Message = { hp, message: p.message, sentAt: new Date() };
    messages.set(id, m);
    const early = scenario === 'callback_before_response';
    void progress(id, m, scenario, early ? 0 : delay);
    return early ? { ...text(id), delayMs: delay * (codesFor(scenario).length + 1) + 300 } : text(id);
  };

  const reportsPost = (p: Record<string, string>): SandboxReply => {
    if (!loggedIn(p)) return text(SMS_MASKING_SANDBOX_ANSWERS.badLogin);
    const key = (d: string | undefined) => (d ?? '').split('-').reverse().join('');
    const rows = [...messages]
      .filter(([, m]) => key(jakartaDay(m.sentAt)) >= key(p.start) && key(jakartaDay(m.sentAt)) <= key(p.end))
      .map(([id, m]) =>
        [
          id,
          m.hp,
          `"${m.message.replace(/"/g, '""')}"`,
          m.code ?? '',
          MESSAGES[m.code ?? ''] ?? '',
          m.sentAt.toISOString(),
        ].join(','),
      );
    return {
      status: 200,
      contentType: 'text/csv',
      body: ['session_id,msisdn,message,error_code,error_message,sent_at', ...rows].join('\n') + '\n',
    };
  };

  const inbox: InboxItem[] = [...(opts.inbox ?? [])];
  const readInbox = (p: Record<string, string>): SandboxReply => {
    if (!loggedIn(p)) return text(SMS_MASKING_SANDBOX_ANSWERS.badLogin);
    const items = opts.inboxDrain ? inbox.splice(0) : [...inbox];
    if (opts.inboxFormat !== 'lines') return { status: 200, body: items };
    return text(items.map((m) => [m.id ?? '', m.hp, m.message, m.date ?? ''].join('|')).join('\n'));
  };
  /** Sandbox-only: a message arrives at the modem. `date` defaults to now; `"date": null` leaves it out. */
  const addInbox = (body: unknown): SandboxReply => {
    const b = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (typeof b.hp !== 'string' || typeof b.message !== 'string')
      return { status: 400, body: { error: 'hp and message are required strings' } };
    const date = b.date === null ? undefined : typeof b.date === 'string' ? b.date : jakartaTime(new Date());
    const item: InboxItem = { hp: b.hp, message: b.message };
    if (typeof b.id === 'string') item.id = b.id;
    if (date !== undefined) item.date = date;
    inbox.push(item);
    return { status: 200, body: { queued: inbox.length } };
  };

  const routes: Record<string, { method: 'GET' | 'POST'; handle: (p: Record<string, string>) => SandboxReply }> = {
    [SMS_MASKING_PATHS.send]: { method: 'GET', handle: send },
    [SMS_MASKING_PATHS.sendPost]: { method: 'POST', handle: send },
    // report.php takes no login in the document; an unknown id or no report yet answers empty (assumed).
    [SMS_MASKING_PATHS.report]: { method: 'GET', handle: (p) => text(messages.get(p.rpt ?? '')?.code ?? '') },
    [SMS_MASKING_PATHS.balance]: {
      method: 'GET',
      handle: (p) => text(loggedIn(p) ? String(balance) : SMS_MASKING_SANDBOX_ANSWERS.badLogin),
    },
    [SMS_MASKING_PATHS.inbox]: { method: 'GET', handle: readInbox },
    [SMS_MASKING_PATHS.reportsPost]: { method: 'POST', handle: reportsPost },
  };
  const route = (path: string) => routes[path.replace(/^\/(masking\/)?/, '')];

  const sandbox = await startSandboxServer({
    port: opts.port,
    recipientOf: (req) => (/send(_post)?\.php$/.test(req.path) ? params(req).hp : undefined),
    handler: (req) => {
      if (req.path === '/__sandbox/inbox' && req.method === 'POST') return addInbox(req.body);
      const r = route(req.path);
      if (!r) return text('Not Found', 404);
      if (req.method !== r.method) return text('Method Not Allowed', 405);
      return r.handle(params(req));
    },
  });
  return {
    ...sandbox,
    close: async () => {
      closed = true;
      await sandbox.close();
    },
  };
}
