// ITD Chile (WhatsApp): the public pieces of the adapter.
export { ItdProvider, type ItdProviderOptions, type ReceivedQuery } from './client.js';
export {
  itdCallbackEndpoints, ITD_CALLBACK_ACK, parseItdStatusCallback, parseItdInboundCallback, statusEventFromCallback, inboundFromCallback,
} from './callbacks.js';
export {
  startItdSandbox, ITD_SANDBOX_CREDENTIALS, ITD_SANDBOX_ACCOUNT_PHONE, type ItdSandbox, type ItdSandboxOptions, type ItdInboundInput, type ItdInboundBody,
} from './sandbox.js';
export { ITD_STATUS_MAP, ITD_ASSUMED_STATUS_MAP, ITD_ERROR_CODES, canonicalStatus, itdError } from './statuses.js';
export { ITD_PATHS, ITD_CONTENT_TYPES } from './contract.js';
