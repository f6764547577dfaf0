// The DLR callback ("Callable API DLR"): the gateway calls our registered URL by HTTP GET with
// `session_id`, `error_code`, `error_message`, `msisdn`. It has no auth of its own, so the URL we
// register carries our secret: `GET /callbacks/sms-masking?token=…`.
import type { z } from 'zod';
import type { CallbackEndpoint, CallbackRequest, ParsedCallback, StatusEvent } from '../types.js';
import { callbackSchema } from './contract.js';
import { PROVIDER, reportStatus } from './statuses.js';
import { CALLBACK_TOKEN_VAR } from '../env.js';
import { invalidCallback, tolerantStatusParser, unmappedEvent } from '../callbacks-kit.js';

/** Assumption: the document defines no answer; the gateway plausibly only checks for HTTP 200. */
export const SMS_MASKING_CALLBACK_ACK = { status: 200, body: 'OK', contentType: 'text/plain' } as const;

const invalid = (error: z.ZodError, source: Record<string, unknown>) => invalidCallback(PROVIDER, error, source);

/** One report (DLR or report.php) → a canonical event. The gateway gives no time: `now` stands in. */
export function eventFromReport(
  id: string,
  code: string,
  message: string | undefined,
  raw: unknown,
  now = new Date(),
): StatusEvent {
  const status = reportStatus(code, message);
  if (!status) return unmappedEvent(PROVIDER, id.trim(), code, now, raw);
  // The gateway gives no time: the report is dated when kurir received it.
  return {
    provider: PROVIDER,
    providerMessageId: id.trim(),
    status,
    occurredAt: now,
    precise: false,
    providerCode: code.trim(),
    raw,
  };
}

export function parseSmsMaskingCallback(req: CallbackRequest): ParsedCallback {
  // The values come as a query string; a form/JSON object body is accepted too.
  const body =
    req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body)
      ? (req.body as Record<string, unknown>)
      : {};
  const { token: _token, ...source }: Record<string, unknown> = {
    ...body,
    ...Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined)),
  };
  const r = callbackSchema.safeParse(source);
  if (!r.success) throw invalid(r.error, source);
  return {
    kind: 'status',
    events: [eventFromReport(r.data.session_id, r.data.error_code, r.data.error_message, source, req.receivedAt)],
  };
}

export const smsMaskingCallbackEndpoints: CallbackEndpoint[] = [
  {
    provider: PROVIDER,
    method: 'GET',
    path: '/callbacks/sms-masking',
    auth: 'token-query',
    secretEnv: 'SMS_MASKING_CALLBACK_TOKEN',
    fallbackSecretEnv: CALLBACK_TOKEN_VAR,
    parse: tolerantStatusParser(PROVIDER, parseSmsMaskingCallback, (req) => req.query.session_id),
    ack: SMS_MASKING_CALLBACK_ACK,
  },
];
