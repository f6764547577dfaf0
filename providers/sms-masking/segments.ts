// SMS segments as the gateway bills them: "standard dalam pengiriman satu sms adalah 160 karakter
// jika lebih dari 160 karakter akan terhitung menjadi 2 sms" (one SMS is 160 characters; more
// counts as 2 SMS). Assumption: the document is silent on longer texts and on concatenation
// headers (153 per part in GSM 7-bit concatenated SMS) and on Unicode (70/67), so we keep its own
// rule throughout: every started block of 160 characters is one SMS.

export const SMS_SEGMENT_CHARS = 160;

/** Billed SMS for a text: ceil(characters / 160); characters are code points. 0 for an empty text. */
export function segmentCount(text: string): number {
  return Math.ceil([...text].length / SMS_SEGMENT_CHARS);
}
