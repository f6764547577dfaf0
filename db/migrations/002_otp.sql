-- Up Migration
-- Every OTP code sent: the per-number send limit counts these rows. Only an HMAC of the code is kept.
CREATE TABLE otp_sends (
  otp_id              text        NOT NULL,
  step                integer     NOT NULL,
  recipient_hash      text        NOT NULL,
  code_hash           text,
  provider            text        NOT NULL,
  channel             text        NOT NULL,
  provider_message_id text        NOT NULL,
  sent_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (otp_id, step)
);
CREATE INDEX otp_sends_recipient ON otp_sends (recipient_hash, sent_at);

-- Down Migration
DROP TABLE otp_sends;
