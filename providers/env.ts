// The rules of provider environment variables, shared by the descriptors so that every provider's
// variables are validated (and their errors worded) the same way in config/schema.ts.
import { z } from 'zod';

/** A `*_BASE_URL` override. */
export const baseUrlVar = z.url().optional();
/** A credential: unset means the provider runs against its sandbox. */
export const credentialVar = z.string().min(1).optional();
/** A callback secret with a development default (the sandbox signs with the same default). */
export const callbackSecretVar = (devDefault: string) => z.string().min(8).default(devDefault);
/** The shared `?token=` secret of providers whose callbacks carry no credentials of their own (config/schema.ts). */
export const CALLBACK_TOKEN_VAR = 'CALLBACK_TOKEN';
/**
 * A provider's own callback token (`ITD_CALLBACK_TOKEN`, …): unset means CALLBACK_TOKEN, so one leak
 * through a provider's dashboard or a proxy log need not open the others' routes.
 */
export const callbackTokenVar = z.string().min(8).optional();

/**
 * The secrets a callback secret variable holds: a comma-separated list, the current one first,
 * so the old and the new one both work while a provider is moved to the new one.
 */
export function secretList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
