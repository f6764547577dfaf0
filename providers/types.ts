// The one interface every provider adapter implements, and the canonical status model.
// Provider quirks stay inside providers/<name>/; everything outside speaks these types.
import type { ProviderName } from './registry.js';

import type { CanonicalStatus, ChannelName, ReportedStatus } from '../domain/statuses.js';
export type { CanonicalStatus, ReportedStatus };

// The names come from the list in providers/registry.ts (the one place a provider is registered).
export type { ProviderName };

export type Channel = ChannelName;

/** What to send. Exactly one of template, text or media is used by a provider; adapters reject what they cannot carry. */
export interface OutboundMessage {
  /** Recipient in E.164 (`+6281234567890`); adapters format it for their API. */
  to: string;
  /** Our idempotency reference (workflow id + step); sent to providers that accept a reference. */
  reference: string;
  template?: { name: string; params: string[]; language?: string };
  /** Wappin's WA→SMS omnichannel form: the provider falls back to SMS by itself. */
  smsFallback?: { template: string; params: string[] };
  text?: string;
  media?: { type: 'image' | 'document' | 'audio' | 'link' | 'file'; url: string; caption?: string; filename?: string };
}

export interface SendResult {
  providerMessageId: string;
  /** When the provider accepted the request (provider clock when it says, else ours). */
  acceptedAt: Date;
  status: CanonicalStatus;
  providerCode?: string;
  /**
   * A multi-channel provider's strategy (EngageLab `whatsapp|sms`): the channels it tries in order
   * by itself. A failure on a leg that has a next one is not the end of the message.
   */
  legs?: Channel[];
}

/** A status change reported by a provider (callback or status lookup). */
export interface StatusEvent {
  provider: ProviderName;
  providerMessageId: string;
  /** `unmapped` when no mapping knows the value: `rawStatus` keeps it, the message's status stays. */
  status: ReportedStatus;
  /** The provider's own status value, as it came (always set for `unmapped`). */
  rawStatus?: string;
  occurredAt: Date;
  /**
   * False when `occurredAt` is not a precise time of this status (minute precision, the send time
   * for a later status, or no time at all): rules then count from when kurir received the report.
   */
  precise?: boolean;
  /** The channel of the leg this status is about, when the provider says (EngageLab strategies). */
  channel?: Channel;
  providerCode?: string;
  raw: unknown;
}

/** A message a customer sent to us (Wappin callback_type message, ITD inbound). */
export interface InboundMessage {
  provider: ProviderName;
  providerMessageId: string;
  from: string;
  to?: string;
  type: string;
  text?: string;
  mediaUrl?: string;
  receivedAt: Date;
  raw: unknown;
}

export type ParsedCallback =
  { kind: 'status'; events: StatusEvent[] } | { kind: 'inbound'; messages: InboundMessage[] };

/** The parts of an HTTP request a callback parser may need. */
export interface CallbackRequest {
  method: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  body: unknown;
  rawBody?: string;
  /** When kurir stored the request (the relay passes the inbox row's time; undefined: now). */
  receivedAt?: Date;
}

export interface NumberCheck {
  valid: boolean;
  /** E.164 as the provider normalised it, when it says. */
  normalized?: string;
  providerCode?: string;
}

export interface Balance {
  amount: number;
  unit: string;
  raw: unknown;
}

export interface ChannelProvider {
  readonly name: ProviderName;
  readonly channels: readonly Channel[];
  send(message: OutboundMessage): Promise<SendResult>;
  /**
   * Gets what a send needs before its paced slot comes (an access token), so the request leaves at
   * its slot: a token fetched at the slot would release the sends waiting for it all at once.
   */
  prepare?(): Promise<void>;
  /** Status lookup for reconciliation when callbacks do not arrive. Returns every known event, oldest first. */
  getStatus?(providerMessageId: string): Promise<StatusEvent[]>;
  checkNumber?(to: string): Promise<NumberCheck>;
  getBalance?(): Promise<Balance>;
}

/**
 * How the API receives one provider callback route. The API authenticates generically
 * (`bearer`: Authorization: Bearer <secret>; `token-query`: ?token=<secret>; `signature`: the
 * provider's own check), stores the raw request, then answers `ack` in the provider's format.
 */
export interface CallbackEndpoint {
  provider: ProviderName;
  method: 'GET' | 'POST';
  /** e.g. `/callbacks/wappin`, `/callbacks/itd/status` */
  path: string;
  auth: 'bearer' | 'token-query' | 'signature';
  /** The configuration variable holding the secret this route checks (e.g. WAPPIN_CALLBACK_TOKEN, CALLBACK_TOKEN). */
  secretEnv: string;
  /** Where the secret is read when `secretEnv` is unset (CALLBACK_TOKEN for the per-provider query tokens). */
  fallbackSecretEnv?: string;
  /**
   * For auth `bearer`: the provider may sign callbacks with its current API access token (Wappin).
   * `modeEnv` names the variable choosing `access-token`, `static` (the secret) or `either`.
   */
  acceptsAccessToken?: { modeEnv: string };
  /**
   * For auth `signature`: true when the request is authentic for `secret` at `nowMs`; `setting`
   * reads the provider's other variables (EngageLab pins the account's callback username).
   */
  verifySignature?: (
    req: CallbackRequest,
    secret: string,
    nowMs: number,
    setting: (key: string) => string | undefined,
  ) => boolean;
  /**
   * For a signature that does not cover the body: the signed one-time part of a request, admitted
   * once per body for `windowSec` (db/callback-nonces.ts), so a captured header cannot carry a
   * forged body.
   */
  replay?: { key: (req: CallbackRequest) => string | undefined; windowSec: number };
  parse(req: CallbackRequest): ParsedCallback;
  ack: { status: number; body: unknown; contentType?: string };
}
