-- Up Migration
-- The one-time part of signed callbacks (EngageLab's timestamp and nonce), kept for the signature's
-- tolerance window: EngageLab signs the header but not the body, so a seen header arriving again
-- with another body is a replay (security review M2). The body's hash tells a provider's retry of
-- the same callback (let through: the inbox dedupes it) from a replay with a forged body.
CREATE TABLE callback_nonces (
  provider text NOT NULL,
  nonce text NOT NULL,
  body_hash text NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, nonce)
);
CREATE INDEX callback_nonces_seen_at ON callback_nonces (seen_at);

-- Down Migration
DROP TABLE callback_nonces;
