-- Up Migration
-- Rotating a subscription's signing secret: the one it replaces keeps signing (next to the new
-- one, as Standard Webhooks allows several signatures) until `previous_secret_until`, so receivers
-- can move to the new secret without rejecting a delivery.
ALTER TABLE webhook_subscriptions
  ADD COLUMN previous_secret_encrypted text,
  ADD COLUMN previous_secret_until timestamptz;

-- Down Migration
ALTER TABLE webhook_subscriptions DROP COLUMN previous_secret_encrypted, DROP COLUMN previous_secret_until;
