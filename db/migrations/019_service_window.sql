-- Up Migration
-- The WhatsApp customer-service window (issue #19): the last inbound message of a customer to a
-- provider, found by the sender's digits (providers write 6281…, some with a +).
CREATE INDEX inbound_messages_sender ON inbound_messages (provider, (regexp_replace(sender, '[^0-9]', '', 'g')), stored_at DESC);

-- Down Migration
DROP INDEX inbound_messages_sender;
