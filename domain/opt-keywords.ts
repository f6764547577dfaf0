// Opt-out and opt-in keywords (issue #19): an inbound message whose whole text is one of them
// suppresses its sender on that channel, or lifts it. Matched without case, surrounding spaces or
// trailing punctuation ("stop", "Stop!", " BERHENTI. "). Pure.

export interface OptKeywords {
  optOut: string[];
  optIn: string[];
}

// English, Indonesian (berhenti, batal; mulai) and Spanish (baja) first, as WhatsApp-first senders
// in Indonesia and Chile receive them; the usual carrier words besides.
export const DEFAULT_OPT_KEYWORDS: OptKeywords = {
  optOut: ['STOP', 'UNSUBSCRIBE', 'BERHENTI', 'BATAL', 'BAJA', 'STOPALL', 'CANCEL', 'END', 'QUIT'],
  optIn: ['START', 'MULAI', 'UNSTOP', 'ALTA'],
};

export function optKeywordOf(text: string | undefined, keywords: OptKeywords): 'opt_out' | 'opt_in' | undefined {
  if (!text) return undefined;
  const word = text
    .trim()
    .replace(/[\s.!?,;:]+$/u, '')
    .toUpperCase();
  if (keywords.optOut.includes(word)) return 'opt_out';
  if (keywords.optIn.includes(word)) return 'opt_in';
  return undefined;
}
