import type { LoggedRequest } from '../../sandboxes/kit.js';
import type { RunningSandboxes } from '../../sandboxes/index.js';

// Recipient numbers that script the sandboxes: the last three digits script WhatsApp
// sandboxes, the three before them SMS sandboxes (see sandboxes/kit.ts).
let counter = Math.floor(Math.random() * 900);

/** A fresh Indonesian number: +62 812 <3 unique digits> <sms code> <whatsapp code>. */
export function scriptedNumber(whatsapp = '000', sms = '000'): string {
  counter = (counter + 1) % 1000;
  return `+62812${String(counter).padStart(3, '0')}${sms}${whatsapp}`;
}

export const digitsOf = (number: string) => number.replace(/\D/g, '');

/** The last nine digits: the part of a number every format a provider uses keeps. */
export function tail(number: string): string {
  return digitsOf(number).slice(-9);
}

/**
 * The same number however a provider writes it (+62…, 62…, 0…). Not by `tail` alone: two test
 * numbers can share their last nine digits (+62891000000000 and +62892000000000 did, and a code
 * lookup read the other number's message whenever it arrived last).
 */
export function sameNumber(a: string, b: string): boolean {
  const [x, y] = [a, b].map((n) => digitsOf(n).replace(/^0/, ''));
  const [shorter, longer] = x!.length <= y!.length ? [x!, y!] : [y!, x!];
  return shorter.length >= 8 && longer.endsWith(shorter);
}

/** The message-send requests a provider's sandbox logged (those that name a recipient), in arrival order. */
export function sendRequests(
  sandboxes: Pick<RunningSandboxes, 'requests'>,
  provider: string,
): Array<LoggedRequest & { recipient: string }> {
  return sandboxes
    .requests(provider)
    .filter(
      (r): r is LoggedRequest & { recipient: string } =>
        r.recipient !== undefined && r.recipient !== '' && /send/i.test(r.path),
    );
}
