// Wappin (Indonesia, WhatsApp + SMS omnichannel): the public pieces of the adapter.
export { WappinProvider, validationError, type WappinProviderOptions } from './client.js';
export {
  wappinCallbackEndpoints, WAPPIN_CALLBACK_ACK, parseWappinCallback, statusEventFromCallback, inboundFromCallback,
} from './callbacks.js';
export {
  startWappinSandbox, WAPPIN_SANDBOX_CREDENTIALS, WAPPIN_SANDBOX_CALLBACK_TOKEN, WAPPIN_SANDBOX_TEMPLATES,
  type WappinSandbox, type WappinSandboxOptions, type WappinInboundInput, type WappinCallbackRecord,
} from './sandbox.js';
export {
  WAPPIN_STATUS_MAP, WAPPIN_ASSUMED_STATUS_MAP, WAPPIN_CODES, canonicalStatus, wappinError, fieldFor, type WappinOperation,
} from './statuses.js';
export { WAPPIN_PATHS, WAPPIN_STATUS_CODES, WAPPIN_MEDIA_TYPES, WAPPIN_SAMPLES } from './contract.js';
