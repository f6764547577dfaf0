// SMS masking gateway (Indonesia, SMS): the public pieces of the adapter.
export { SmsMaskingProvider, type SmsMaskingProviderOptions, type ReportDownload } from './client.js';
export { smsMaskingCallbackEndpoints, parseSmsMaskingCallback, SMS_MASKING_CALLBACK_ACK } from './callbacks.js';
export { SMS_MASKING_CODES, reportStatus, answerError } from './statuses.js';
export { SMS_MASKING_PATHS } from './contract.js';
export { segmentCount, SMS_SEGMENT_CHARS } from './segments.js';
export { startSmsMaskingSandbox, SMS_MASKING_SANDBOX_CREDENTIALS, SMS_MASKING_SANDBOX_ANSWERS, type SmsMaskingSandboxOptions } from './sandbox.js';
