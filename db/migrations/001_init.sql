-- Up Migration
-- Callbacks are stored raw before they are acknowledged; the relay turns them into signals.
CREATE TABLE callback_inbox (
  id            bigserial PRIMARY KEY,
  provider      text        NOT NULL,
  route         text        NOT NULL,
  dedupe_key    text        NOT NULL UNIQUE,
  method        text        NOT NULL,
  query         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  body          text        NOT NULL DEFAULT '',
  received_at   timestamptz NOT NULL DEFAULT now(),
  relayed_at    timestamptz,
  relay_attempts integer    NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error    text
);
CREATE INDEX callback_inbox_pending ON callback_inbox (next_attempt_at) WHERE relayed_at IS NULL;

-- Written by the send activity before it returns: which workflow owns a provider message id.
CREATE TABLE provider_messages (
  provider            text        NOT NULL,
  provider_message_id text        NOT NULL,
  workflow_id         text        NOT NULL,
  step_index          integer     NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, provider_message_id)
);
-- One provider message per workflow step: a retried send activity finds it and does not send again.
CREATE UNIQUE INDEX provider_messages_step ON provider_messages (workflow_id, step_index);

-- Messages customers sent to us.
CREATE TABLE inbound_messages (
  id                  bigserial PRIMARY KEY,
  provider            text        NOT NULL,
  provider_message_id text        NOT NULL,
  sender              text        NOT NULL,
  recipient           text,
  type                text        NOT NULL,
  text                text,
  media_url           text,
  received_at         timestamptz NOT NULL,
  raw                 jsonb       NOT NULL,
  UNIQUE (provider, provider_message_id)
);

-- POST /v1/messages Idempotency-Key → the workflow it started.
CREATE TABLE idempotency_keys (
  key          text        NOT NULL,
  scope        text        NOT NULL,
  workflow_id  text        NOT NULL,
  request_hash text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

-- Down Migration
DROP TABLE idempotency_keys;
DROP TABLE inbound_messages;
DROP TABLE provider_messages;
DROP TABLE callback_inbox;
