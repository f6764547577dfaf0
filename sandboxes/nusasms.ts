// A NusaSMS WhatsApp sandbox: `/api/v3/sendwa/plain` (GET and POST), `/api/command` (CREDITS, DR)
// and delivery-report callbacks by HTTP GET, with outcomes scripted by the recipient's last three
// digits (see kit.ts). Answers use the documented codes in XML (default) or JSON.
import { randomInt } from 'node:crypto';
import {
  deliverCallback,
  scenarioFor,
  sleep,
  type Scenario,
  startSandboxServer,
  type RunningSandbox,
  type SandboxOptions,
  type SandboxReply,
  type SandboxRequest,
} from './kit.js';
import { charCount, NUSASMS_PATHS, NUSASMS_TEXT_MAX } from '../providers/nusasms/contract.js';
import { formatNusaDate } from '../providers/nusasms/time.js';
import { NUSASMS_SANDBOX_CREDENTIALS } from '../providers/nusasms/client.js';
export { NUSASMS_SANDBOX_CREDENTIALS };

export interface NusaSmsSandboxOptions extends SandboxOptions {
  username?: string;
  password?: string;
  /** WhatsApp credits at start; each accepted send costs one. */
  credits?: number;
  /** How long the first send to a `…610` number takes before it answers 503 (default above the client's 10 s timeout). */
  slowMs?: number;
}

interface Message {
  gsm: string;
  sentDate: string;
  letter?: string;
  errCode: string;
}

/**
 * The reports a scenario makes, as [status, err_code]. The document shows one report, `D` with
 * err_code 0, so that is all a message normally gets: no `S` or `R` (unknown letters; R may mean
 * rejected elsewhere). A failure (603) is an explicit assumption: `F` with the answer code of the
 * reason (-88 operator rejected). 611 reports a letter the document does not show (`R`), 612 a
 * number where the document shows a letter.
 */
function reportsFor(scenario: Scenario): Array<[string, string]> {
  switch (scenario) {
    case 'invalid_number':
    case 'rejected':
    case 'never_delivered':
      return [];
    case 'fails_later':
      return [['F', '-88']];
    // Before the D, so a message that ends at delivered still hears it.
    case 'unknown_status':
      return [
        ['R', '0'],
        ['D', '0'],
      ];
    case 'numeric_status':
      return [
        ['2', '0'],
        ['D', '0'],
      ];
    default:
      return [['D', '0']];
  }
}

/** PHP's curl sends an array as multipart/form-data (the document's PHP sample): read its plain fields. */
function multipartFields(req: SandboxRequest): Record<string, string> {
  const type = String(req.headers['content-type'] ?? '');
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
  if (!type.includes('multipart/form-data') || !boundary) return {};
  const fields: Record<string, string> = {};
  for (const part of req.rawBody.split(`--${boundary[1] ?? boundary[2] ?? ''}`)) {
    const m = /name="([^"]+)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n?$/.exec(part);
    if (m?.[1]) fields[m[1]] = m[2] ?? '';
  }
  return fields;
}

function params(req: SandboxRequest): Record<string, string> {
  const body = req.body !== null && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  const out: Record<string, string> = { ...req.query, ...multipartFields(req) };
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  return out;
}

function escapeXml(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One answer in the requested format: `{"results":[…]}` or `<results><result>…</result></results>`. */
function answer(output: string | undefined, record: Record<string, string>): SandboxReply {
  if (output?.toLowerCase() === 'json') return { status: 200, body: { results: [record] } };
  const fields = Object.entries(record)
    .map(([k, v]) => `          <${k}>${escapeXml(v)}</${k}>`)
    .join('\n');
  return {
    status: 200,
    contentType: 'text/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<results>\n     <result>\n${fields}\n     </result>\n</results>\n`,
  };
}

export async function startNusaSmsSandbox(opts: NusaSmsSandboxOptions = {}): Promise<RunningSandbox> {
  const username = opts.username ?? NUSASMS_SANDBOX_CREDENTIALS.username;
  const password = opts.password ?? NUSASMS_SANDBOX_CREDENTIALS.password;
  const delay = opts.callbackDelayMs ?? 50;
  let credits = opts.credits ?? 1_000;
  let seq = randomInt(100_000); // two sandboxes issuing in the same millisecond still differ
  let closed = false;
  const messages = new Map<string, Message>();
  const firstSeen = new Set<string>();

  const callback = async (id: string, m: Message): Promise<void> => {
    if (!opts.callbackUrl || closed || !m.letter) return;
    await deliverCallback(
      {
        method: 'GET',
        url: opts.callbackUrl,
        query: { ref_no: id, status: m.letter, sent_date: m.sentDate, err_code: m.errCode },
      },
      { retries: opts.callbackRetries ?? 3, retryDelayMs: opts.callbackRetryDelayMs ?? 500 },
    );
  };

  /** Walks a message through its scripted statuses; the DR command sees each one, callbacks report them. */
  const progress = async (id: string, m: Message, scenario: Scenario, firstDelay: number): Promise<void> => {
    const reports: Message[] = [];
    for (const [i, [letter, errCode]] of reportsFor(scenario).entries()) {
      await sleep(i === 0 ? firstDelay : delay);
      if (closed) return;
      m.letter = letter;
      m.errCode = errCode;
      const report = { ...m };
      if (scenario === 'no_callbacks') continue;
      if (scenario === 'duplicate_reversed') reports.unshift(report, report);
      else await callback(id, report);
    }
    for (const report of reports) await callback(id, report);
  };

  const send = (p: Record<string, string>): SandboxReply => {
    const gsm = p.GSM ?? '';
    const fail = (status: string): SandboxReply => answer(p.output, { status, messageid: '', destination: gsm });
    if ((p.username ?? p.user) !== username || p.password !== password) return fail('-5');
    if (!gsm) return fail('-6');
    if (!/^[1-9]\d{7,14}$/.test(gsm)) return fail('-13');
    if (!p.text) return fail('-12');
    // Assumption: a text over the limit is answered as a syntax error (-22); the document names no code.
    if (charCount(p.text) > NUSASMS_TEXT_MAX) return fail('-22');
    const scenario = scenarioFor(gsm, 'whatsapp');
    const first = !firstSeen.has(gsm);
    firstSeen.add(gsm);
    if (scenario === 'flaky_once' && first) return { status: 503, body: 'Service Unavailable' };
    if (scenario === 'slow_once' && first)
      return { status: 503, body: 'Service Unavailable', delayMs: opts.slowMs ?? 11_000 };
    if (scenario === 'invalid_number') return fail('-11');
    if (scenario === 'rejected') return fail('-88');
    if (credits <= 0) return fail('-2');
    credits--;
    const id = `${Date.now()}${String(++seq % 100_000).padStart(5, '0')}`;
    const m: Message = { gsm, sentDate: formatNusaDate(new Date()), errCode: '0' };
    messages.set(id, m);
    const early = scenario === 'callback_before_response';
    void progress(id, m, scenario, early ? 0 : delay);
    const reply = answer(p.output, { status: '0', messageid: id, destination: gsm });
    // Callbacks overtake the answer: hold it until every status has been reported.
    return early ? { ...reply, delayMs: delay * (reportsFor(scenario).length + 1) + 300 } : reply;
  };

  const command = (p: Record<string, string>): SandboxReply => {
    if ((p.user ?? p.username) !== username || p.password !== password) return answer(p.output, { status: '-5' });
    switch (p.cmd?.toUpperCase()) {
      case 'CREDITS':
        return answer(p.output, { status: '0', credits: String(credits) });
      case 'DR': {
        const id = p.msgid ?? p.ref_no ?? p.messageid;
        if (!id) return answer(p.output, { status: '-22' });
        const m = messages.get(id);
        // Assumption: a message without a report yet (or unknown) answers 0 with an empty dr_status.
        return answer(p.output, {
          status: '0',
          ref_no: id,
          dr_status: m?.letter ?? '',
          sent_date: m?.sentDate ?? '',
          err_code: m?.errCode ?? '',
        });
      }
      default:
        return answer(p.output, { status: '-22' });
    }
  };

  const sandbox = await startSandboxServer({
    port: opts.port,
    recipientOf: (req) => (req.path === NUSASMS_PATHS.send ? params(req).GSM : undefined),
    handler: (req) => {
      if (req.path === NUSASMS_PATHS.send) {
        if (req.method !== 'GET' && req.method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
        return send(params(req));
      }
      if (req.path === NUSASMS_PATHS.command) {
        if (req.method !== 'GET') return { status: 405, body: 'Method Not Allowed' };
        return command(params(req));
      }
      return { status: 404, body: 'Not Found' };
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
