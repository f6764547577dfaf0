-- Up Migration
-- Opt-outs (issue #19): a number that asked not to be messaged on a channel, or on all of them.
-- Set through REST, the CLI, the dashboard, or an inbound opt-out keyword (STOP, BERHENTI, BAJA, …);
-- an opt-in keyword (START, MULAI) lifts it. Read by every marketing and utility send.
CREATE TABLE suppressions (
  phone      text        NOT NULL,
  channel    text        NOT NULL CHECK (channel IN ('whatsapp', 'sms', 'all')),
  reason     text        NOT NULL,
  source     text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (phone, channel)
);
CREATE INDEX suppressions_created ON suppressions (created_at DESC, phone);
-- A campaign counts the recipients it skipped for it.
ALTER TABLE campaign_recipients DROP CONSTRAINT campaign_recipients_status_check;
ALTER TABLE campaign_recipients ADD CONSTRAINT campaign_recipients_status_check CHECK (status IN
  ('pending', 'sent', 'delivered', 'read', 'failed', 'invalid_number', 'fell_back', 'canceled', 'not_sent', 'suppressed'));

-- Down Migration
ALTER TABLE campaign_recipients DROP CONSTRAINT campaign_recipients_status_check;
ALTER TABLE campaign_recipients ADD CONSTRAINT campaign_recipients_status_check CHECK (status IN
  ('pending', 'sent', 'delivered', 'read', 'failed', 'invalid_number', 'fell_back', 'canceled', 'not_sent'));
DROP TABLE suppressions;
