-- Up Migration
-- A stored callback whose provider message has no owner yet remembers which one it waits for
-- ("provider:provider_message_id"). Recording that provider message wakes only the rows waiting
-- for it, instead of every waiting row: callbacks about messages kurir never sent (another system
-- on the same provider account) used to be re-read on every send.
ALTER TABLE callback_inbox ADD COLUMN waiting_for text;
CREATE INDEX callback_inbox_waiting_for ON callback_inbox (waiting_for) WHERE relayed_at IS NULL;

-- Down Migration
DROP INDEX callback_inbox_waiting_for;
ALTER TABLE callback_inbox DROP COLUMN waiting_for;
