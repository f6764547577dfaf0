// EngageLab OTP (WhatsApp/SMS/voice/email): the public pieces of the adapter.
export {
  EngageLabOtpClient, EngageLabProvider, formatRecipient, templateParams, validationError,
  type EngageLabOptions, type SendOtpResult, type VerifyResult,
} from './client.js';
export {
  engagelabCallbackEndpoints, ENGAGELAB_CALLBACK_ACK, ENGAGELAB_CALLBACK_HEADER, ENGAGELAB_SIGNATURE_TOLERANCE_SEC, parseCallbackIdHeader,
  parseEngageLabCallback, signEngageLabCallback, statusEventFromCallback, verifyEngageLabSignature, type EngageLabStatusEvent,
} from './callbacks.js';
export {
  startEngageLabSandbox, ENGAGELAB_SANDBOX_CREDENTIALS, ENGAGELAB_SANDBOX_CALLBACK_SECRET, ENGAGELAB_SANDBOX_CALLBACK_USERNAME,
  ENGAGELAB_SANDBOX_TEMPLATES, type EngageLabSandbox, type EngageLabSandboxOptions, type SandboxMessageView, type SandboxEvent,
} from './sandbox.js';
export { ENGAGELAB_STATUS_MAP, ENGAGELAB_ERROR_CODES, canonicalStatus, engageLabError, type EngageLabOperation } from './statuses.js';
export {
  ENGAGELAB_PATHS, ENGAGELAB_CHANNELS, ENGAGELAB_MESSAGE_STATUSES, CODE_TYPE_BITS, WHATSAPP_CODE_TTLS, strategyChannels,
  templateConfigSchema, verifyCodeConfigSchema, sendOtpRequestSchema, sendCustomCodeRequestSchema, verifyRequestSchema, callbackEventSchema,
  type TemplateConfig, type TemplateConfigInput, type TemplateResponse, type SendOtpRequest, type SendCustomCodeRequest, type VerifyRequest,
  type EngageLabChannel, type EngageLabMessageStatus, type CallbackBody,
} from './contract.js';
