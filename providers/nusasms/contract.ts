// The NusaSMS WhatsApp HTTP API (document 003) as zod schemas. Requests are query strings (GET)
// or form bodies (POST); answers are XML by default or JSON with `output=json`, both reduced
// to the same flat records (see xml.ts). Loose objects: NusaSMS may add fields at any time.
import { z } from 'zod';

/** Paths relative to the base URL `http://api.nusasms.com`. */
export const NUSASMS_PATHS = { send: '/api/v3/sendwa/plain', command: '/api/command' } as const;

/** "text message to send (max 1000 chars)". */
export const NUSASMS_TEXT_MAX = 1000;
export const NUSASMS_OUTPUTS = ['json', 'xml'] as const;
export type NusaSmsOutput = (typeof NUSASMS_OUTPUTS)[number];
export const NUSASMS_COMMANDS = ['CREDITS', 'DR'] as const;

/** Characters as a person counts them: code points, so an emoji is one character, not two. */
export function charCount(text: string): number {
  return [...text].length;
}

// Assumption: every value may come as a JSON string ("0", the samples) or as a JSON number.
const str = z.union([z.string(), z.number()]).transform(String);

/**
 * GET query or POST form of `/api/v3/sendwa/plain`. The parameter table calls the login `user`,
 * every example `username`: we send `username` (the examples); the sandbox accepts both.
 * `GSM` is the international number without + or leading 0 (e.g. 6285100101698).
 */
export const sendRequestSchema = z.looseObject({
  username: z.string().min(1, 'is required'),
  password: z.string().min(1, 'is required'),
  GSM: z
    .string()
    .regex(/^[1-9]\d{7,14}$/, 'must be an international number without + or leading 0 (e.g. 6281234567890)'),
  text: z
    .string()
    .min(1, 'is required')
    .refine((t) => charCount(t) <= NUSASMS_TEXT_MAX, `must be at most ${NUSASMS_TEXT_MAX} characters`),
  // "If no output parameter is specified, xml formatting will be used."
  output: z.enum(NUSASMS_OUTPUTS).optional(),
});
export type SendRequest = z.output<typeof sendRequestSchema>;

/** One `<result>` / `results[i]`: `status` is the numeric code (0 success), `messageid` empty on errors. */
export const sendResultSchema = z.looseObject({
  status: str,
  messageid: str.optional(),
  destination: str.optional(),
});

/**
 * GET `/api/command?user=…&password=…&cmd=CREDITS&type=wa&output=json`. The document shows only
 * the CREDITS example. Assumption for DR: the message is named by `msgid` (the usual name for
 * this command family); we also send it as `ref_no`, the callback's name for the same id.
 */
export const commandRequestSchema = z
  .looseObject({
    user: z.string().min(1, 'is required'),
    password: z.string().min(1, 'is required'),
    cmd: z.enum(NUSASMS_COMMANDS),
    type: z.literal('wa').optional(),
    output: z.enum(NUSASMS_OUTPUTS).optional(),
    msgid: z
      .string()
      .regex(/^\S{1,64}$/, 'must be the messageid send returned')
      .optional(),
    ref_no: z.string().optional(),
  })
  .superRefine((req, ctx) => {
    if (req.cmd === 'DR' && !req.msgid)
      ctx.addIssue({ code: 'custom', path: ['msgid'], message: 'is required for DR' });
  });
export type CommandRequest = z.output<typeof commandRequestSchema>;

/**
 * CREDITS answer. Undocumented: assumed to be a record like the send results,
 * `{"results":[{"status":"0","credits":"1000"}]}`, with the amount as `credits`, `credit` or
 * `balance`; a bare number as the whole body is accepted too (the client handles that form).
 */
export const creditsRecordSchema = z.looseObject({
  status: str.optional(),
  credits: str.optional(),
  credit: str.optional(),
  balance: str.optional(),
});

/**
 * DR answer. Undocumented: assumed to carry the callback's fields in a result record,
 * `{"results":[{"status":"0","ref_no":"…","dr_status":"D","sent_date":"…","err_code":"0"}]}`.
 * `status` there is the request code (0 / -5 …) and the delivery letter is `dr_status`; when
 * `status` itself is a letter (the callback's shape) it is the delivery status.
 */
export const drRecordSchema = z.looseObject({
  status: str.optional(),
  ref_no: str.optional(),
  messageid: str.optional(),
  msgid: str.optional(),
  dr_status: str.optional(),
  sent_date: str.optional(),
  err_code: str.optional(),
});
export type DrRecord = z.output<typeof drRecordSchema>;

/**
 * Delivery-report callback: HTTP GET to the URL registered in the NusaSMS web app, e.g.
 * `?ref_no=053380444905641291&status=D&sent_date=2017-09-25 17:49:05.0&err_code=0`.
 * `ref_no` is the `messageid` send returned. Only `D` is documented for `status` (see statuses.ts).
 */
export const callbackSchema = z.looseObject({
  ref_no: str.pipe(z.string().trim().min(1, 'is required')),
  status: str.pipe(z.string().trim().min(1, 'is required')),
  sent_date: str.optional(),
  err_code: str.optional(),
});
