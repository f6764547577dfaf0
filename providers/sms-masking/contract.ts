// The SMS masking gateway HTTP API (document 004, in Indonesian) as zod schemas. Every request is a
// query string (GET) or a form body (POST); answers are plain text (a numeric id or a code), so
// the answer schemas read text and accept the plausible variants. Loose objects throughout.
import { z } from 'zod';

/** Paths relative to the base URL `http://103.16.199.187/masking`. */
export const SMS_MASKING_PATHS = {
  send: 'send.php',
  sendPost: 'send_post.php',
  report: 'report.php',
  balance: 'balance.php',
  inbox: 'inbox.php',
  reportsPost: 'reports_post.php',
} as const;

// Assumption: values may arrive as strings (query strings, the PHP dump) or as JSON numbers.
const str = z.union([z.string(), z.number()]).transform(String);
const login = { username: z.string().min(1, 'is required'), password: z.string().min(1, 'is required') };

/**
 * send.php (GET) / send_post.php (POST form): `hp` with the country code, e.g. 62811129869.
 * Assumption: the document sets no maximum for `message` (only 160 characters a billed SMS, see
 * segments.ts), so none is enforced; it must not be empty.
 */
export const sendRequestSchema = z.looseObject({
  ...login,
  hp: z
    .string()
    .regex(/^[1-9]\d{7,14}$/, 'must be the number with its country code and no + or leading 0 (e.g. 62811129869)'),
  message: z.string().refine((m) => m.trim().length > 0, 'is required'),
});
export type SendRequest = z.output<typeof sendRequestSchema>;

/**
 * The send answer: "response code berupa angka seperti 18319370" (a number such as 18319370) that
 * report.php and the DLR call `rpt` / `session_id`. Assumption: a failure answers one of the report
 * codes 50/51/52 (optionally followed by its text) or an error text; see statuses.ts.
 */
export const sendAnswerSchema = z.string().transform((s) => s.trim());
export const messageIdSchema = z.string().regex(/^\d{3,20}$/);

/** report.php?rpt=<id>. The document shows no login for it. */
export const reportRequestSchema = z.looseObject({
  rpt: z.string().regex(/^\d{1,20}$/, 'must be the numeric id send returned'),
});

/**
 * report.php answer: one of the codes 22/20/50/51/52. Assumption: plain text, the code alone or
 * followed by its text ("50 Saldo Habis"), or JSON with `status`/`error_code`; an empty answer or
 * anything without a documented code means "no report yet".
 */
export const reportAnswerJsonSchema = z.looseObject({
  status: str.optional(),
  error_code: str.optional(),
  code: str.optional(),
  error_message: str.optional(),
  message: str.optional(),
  keterangan: str.optional(),
});

/** balance.php, inbox.php: only the login. */
export const loginRequestSchema = z.looseObject(login);

/**
 * balance.php answer: undocumented. Assumption: the amount as plain text ("12500", possibly with
 * "Rp" or Indonesian thousands dots "12.500") or JSON with `balance`/`saldo`/`credit`.
 */
export const balanceAnswerJsonSchema = z.looseObject({
  balance: str.optional(),
  saldo: str.optional(),
  credit: str.optional(),
});

/**
 * inbox.php answer: undocumented. Assumption: a JSON array (or `{data: […]}`) of messages with the
 * sender as `hp`/`msisdn`/`from`, the text as `message`/`sms`/`text`, a time as `date`/`time`/`received`
 * and an `id`; a pipe-separated text, one message a line (`id|hp|message|date`), is read too.
 */
export const inboxItemSchema = z.looseObject({
  id: str.optional(),
  hp: str.optional(),
  msisdn: str.optional(),
  from: str.optional(),
  message: str.optional(),
  sms: str.optional(),
  text: str.optional(),
  date: str.optional(),
  time: str.optional(),
  received: str.optional(),
});

/**
 * reports_post.php (POST form): report download for a range of send dates. The sample form fills
 * `start`/`end` with PHP `date("d-m-Y")`, so dd-mm-yyyy. Assumption: the answer is a CSV file with
 * a header row (`,` or `;` separated), returned as text plus rows.
 */
const dmy = z.string().regex(/^(0[1-9]|[12]\d|3[01])-(0[1-9]|1[0-2])-\d{4}$/, 'must be a date as dd-mm-yyyy');
export const reportsPostRequestSchema = z.looseObject({ ...login, start: dmy, end: dmy }).superRefine((r, ctx) => {
  const key = (d: string) => d.split('-').reverse().join('');
  if (key(r.start) > key(r.end)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must not be before start' });
});

/**
 * DLR callback, HTTP GET to the URL the client registers (`…/delivreq.php` in the document; ours is
 * `/callbacks/sms-masking?token=…`): `session_id` (the send id), `error_code` (22/20/50/51/52),
 * `error_message` ("Expiration Period"), `msisdn`. PHP dump of the sample:
 * `["session_id"]=> "38590565" ["error_code"]=> "51" ["error_message"]=> "Expiration Period" ["msisdn"]=> "62822xxxxxxx"`.
 */
export const callbackSchema = z.looseObject({
  session_id: str.pipe(z.string().trim().min(1, 'is required')),
  error_code: str.pipe(z.string().trim().min(1, 'is required')),
  error_message: str.optional(),
  msisdn: str.optional(),
});
