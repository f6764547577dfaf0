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
