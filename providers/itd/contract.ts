// The ITD Chile WhatsApp API v2 (document 001, "Especificación de API WHATSAPP ITD Chile" 1.0) as
// zod schemas. Every endpoint takes GET (query string) or POST (JSON body) with the JWT in a
// `token` header. Bodies are loose objects: ITD may add fields and we must never reject them.
import { z } from 'zod';

/** The endpoints, relative to the base URL `https://ida.itdchile.cl/api/v2`. `recievedWhatsapp` is ITD's spelling. */
/**
 * Where the API token goes. The document says only "Utilizando la autorización (TOKEN API) en el
 * encabezado de la petición HTTP" (the pages that name the header are not in it), so the scheme is
 * configurable: `Authorization: Bearer <jwt>` (default, the usual JWT form), the raw token in
 * `Authorization`, or a header named `token`.
 */
export const ITD_AUTH_SCHEMES = ['bearer', 'authorization', 'token-header'] as const;
export type ItdAuthScheme = (typeof ITD_AUTH_SCHEMES)[number];

export function itdAuthHeaders(scheme: ItdAuthScheme, token: string): Record<string, string> {
  if (scheme === 'token-header') return { token };
  return { authorization: scheme === 'bearer' ? `Bearer ${token}` : token };
}

export const ITD_PATHS = {
  send: 'whatsapp/sendWhatsapp',
  status: 'whatsapp/statusWhatsappByKey',
  credits: 'whatsapp/creditsWhatsapp',
  received: 'whatsapp/recievedWhatsapp',
} as const;

export const ITD_CONTENT_TYPES = ['TEXT', 'IMAGE', 'LINK', 'FILE'] as const;
export type ItdContentType = (typeof ITD_CONTENT_TYPES)[number];

/** Default of `prefijo` when it is left out: Chile. */
export const ITD_DEFAULT_PREFIJO = '56';

/**
 * Assumption: the document gives no length for `content`. A TEXT is capped at WhatsApp's own
 * 4096-character limit, which ITD cannot exceed either.
 */
export const ITD_TEXT_MAX = 4096;

// Assumption: numbers may arrive as JSON numbers or as numeric strings (the document types
// `code` as int but `data` of creditsWhatsapp as String while its sample is 100).
const numeric = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);
const digits = (what: string) => z.string().regex(/^\d+$/, `${what} must contain digits only`);
const httpUrl = z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL');
const blank = (v: string | undefined): boolean => v === undefined || v.trim() === '';

/**
 * sendWhatsapp request. `phone` is the national number "sin prefijo telefónico de país";
 * `prefijo` the country code (default 56). For TEXT `content` is the message, otherwise the URL of
 * the image, link or file. caption/description stay blank for TEXT, url_thumb blank for IMAGE.
 */
export const sendWhatsappRequestSchema = z
  .looseObject({
    content_type: z.enum(ITD_CONTENT_TYPES, { error: 'must be TEXT, IMAGE, LINK or FILE' }),
    content: z.string().min(1, 'is required'),
    // Assumption: a national number is 4–14 digits (E.164 allows 15 including the country code).
    phone: digits('phone').min(4, 'must be at least 4 digits').max(14, 'must be at most 14 digits'),
    prefijo: digits('prefijo').min(1).max(4, 'must be at most 4 digits').optional(),
    caption: z.string().optional(),
    description: z.string().optional(),
    url_thumb: z.string().optional(),
  })
  .superRefine((req, ctx) => {
    if (req.content_type === 'TEXT') {
      if (req.content.length > ITD_TEXT_MAX)
        ctx.addIssue({ code: 'custom', path: ['content'], message: `must be at most ${ITD_TEXT_MAX} characters` });
      if (!blank(req.caption))
        ctx.addIssue({ code: 'custom', path: ['caption'], message: 'must be blank when content_type is TEXT' });
      if (!blank(req.description))
        ctx.addIssue({ code: 'custom', path: ['description'], message: 'must be blank when content_type is TEXT' });
    } else if (!httpUrl.safeParse(req.content).success) {
      ctx.addIssue({
        code: 'custom',
        path: ['content'],
        message: `must be the http(s) URL of the ${req.content_type.toLowerCase()}`,
      });
    }
    if (req.content_type === 'IMAGE' && !blank(req.url_thumb))
      ctx.addIssue({ code: 'custom', path: ['url_thumb'], message: 'must be blank when content_type is IMAGE' });
    if (!blank(req.url_thumb) && !httpUrl.safeParse(req.url_thumb).success)
      ctx.addIssue({ code: 'custom', path: ['url_thumb'], message: 'must be an http(s) URL' });
  });
export type SendWhatsappRequest = z.input<typeof sendWhatsappRequestSchema>;

/** The envelope every answer carries; `message` (the table spells it `Message`) only on errors. */
export const itdEnvelopeSchema = z.looseObject({
  statusApi: z.string().optional(),
  code: numeric.optional(),
  message: z.string().optional(),
  Message: z.string().optional(),
});

/** sendWhatsapp 200: `uuid` (≤ 45 chars) is the message key that statusWhatsappByKey and the callbacks use. */
export const sendWhatsappResponseSchema = z.looseObject({
  uuid: z.string().min(1).max(100),
  statusApi: z.string(),
  code: numeric,
});

/** statusWhatsappByKey request: `key` is the uuid sendWhatsapp returned (≤ 100 chars). */
export const statusRequestSchema = z.looseObject({
  key: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
});

// The documented statuses are READ, MESSAGE QUEUED and SENT (statuses.ts maps them and the assumed
// extra names). Assumption: the callback table types `status` as int while its sample is "READ":
// both accepted.
const statusValue = z.union([z.string().min(1), z.number().transform(String)]);

// Assumption: dates are null or empty while the event has not happened yet.
const optionalDate = z.string().nullish();

/** statusWhatsappByKey 200: dates as `2020-04-16 10:26:13.0`, Santiago time. */
export const statusResponseSchema = z.looseObject({
  statusApi: z.string(),
  code: numeric,
  data: z.looseObject({
    sent_at: optionalDate,
    status: statusValue,
    delivered_at: optionalDate,
    credit_usage: numeric.nullish(),
  }),
});
export type StatusResponse = z.output<typeof statusResponseSchema>;

/** creditsWhatsapp 200: `data` is the credits left (typed String in the table, 100 in the sample). */
export const creditsResponseSchema = z.looseObject({
  statusApi: z.string(),
  code: numeric,
  data: numeric,
});

/** recievedWhatsapp request: `senderPhone` international digits (56912345678), `sendAt` ddMMyyyy, `top` a limit. */
export const receivedRequestSchema = z.looseObject({
  senderPhone: digits('senderPhone').min(1, 'is required'),
  sendAt: z.string().regex(/^\d{8}$/, 'must be a date as ddMMyyyy, e.g. 16081997'),
  top: z.number().int('must be an integer').min(1, 'must be at least 1'),
});

// Direction 0 is input (from the customer), 1 output; sent as a number, tolerated as a string.
const direction = z.union([z.number(), z.string().regex(/^\d$/).transform(Number)]);
const phoneValue = z.union([z.string(), z.number().transform(String)]);

/** One message of the recievedWhatsapp listing (timestamps are epoch milliseconds). */
export const receivedItemSchema = z.looseObject({
  whatsappKey: z.string().nullish(),
  uuid: z.string().min(1),
  accountPhone: phoneValue.nullish(),
  senderPhone: phoneValue,
  senderName: z.string().nullish(),
  senderType: z.string().nullish(), // "user" or "group"
  content: z.string().nullish(),
  createdAt: numeric.nullish(),
  sendAt: numeric.nullish(),
  direction: direction.nullish(),
  messageType: z.string().nullish(),
  comments: z.string().nullish(), // the message state, e.g. READ
});
export type ReceivedItem = z.output<typeof receivedItemSchema>;

export const receivedResponseSchema = z.looseObject({
  statusApi: z.string(),
  code: numeric,
  data: z.array(receivedItemSchema),
});

/**
 * Status-change callback (POST JSON to the URL set in the ITD panel). `uuid` is the send's uuid;
 * `sent_at` is `dd/MM/yyyy HH:mm` in Santiago time.
 */
export const statusCallbackSchema = z.looseObject({
  uuid: z.string().trim().min(1),
  status: statusValue,
  sent_at: z.string().nullish(),
});

/**
 * Inbound-message callback (POST JSON to the reception URL). Which fields appear depends on
 * messageType: chat → content; image/video/document → caption, mimetype, thumb (base64), url;
 * audio/ptt/sticker → caption, mimetype, url; location → location_name, lng, lat, thumb, url.
 * Assumption: messageType is kept as any string (new WhatsApp types must not break ingestion);
 * lat/lng are strings in the sample and tolerated as numbers.
 */
export const inboundCallbackSchema = z.looseObject({
  uuid: z.string().trim().min(1),
  accountPhone: phoneValue.nullish(),
  senderPhone: phoneValue.pipe(z.string().trim().min(1)),
  content: z.string().nullish(),
  sendAt: numeric.nullish(),
  messageType: z.string().nullish(),
  caption: z.string().nullish(),
  url: z.string().nullish(),
  mimetype: z.string().nullish(),
  thumb: z.string().nullish(),
  title: z.string().nullish(),
  description: z.string().nullish(),
  location_name: z.string().nullish(),
  lng: phoneValue.nullish(),
  lat: phoneValue.nullish(),
  direction: direction.nullish(),
});
export type InboundCallback = z.output<typeof inboundCallbackSchema>;
