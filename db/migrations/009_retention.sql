-- Up Migration
-- Retention (db/retention.ts). Deleting an event runs its foreign key's cascade on
-- webhook_deliveries: without an index on event_seq every deleted event would scan that table.
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_seq);
-- received_at is the provider's time (old, or 1970 when the provider gives none): retention
-- counts from when kurir stored the message, so an application always has the full age to read it.
ALTER TABLE inbound_messages ADD COLUMN stored_at timestamptz NOT NULL DEFAULT now();
-- Each retention run looks for rows older than a cutoff. These times grow with insertion order,
-- so a BRIN index (a few pages, next to free to maintain) lets a run read only the oldest part of
-- each table instead of scanning all of it every hour.
CREATE INDEX events_created_brin ON events USING brin (created_at);
CREATE INDEX inbound_messages_stored_brin ON inbound_messages USING brin (stored_at);
CREATE INDEX callback_inbox_received_brin ON callback_inbox USING brin (received_at);
CREATE INDEX callback_inbox_relayed_brin ON callback_inbox USING brin (relayed_at);
CREATE INDEX idempotency_keys_created_brin ON idempotency_keys USING brin (created_at);
CREATE INDEX otp_sends_sent_brin ON otp_sends USING brin (sent_at);
-- When retention blanked a finished campaign's phone numbers and parameters: done once, so later
-- runs do not rescan the recipients of every old campaign.
ALTER TABLE campaigns ADD COLUMN recipients_redacted_at timestamptz;

-- Down Migration
ALTER TABLE campaigns DROP COLUMN recipients_redacted_at;
DROP INDEX otp_sends_sent_brin;
DROP INDEX idempotency_keys_created_brin;
DROP INDEX callback_inbox_relayed_brin;
DROP INDEX callback_inbox_received_brin;
DROP INDEX inbound_messages_stored_brin;
ALTER TABLE inbound_messages DROP COLUMN stored_at;
DROP INDEX events_created_brin;
DROP INDEX webhook_deliveries_event;
