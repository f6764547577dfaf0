-- Up Migration
-- Recipient import limits (campaigns/import.ts). Repeated numbers are dropped by this index
-- (INSERT … ON CONFLICT DO NOTHING) instead of a set in the API's memory that grew with the file.
-- Retention blanks the numbers of finished campaigns to '': those rows are left out.
CREATE UNIQUE INDEX campaign_recipients_phone ON campaign_recipients (campaign_id, phone) WHERE phone <> '';
-- The line of the imported file a recipient came from: a later repeat of the number names it.
ALTER TABLE campaign_recipients ADD COLUMN source_line integer;
-- Why an import failed (status 'failed'): a limit, a dropped upload, a database error.
ALTER TABLE campaigns ADD COLUMN failure_reason text;

-- Down Migration
ALTER TABLE campaigns DROP COLUMN failure_reason;
ALTER TABLE campaign_recipients DROP COLUMN source_line;
DROP INDEX campaign_recipients_phone;
