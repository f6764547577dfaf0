-- Up Migration
-- A campaign: one message template (steps, fallback, mode) sent to many recipients.
CREATE TABLE campaigns (
  id          text        PRIMARY KEY,
  name        text        NOT NULL,
  template    jsonb       NOT NULL,
  settings    jsonb       NOT NULL DEFAULT '{}'::jsonb,
  status      text        NOT NULL DEFAULT 'importing',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  counters    jsonb       NOT NULL DEFAULT '{}'::jsonb
);

-- Recipients live here, never in workflow input: the campaign workflow pages through them by
-- recipient_id (the row number in the imported file) and writes each outcome back.
CREATE TABLE campaign_recipients (
  campaign_id   text        NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  recipient_id  integer     NOT NULL,
  phone         text        NOT NULL,
  params        jsonb,
  time_zone     text,
  status        text        NOT NULL DEFAULT 'pending' CHECK (status IN
                  ('pending', 'sent', 'delivered', 'read', 'failed', 'invalid_number', 'fell_back', 'canceled', 'not_sent')),
  outcome       text,
  provider      text,
  fallback_used boolean     NOT NULL DEFAULT false,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, recipient_id)
);
-- GET /v1/campaigns/:id/recipients?status= and the workflow's page query (pending only).
CREATE INDEX campaign_recipients_status ON campaign_recipients (campaign_id, status, recipient_id);

-- Down Migration
DROP TABLE campaign_recipients;
DROP TABLE campaigns;
