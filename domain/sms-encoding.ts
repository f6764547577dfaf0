// How an SMS text travels (3GPP TS 23.038 / 23.040): in the GSM 7-bit default alphabet when every
// character is in it (160 septets in one SMS; 153 a part once concatenated, the user-data header
// taking 7; the extension table's characters, e.g. € [ ] { } ~ ^ | \, take two septets, an escape
// and the character), otherwise in UCS-2 (70 UTF-16 units; 67 a part). A two-septet character or
// a surrogate pair is never split across parts, so parts are packed, not divided. Pure: the
// preview, the billing estimate and the workflows may all use it.

// The default alphabet (one septet each), including LF and CR; ESC (0x1B) is not a character.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// The extension table reached by ESC: two septets each.
const GSM_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsLayout {
  encoding: SmsEncoding;
  /** Septets (GSM-7, an extension character counts two) or UTF-16 units (UCS-2). */
  characters: number;
  /** SMS the text is sent as; 0 for an empty text. */
  parts: number;
  /** What one part holds at this length: 160/70 for a single SMS, 153/67 once concatenated. */
  perPart: number;
  /** Characters outside the GSM alphabet that force UCS-2 (at most 10, for the preview). */
  unicodeCharacters: string[];
}

const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

export function smsLayout(text: string): SmsLayout {
  const chars = [...text];
  const outside = chars.filter((c) => !BASIC.has(c) && !EXTENSION.has(c));
  const encoding: SmsEncoding = outside.length ? 'UCS-2' : 'GSM-7';
  const cost = (c: string) => (encoding === 'GSM-7' ? (EXTENSION.has(c) ? 2 : 1) : c.length);
  const characters = chars.reduce((n, c) => n + cost(c), 0);
  const { single, part } = LIMITS[encoding];
  let parts = 0;
  if (characters > 0 && characters <= single) parts = 1;
  else if (characters > single) {
    let room = 0;
    for (const c of chars) {
      if (cost(c) > room) {
        parts++;
        room = part;
      }
      room -= cost(c);
    }
  }
  return {
    encoding,
    characters,
    parts,
    perPart: parts > 1 ? part : single,
    unicodeCharacters: [...new Set(outside)].slice(0, 10),
  };
}
