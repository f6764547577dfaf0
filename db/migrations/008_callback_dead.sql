-- Up Migration
-- A stored callback the relay can never deliver (a NUL the database refuses, a time it cannot
-- store, a body no parser reads) is set aside as dead with its error instead of being retried:
-- retried, it failed its whole batch and stalled every callback behind it (security review H1).
-- Dead rows stay for an operator to read (GET /v1/callbacks/dead) until retention prunes them.
ALTER TABLE callback_inbox ADD COLUMN dead_at timestamptz;
DROP INDEX callback_inbox_pending;
CREATE INDEX callback_inbox_pending ON callback_inbox (next_attempt_at) WHERE relayed_at IS NULL AND dead_at IS NULL;
CREATE INDEX callback_inbox_dead ON callback_inbox (id) WHERE dead_at IS NOT NULL;

-- Down Migration
DROP INDEX callback_inbox_dead;
DROP INDEX callback_inbox_pending;
CREATE INDEX callback_inbox_pending ON callback_inbox (next_attempt_at) WHERE relayed_at IS NULL;
ALTER TABLE callback_inbox DROP COLUMN dead_at;
