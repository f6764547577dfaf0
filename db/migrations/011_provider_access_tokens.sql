-- Up Migration
-- A provider's rotating API access token, as a SHA-256 hash only: Wappin puts its current access
-- token on callbacks (`Authorization: Bearer [token]`), the worker's client holds it, and the API
-- (another process) checks callbacks against the latest two here.
CREATE TABLE provider_access_tokens (
  provider text NOT NULL,
  token_hash text NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  valid_until timestamptz NOT NULL,
  PRIMARY KEY (provider, token_hash)
);
CREATE INDEX provider_access_tokens_latest ON provider_access_tokens (provider, issued_at DESC);

-- Down Migration
DROP TABLE provider_access_tokens;
