-- Up Migration
-- Retention (db/retention.ts). Deleting an event runs its foreign key's cascade on
-- webhook_deliveries: without an index on event_seq every deleted event would scan that table.
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_seq);
-- When retention blanked a finished campaign's phone numbers and parameters: done once, so later
-- runs do not rescan the recipients of every old campaign.
ALTER TABLE campaigns ADD COLUMN recipients_redacted_at timestamptz;

-- Down Migration
ALTER TABLE campaigns DROP COLUMN recipients_redacted_at;
DROP INDEX webhook_deliveries_event;
