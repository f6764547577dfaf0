// OTP codes: generated from a CSPRNG (the worker's send activity) and compared as HMACs bound to
// the OTP id (the worker, the API and the SDK hash a code to verify it): the workflow, its history
// and the database only ever see these digests, never a code.
import { createHmac, randomInt } from 'node:crypto';

export function hashOtpCode(key: string, otpId: string, code: string): string {
  return createHmac('sha256', key).update(`${otpId}:${code}`).digest('hex');
}

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A code from a CSPRNG; `type` is EngageLab's bitmask: 1 digits, 2 lowercase, 4 uppercase. */
export function generateOtpCode(length: number, type: number): string {
  if (!Number.isInteger(length) || length < 4 || length > 10) throw new RangeError('code length must be 4 to 10');
  if (!Number.isInteger(type) || type < 1 || type > 7) throw new RangeError('code type must be 1 to 7');
  const alphabet = (type & 1 ? DIGITS : '') + (type & 2 ? LOWER : '') + (type & 4 ? UPPER : '');
  let code = '';
  for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}
