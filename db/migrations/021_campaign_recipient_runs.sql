-- Up Migration
-- Campaign recipients run inside their campaign's workflow, not as one child workflow each
-- (issue #18, docs/campaigns.md). Their provider messages keep the recipient's message id as
-- workflow_id (the send's idempotency key, with step_index), and name the workflow the relay
-- signals in signal_to: the campaign, which hands each status to the recipient's state machine.
ALTER TABLE provider_messages ADD COLUMN signal_to text;
-- The recipient's attempts, as GET /v1/messages/:id shows them once its message has finished.
ALTER TABLE campaign_recipients ADD COLUMN attempts jsonb;

-- Down Migration
ALTER TABLE campaign_recipients DROP COLUMN attempts;
ALTER TABLE provider_messages DROP COLUMN signal_to;
