// NusaSMS (WhatsApp): the public pieces of the adapter.
export { NusaSmsProvider, type NusaSmsProviderOptions } from './client.js';
export { nusasmsCallbackEndpoints, parseNusaSmsCallback, NUSASMS_CALLBACK_ACK } from './callbacks.js';
export { NUSASMS_CODES, NUSASMS_DR_STATUSES, drStatus, nusasmsCodeError } from './statuses.js';
export { NUSASMS_PATHS, NUSASMS_TEXT_MAX } from './contract.js';
export { readFlatXml } from './xml.js';
export { startNusaSmsSandbox, NUSASMS_SANDBOX_CREDENTIALS, type NusaSmsSandboxOptions } from './sandbox.js';
