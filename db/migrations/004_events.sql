-- Up Migration
-- The outbox of everything an application may want to know. `seq` orders the stream (the SSE id);
-- `id` is stable (derived from the workflow and the change) so a retried emission inserts nothing.
-- `data` never holds an OTP code, a phone number or a secret.
CREATE TABLE events (
  seq          bigserial   PRIMARY KEY,
  id           text        NOT NULL UNIQUE,
  type         text        NOT NULL,
  version      integer     NOT NULL DEFAULT 1,
  message_id   text,
  otp_id       text,
  campaign_id  text,
  reference    text,
  provider     text,
  channel      text,
  -- What per-subject ordering of webhook deliveries is keyed on (message, OTP, campaign or inbound).
  subject      text        NOT NULL,
  occurred_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  data         jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX events_message ON events (message_id, seq) WHERE message_id IS NOT NULL;
CREATE INDEX events_campaign ON events (campaign_id, seq) WHERE campaign_id IS NOT NULL;
CREATE INDEX events_otp ON events (otp_id, seq) WHERE otp_id IS NOT NULL;
CREATE INDEX events_reference ON events (reference, seq) WHERE reference IS NOT NULL;

-- Webhook endpoints. The signing secret is kept encrypted (AES-256-GCM): it is shown once, at creation.
CREATE TABLE webhook_subscriptions (
  id               text        PRIMARY KEY,
  url              text        NOT NULL,
  -- Empty: every event type.
  types            text[]      NOT NULL DEFAULT '{}',
  secret_encrypted text        NOT NULL,
  description      text,
  created_at       timestamptz NOT NULL DEFAULT now()
);

-- One row per (subscription, event): the retry state of its delivery.
CREATE TABLE webhook_deliveries (
  id               bigserial   PRIMARY KEY,
  subscription_id  text        NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  event_seq        bigint      NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
  subject          text        NOT NULL,
  state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- Retries stop (dead letter) once an attempt fails at or after this time; replay moves it.
  give_up_at       timestamptz,
  last_attempt_at  timestamptz,
  last_status      integer,
  last_error       text,
  delivered_at     timestamptz,
  UNIQUE (subscription_id, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
-- The ordering check: is an earlier event of the same subject still pending for this subscription?
CREATE INDEX webhook_deliveries_subject ON webhook_deliveries (subscription_id, subject, event_seq) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (subscription_id, event_seq) WHERE state = 'dead';

-- Fan-out in the inserting transaction: an event is never stored without its deliveries, and
-- listeners (SSE streams, the dispatcher) are woken when it commits.
CREATE FUNCTION events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_deliveries (subscription_id, event_seq, subject)
    SELECT s.id, NEW.seq, NEW.subject FROM webhook_subscriptions s
    WHERE cardinality(s.types) = 0 OR NEW.type = ANY (s.types);
  PERFORM pg_notify('kurir_events', NEW.seq::text);
  RETURN NEW;
END $$;
CREATE TRIGGER events_fan_out AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_fan_out();

-- Down Migration
DROP TRIGGER events_fan_out ON events;
DROP FUNCTION events_fan_out();
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP TABLE events;
