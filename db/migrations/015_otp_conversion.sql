-- Up Migration
-- Conversion-based blocking (api/otp-guard.ts): each OTP start the guard admitted, by its number
-- prefix (a keyed hash) and country, so codes sent can be compared with codes verified (the
-- otp.approved events); and the prefixes blocked for sending codes nobody verifies. A blocked
-- prefix is kept as digits (the number without its last four: ten thousand numbers, not a person)
-- so an operator can see and unblock it.
CREATE TABLE otp_starts (
  otp_id text PRIMARY KEY,
  prefix_hash text NOT NULL,
  country text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX otp_starts_prefix ON otp_starts (prefix_hash, started_at);
CREATE INDEX otp_starts_started_brin ON otp_starts USING brin (started_at);

CREATE TABLE otp_prefix_blocks (
  prefix text PRIMARY KEY,
  prefix_hash text NOT NULL UNIQUE,
  country text NOT NULL,
  blocked_at timestamptz NOT NULL DEFAULT now(),
  until timestamptz NOT NULL,
  sends int NOT NULL,
  verified int NOT NULL,
  unblocked_at timestamptz
);

-- Down Migration
DROP TABLE otp_prefix_blocks;
DROP TABLE otp_starts;
