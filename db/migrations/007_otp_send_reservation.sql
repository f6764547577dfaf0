-- Up Migration
-- An OTP send first reserves its row (counted by the per-number limit), commits, calls the
-- provider with no connection held, then fills in the provider message id and the code's HMAC.
-- A reserved row has no provider message id yet.
ALTER TABLE otp_sends ALTER COLUMN provider_message_id DROP NOT NULL;

-- Down Migration
DELETE FROM otp_sends WHERE provider_message_id IS NULL;
ALTER TABLE otp_sends ALTER COLUMN provider_message_id SET NOT NULL;
