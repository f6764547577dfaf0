// `--step whatsapp:wappin:template=order_shipped:params=A-1,B-2` → a message step.
// channel:provider, then key=value pairs; a value may contain ':' (URLs, times) because a new
// pair only starts at ':<known key>='.
import { CliError, EXIT } from './errors.js';

const KEYS = ['template', 'params', 'language', 'text', 'media', 'caption', 'filename', 'category'] as const;
const PAIR_START = new RegExp(`:(?=(?:${KEYS.join('|')})=)`);

export type StepOption = Record<string, unknown>;

export function parseStep(spec: string, index: number): StepOption {
  const bad = (why: string) =>
    new CliError(
      EXIT.usage,
      `--step ${index + 1} ("${spec}"): ${why}; expected channel:provider:key=value, e.g. sms:sms-masking:text=Hello`,
    );
  const m = /^([a-z]+):([a-z-]+)(?::(.*))?$/s.exec(spec);
  if (!m) throw bad('cannot read it');
  const step: StepOption = { channel: m[1], provider: m[2] };
  const media: Record<string, string> = {};
  for (const pair of m[3] ? m[3].split(PAIR_START) : []) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (eq < 0 || !(KEYS as readonly string[]).includes(key))
      throw bad(`unknown part "${pair}" (keys: ${KEYS.join(', ')})`);
    if (key === 'params') step.params = value === '' ? [] : value.split(',');
    else if (key === 'media') {
      // media=<type>,<url>
      const comma = value.indexOf(',');
      if (comma < 0) throw bad('media needs type,url');
      Object.assign(media, { type: value.slice(0, comma), url: value.slice(comma + 1) });
    } else if (key === 'caption' || key === 'filename') media[key] = value;
    else step[key] = value;
  }
  if (Object.keys(media).length) step.media = media;
  return step;
}
