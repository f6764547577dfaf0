// The one rule for a phone number in a workflow input: E.164, a "+" and 7 to 15 digits.
export const E164 = /^\+[1-9]\d{6,14}$/;
export const E164_MESSAGE = 'must be an E.164 phone number such as +6281234567890';

export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164.test(value);
}
