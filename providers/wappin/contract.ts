// The Wappin API (document 000, "API DOCUMENT Wappin" v1.7, PT. Solusi Pembayaran Elektronik) as
// zod schemas. Every call is a POST with a JSON body; /v1/token/get takes Basic auth, every other
// endpoint the Bearer token it returns. Answers carry the outcome as a string code in the body's
// `status`. Response and callback schemas are loose objects: Wappin may add fields at any time.
import { z } from 'zod';

/** The endpoints, relative to the base URL `https://api.wappin.id`. */
export const WAPPIN_PATHS = {
  token: '/v1/token/get',
  sendHsm: '/v1/message/do-send-hsm',
  sendText: '/v1/message/do-send',
  sendMedia: '/v1/message/do-send-media',
  inquiry: '/v1/message/inquiry',
  numberChecker: '/v1/phone/number-checker',
} as const;

/** Every status code the document lists (token, send, inquiry and number-checker tables). */
export const WAPPIN_STATUS_CODES = ['200', '400', '401', '404', '406', '407', '419', '601', '605', '700'] as const;
export type WappinStatusCode = (typeof WAPPIN_STATUS_CODES)[number];

export const WAPPIN_MEDIA_TYPES = ['image', 'document', 'audio'] as const;
export type WappinMediaType = (typeof WAPPIN_MEDIA_TYPES)[number];

/** File formats per media type, as section 2.5 lists them ("DOC(X)" → doc and docx, …). */
export const WAPPIN_MEDIA_EXTENSIONS: Readonly<Record<WappinMediaType, readonly string[]>> = {
  document: ['pdf', 'doc', 'docx', 'ppt', 'pptx', 'xls', 'xlsx'],
  image: ['jpg', 'jpeg', 'png'],
  audio: ['aac', 'm4a', 'mp3', 'ogg', 'opus'],
};

/**
 * Assumption: the document gives no limit for a session text. WhatsApp's own limit for a text
 * message is 4096 characters, which Wappin cannot exceed either.
 */
export const WAPPIN_TEXT_MAX = 4096;
/** The template editor caps a template's content at 1024 characters, so one parameter cannot be longer. */
export const WAPPIN_PARAM_MAX = 1024;
/** Assumption: WhatsApp caps captions at 1024 characters; the document gives no limit. */
export const WAPPIN_CAPTION_MAX = 1024;
/** Assumption: WhatsApp caps template names at 512 characters; the document gives no limit. */
export const WAPPIN_TEMPLATE_NAME_MAX = 512;

// Assumption: the document types every code and id as a string, but a JSON number is the same
// value to us, so both readings are accepted and normalised to a string.
const stringish = z.union([z.string(), z.number().transform(String)]);
const required = (what = 'is required') => z.string({ error: what }).trim().min(1, what);

/**
 * The text says template names are "lowercase letters, digits and underscore", but its own example
 * is `Opening_Message1`: both readings are accepted, so letters of either case.
 */
const templateName = required()
  .max(WAPPIN_TEMPLATE_NAME_MAX, `must be at most ${WAPPIN_TEMPLATE_NAME_MAX} characters`)
  .regex(/^[A-Za-z0-9_]+$/, 'must contain only letters, digits and underscore');

/**
 * A recipient: the request samples show both `6283899825320` (international digits) and
 * `082315658823` (national), so both are accepted here; the client always sends international
 * digits without "+" (the number-checker answers with `+62…`, so "+" is tolerated as well).
 */
export const recipientNumberSchema = z
  .string({ error: 'is required' })
  .trim()
  .regex(/^\+?\d{8,15}$/, 'must be a phone number of 8 to 15 digits such as 6281234567890');

/**
 * Template parameters: the tables type `params` as "string" but every sample sends an object keyed
 * "1", "2", … in placeholder order ({{1}}, {{2}}); the object is what we send. Keys must run from
 * "1" without gaps because they name the placeholders. Assumption: an empty parameter is refused
 * by WhatsApp, so each value needs at least one character.
 */
export function paramsSchema(minLength: number) {
  return z
    .record(
      z.string(),
      stringish.pipe(
        z
          .string()
          .min(minLength, 'must not be empty')
          .max(WAPPIN_PARAM_MAX, `must be at most ${WAPPIN_PARAM_MAX} characters`),
      ),
    )
    .superRefine((params, ctx) => {
      const keys = Object.keys(params);
      keys.forEach((key) => {
        const n = Number(key);
        if (!/^[1-9]\d*$/.test(key) || n > keys.length) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `keys must be "1" to "${keys.length}" in placeholder order`,
          });
        }
      });
    });
}

/** Our positional parameters → Wappin's `{"1": …, "2": …}`. */
export function toParamsObject(params: readonly string[]): Record<string, string> {
  return Object.fromEntries(params.map((p, i) => [String(i + 1), p]));
}

const credentials = {
  client_id: stringish.pipe(required()),
  project_id: stringish.pipe(required()),
};

/** POST /v1/message/do-send-hsm: a notification template (sections 3.4 and 3.5). */
export const sendHsmRequestSchema = z.looseObject({
  ...credentials,
  type: templateName,
  recipient_number: recipientNumberSchema,
  params: paramsSchema(1),
});

/**
 * The same endpoint in its omnichannel form (section 3.6): `channel: "sms"`, `content` = the SMS
 * template's name and `params_sms` its parameters. Wappin then applies the SMS template's rule
 * ("WA & SMS" or "WA → SMS": invalid WhatsApp number, or N days after Sent/Delivered) by itself.
 * Assumption: SMS parameters may be empty strings (an SMS has no such rule); the SMS template
 * name follows no documented pattern, so any non-empty name up to 512 characters is accepted.
 */
export const sendHsmSmsRequestSchema = sendHsmRequestSchema.extend({
  channel: z.literal('sms', { error: 'must be "sms"' }),
  content: required().max(WAPPIN_TEMPLATE_NAME_MAX, `must be at most ${WAPPIN_TEMPLATE_NAME_MAX} characters`),
  params_sms: paramsSchema(0),
});

/** POST /v1/message/do-send: a session text (production projects only; UAT answers 419). */
export const sendTextRequestSchema = z.looseObject({
  ...credentials,
  message_content: required().max(WAPPIN_TEXT_MAX, `must be at most ${WAPPIN_TEXT_MAX} characters`),
  recipient_number: recipientNumberSchema,
});

/** The extension of a file name or URL path, lower-case; undefined when it has none. */
export function extensionOf(nameOrUrl: string): string | undefined {
  let path = nameOrUrl;
  try {
    path = new URL(nameOrUrl).pathname;
  } catch {
    /* a plain file name */
  }
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(path);
  return m?.[1]?.toLowerCase();
}

/**
 * POST /v1/message/do-send-media (section 2.5). `media` is typed "File / Upload media file", yet
 * the request is JSON and the sample sends `"7c87d81ca...jpg"`. Assumption: `media` is a reference
 * Wappin fetches (we send the file's URL); a file name or URL whose extension is outside the
 * documented formats for `media_type` is refused here (Wappin answers 605 Upload Media Failed).
 * `caption` is "for media type image and document only", so a captioned audio is refused.
 */
export const sendMediaRequestSchema = z
  .looseObject({
    ...credentials,
    recipient_number: recipientNumberSchema,
    media_type: z.enum(WAPPIN_MEDIA_TYPES, { error: 'must be image, document or audio' }),
    media: required(),
    caption: z.string().max(WAPPIN_CAPTION_MAX, `must be at most ${WAPPIN_CAPTION_MAX} characters`).optional(),
  })
  .superRefine((req, ctx) => {
    const ext = extensionOf(req.media);
    const allowed = WAPPIN_MEDIA_EXTENSIONS[req.media_type];
    if (ext !== undefined && !allowed.includes(ext)) {
      ctx.addIssue({
        code: 'custom',
        path: ['media'],
        message: `a ${req.media_type} must be ${allowed.join(', ')} (got .${ext})`,
      });
    }
    if (req.media_type === 'audio' && req.caption !== undefined && req.caption !== '') {
      ctx.addIssue({ code: 'custom', path: ['caption'], message: 'is for image and document only' });
    }
  });

/** POST /v1/message/inquiry. */
export const inquiryRequestSchema = z.looseObject({ message_id: stringish.pipe(required()) });

/** POST /v1/phone/number-checker (the sample sends a national number; we send international digits). */
export const numberCheckRequestSchema = z.looseObject({ ...credentials, phone_number: recipientNumberSchema });

/**
 * The envelope of every answer: `status` is the code as a string ("200", "601", …), `message` a
 * text, `message_id` present on sends (even on the 419 sample), `data` null or endpoint-specific.
 */
export const wappinEnvelopeSchema = z.looseObject({
  status: stringish,
  message: z.string().optional(),
  message_id: stringish.nullish(),
  data: z.unknown().optional(),
});

/**
 * Token answer. Assumption: `expired_datetime` ("2019-07-20 16:21:51") has no zone; Wappin is an
 * Indonesian service, so it is read as WIB (UTC+7). An ISO string with a zone is accepted too.
 */
export const tokenResponseSchema = wappinEnvelopeSchema.extend({
  data: z.looseObject({
    access_token: required(),
    expired_datetime: z.string().optional(),
    token_type: z.string().optional(),
  }),
});

/** Send answers (HSM, text, media): `message_id` identifies the message in inquiry and callbacks. */
export const sendResponseSchema = wappinEnvelopeSchema.extend({ message_id: stringish.pipe(required()) });

/** A unix time in seconds; the samples send it as a string ("1557395033"), a number is accepted too. */
export const unixSecondsSchema = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be unix seconds')
    .transform(Number),
]);

/** Inquiry answer: the message's status history. Assumption: no history yet may be null or []. */
export const inquiryResponseSchema = wappinEnvelopeSchema.extend({
  data: z.array(z.looseObject({ status: z.string(), timestamp: unixSecondsSchema })).nullish(),
});

/** Number-checker answer: on 200 `data` is the number in E.164 ("+6282315658823"). */
export const numberCheckResponseSchema = wappinEnvelopeSchema.extend({ data: z.string().nullish() });

/**
 * The callback Wappin POSTs to the integration's callback URL (section 5), `callback_type` "status"
 * (a sent message's status) or "message" (a customer wrote to us).
 * - The table says `status_message` and `enviromtent`; the samples say `status_messages` and
 *   `environment`. All four spellings are accepted.
 * - `client_id` and `client_name` are marked mandatory but nothing needs them, so a callback
 *   without them is still accepted; `message_id` is what routes it and is required.
 * - Fields a callback type does not use carry "-" (e.g. `message_content` on a status).
 * - `sender_number` is the customer's number on both types (the samples show the same number for
 *   a status and the reply that followed four seconds later).
 */
export const callbackSchema = z.looseObject({
  message_id: stringish.pipe(required()),
  client_id: stringish.optional(),
  client_name: z.string().optional(),
  project_id: stringish.optional(),
  project_name: z.string().optional(),
  sender_number: stringish.optional(),
  status_messages: z.string().optional(),
  status_message: z.string().optional(),
  message_content: z.string().optional(),
  environment: z.string().optional(),
  enviromtent: z.string().optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  callback_type: z.string().optional(),
});
export type WappinCallback = z.output<typeof callbackSchema>;

/** The answer Wappin expects; anything else makes it retry the callback three times. */
export const callbackAckSchema = z.looseObject({ status: z.literal('000') });

/** The document's sample bodies, verbatim (the tests parse every one of them). */
export const WAPPIN_SAMPLES = {
  tokenResponse: {
    status: '200',
    message: 'Success',
    data: {
      access_token: 'd49865d016a32ab31734ed6972a818c41808c9f109c3614bec5da2508ef3be20',
      expired_datetime: '2019-07-20 16:21:51',
      token_type: 'access_token',
    },
  },
  hsmUatRequest: {
    client_id: '0003',
    project_id: '14',
    type: 'templ_uat_2',
    recipient_number: '6283899825320',
    params: { 1: 'Anniv Grace', 2: '2018-10-10 19:26:36' },
  },
  hsmUatResponse: { message_id: '5d366a8d54dce', status: '200', message: 'Success', data: null },
  hsmProdRequest: {
    client_id: '9',
    project_id: '52',
    type: 'bni_ecol_open_payment_create',
    recipient_number: '6289600010002',
    params: {
      1: 'Name',
      2: '8000181008192601',
      3: '034567',
      4: 'Customer Name',
      5: 'email@gmail.com',
      6: '1.000.000',
      7: '2018-10-10 19:26:36',
    },
  },
  hsmProdResponse: { message_id: '5bc83037c79f5', status: '200', message: 'Success' },
  hsmSmsRequest: {
    client_id: '9',
    project_id: '52',
    type: 'bni_ecol_open_payment_create',
    recipient_number: '6289600010002',
    channel: 'sms',
    content: 'templ_hsm',
    params: {
      1: 'Name',
      2: '8000181008192601',
      3: '034567',
      4: 'Customer Name',
      5: 'email@gmail.com',
      6: '1.000.000',
      7: '2018-10-10 19:26:36',
    },
    params_sms: { 1: 'Name', 2: '8000181008192601' },
  },
  hsmSmsResponse: { message_id: '5d3521b541638', status: '200', message: 'Success', data: null },
  textUatRequest: {
    client_id: '0003',
    project_id: '15',
    message_content: 'haihello',
    recipient_number: '082315658823',
  },
  textUatResponse: {
    message_id: '5d35544d05aaa',
    status: '419',
    message:
      'Sorry, the API Send Message can only be used for projects with production status. Please try API Sending Message using Sandbox - Send Session Message.',
    data: null,
  },
  textProdRequest: {
    client_id: '0003',
    project_id: '14',
    message_content: 'haihello',
    recipient_number: '082315658823',
  },
  textProdResponse: { message_id: '5d31a231ab0ea', status: '200', message: 'Success', data: null },
  mediaRequest: {
    client_id: '0015',
    project_id: '38',
    recipient_number: '082315658823',
    media_type: 'image',
    media: '7c87d81ca...jpg',
    caption: 'test',
  },
  mediaResponse: { message_id: '5d3558b4ab2a9', status: '200', message: 'Success', data: null },
  inquiryRequest: { message_id: '5c33139c82f94' },
  inquiryResponse: {
    message_id: '5cd3f65880d96',
    status: '200',
    message: 'Success',
    data: [
      { status: 'sent', timestamp: '1557395033' },
      { status: 'delivered', timestamp: '1557395037' },
      { status: 'read', timestamp: '1557395044' },
    ],
  },
  numberCheckRequest: { client_id: '0015', project_id: '38', phone_number: '082315658823' },
  numberCheckResponse: {
    message_id: '5c823ecf75562',
    status: '200',
    message: 'Phone Number Valid',
    data: '+6282315658823',
  },
  statusCallback: {
    message_id: '5cdbe7774a059',
    client_id: '0009',
    client_name: 'wappin-info',
    project_id: '16',
    project_name: 'WAPPIN-INFO',
    sender_number: '628989229471',
    status_messages: 'delivered',
    message_content: '-',
    environment: 'PRODUCTION',
    timestamp: '1557915512',
    callback_type: 'status',
  },
  messageCallback: {
    message_id: '5cdbe77d09ee7',
    client_id: '0009',
    client_name: 'wappin-info',
    project_id: '16',
    project_name: 'WAPPIN-INFO',
    sender_number: '628989229471',
    status_messages: '-',
    message_content: 'tesss',
    environment: 'PRODUCTION',
    timestamp: '1557915516',
    callback_type: 'message',
  },
  callbackAck: { status: '000' },
} as const;
