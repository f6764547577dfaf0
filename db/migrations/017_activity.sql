-- Up Migration
-- The operator's view (issue #21): the activity feed (GET /v1/messages) and the delivery KPIs
-- (GET /v1/stats) read two small tables kept up to date from the events as they are inserted, so
-- neither scans the event stream: at a million messages a feed page is an index range and a KPI
-- window a few hundred rows of delivery_hourly.
--
-- activity: one row per message and per OTP, where it stands now.
CREATE TABLE activity (
  id           text        PRIMARY KEY,
  kind         text        NOT NULL,         -- message | otp
  -- When its first event happened (a message's first send, an OTP's first code): the feed's order,
  -- newest first, with the id as the tie-break, and its cursor.
  started_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  step         int,
  status       text,                         -- the current step's status (message), or the OTP's
  outcome      text,                         -- set when it ended
  provider     text,
  channel      text,
  reference    text,
  campaign_id  text,
  fallbacks    int         NOT NULL DEFAULT 0
);
CREATE INDEX activity_feed ON activity (started_at DESC, id DESC);
CREATE INDEX activity_campaign ON activity (campaign_id, started_at DESC, id DESC) WHERE campaign_id IS NOT NULL;
CREATE INDEX activity_reference ON activity (reference, started_at DESC, id DESC) WHERE reference IS NOT NULL;
CREATE INDEX activity_outcome ON activity (outcome, started_at DESC, id DESC);

-- delivery_attempts: one row per message step sent to a provider, with when it reached each status.
CREATE TABLE delivery_attempts (
  message_id      text        NOT NULL,
  step            int         NOT NULL,
  provider        text,
  channel         text,
  accepted_at     timestamptz,
  delivered_at    timestamptz,
  read_at         timestamptz,
  failed_at       timestamptz,
  fallback_reason text,
  fallback_at     timestamptz,
  -- When the attempt was made: the provider took it or refused it outright, or (a suppressed step,
  -- never sent) when it was skipped.
  at              timestamptz GENERATED ALWAYS AS (coalesce(accepted_at, failed_at, fallback_at)) STORED,
  PRIMARY KEY (message_id, step)
);
CREATE INDEX delivery_attempts_at ON delivery_attempts (at);
CREATE INDEX delivery_attempts_fallback ON delivery_attempts (at) WHERE fallback_reason IS NOT NULL;

-- delivery_hourly: the attempts' figures per hour they were sent, provider and channel, kept by a
-- trigger on delivery_attempts (each change takes the row's old contribution out and puts the new
-- one in), so a KPI window reads a few hundred rows however many messages it holds. Times to
-- delivered and to read are histograms over DELIVERY_BUCKETS (seconds; the last is open-ended).
CREATE FUNCTION delivery_buckets() RETURNS double precision[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400, 'Infinity']::double precision[]
$$;
-- The histogram of one duration: 1 (or -1) in its bucket, 0 elsewhere; all 0 without a duration.
CREATE FUNCTION delivery_bucket_vector(secs double precision, sign int) RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  bounds double precision[] := delivery_buckets();
  v bigint[] := array_fill(0::bigint, ARRAY[array_length(bounds, 1)]);
BEGIN
  IF secs IS NOT NULL THEN
    FOR i IN 1 .. array_length(bounds, 1) LOOP
      IF greatest(secs, 0) <= bounds[i] THEN
        v[i] := sign;
        EXIT;
      END IF;
    END LOOP;
  END IF;
  RETURN v;
END;
$$;
CREATE TABLE delivery_hourly (
  hour         timestamptz NOT NULL,
  provider     text        NOT NULL,
  channel      text        NOT NULL,
  sends        bigint      NOT NULL,
  delivered    bigint      NOT NULL,
  read         bigint      NOT NULL,
  failed       bigint      NOT NULL,
  fell_back    bigint      NOT NULL,
  suppressed   bigint      NOT NULL,
  to_delivered bigint[]    NOT NULL,
  to_read      bigint[]    NOT NULL,
  PRIMARY KEY (hour, provider, channel)
);

CREATE FUNCTION delivery_hourly_add(r delivery_attempts, sign int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO delivery_hourly AS h (hour, provider, channel, sends, delivered, read, failed, fell_back, suppressed,
                                    to_delivered, to_read)
  VALUES (date_trunc('hour', r.at), coalesce(r.provider, 'unknown'), coalesce(r.channel, 'unknown'),
          sign * (r.accepted_at IS NOT NULL OR r.failed_at IS NOT NULL)::int,
          sign * (r.delivered_at IS NOT NULL)::int, sign * (r.read_at IS NOT NULL)::int,
          sign * (r.failed_at IS NOT NULL)::int, sign * coalesce(r.fallback_reason <> 'suppressed', false)::int,
          sign * coalesce(r.fallback_reason = 'suppressed', false)::int,
          delivery_bucket_vector(extract(epoch FROM r.delivered_at - r.accepted_at), sign),
          delivery_bucket_vector(extract(epoch FROM r.read_at - r.accepted_at), sign))
  ON CONFLICT (hour, provider, channel) DO UPDATE SET
    sends = h.sends + EXCLUDED.sends, delivered = h.delivered + EXCLUDED.delivered, read = h.read + EXCLUDED.read,
    failed = h.failed + EXCLUDED.failed, fell_back = h.fell_back + EXCLUDED.fell_back,
    suppressed = h.suppressed + EXCLUDED.suppressed,
    to_delivered = (SELECT array_agg(a + b ORDER BY i) FROM unnest(h.to_delivered, EXCLUDED.to_delivered) WITH ORDINALITY x(a, b, i)),
    to_read = (SELECT array_agg(a + b ORDER BY i) FROM unnest(h.to_read, EXCLUDED.to_read) WITH ORDINALITY x(a, b, i))
$$;

CREATE FUNCTION delivery_hourly_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.at IS NOT NULL THEN PERFORM delivery_hourly_add(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.at IS NOT NULL THEN PERFORM delivery_hourly_add(NEW, 1); END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER delivery_attempts_hourly AFTER INSERT OR UPDATE OR DELETE ON delivery_attempts
  FOR EACH ROW EXECUTE FUNCTION delivery_hourly_on_change();

-- The rank of a message status within one step: a late callback never moves it back.
CREATE FUNCTION activity_status_rank(s text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE s WHEN 'accepted' THEN 1 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3
                WHEN 'read' THEN 4 WHEN 'failed' THEN 5 WHEN 'invalid_number' THEN 5 WHEN 'expired' THEN 5
                ELSE 0 END
$$;

CREATE FUNCTION activity_apply(e events) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_step int := coalesce(e.data->>'step', e.data->>'fromStep')::int;
  -- message.accepted's data.status is the provider's first answer; the later events carry the rest.
  v_status text := CASE WHEN e.type = 'message.accepted' THEN 'accepted' ELSE e.data->>'status' END;
BEGIN
  IF e.message_id IS NOT NULL THEN
    INSERT INTO activity AS a (id, kind, started_at, updated_at, step, status, outcome, provider,
                               channel, reference, campaign_id, fallbacks)
    VALUES (e.message_id, 'message', e.occurred_at, e.occurred_at,
            CASE WHEN e.type <> 'message.completed' THEN v_step END,
            CASE WHEN e.type IN ('message.accepted', 'message.sent', 'message.delivered', 'message.read', 'message.failed') THEN v_status END,
            CASE WHEN e.type = 'message.completed' THEN e.data->>'outcome' END,
            e.provider, e.channel, e.reference, e.campaign_id,
            CASE WHEN e.type = 'message.fallback' THEN 1 ELSE 0 END)
    ON CONFLICT (id) DO UPDATE SET
      started_at = least(a.started_at, EXCLUDED.started_at),
      updated_at = greatest(a.updated_at, EXCLUDED.updated_at),
      -- A later step, or a higher status on the same step, becomes the current one.
      step = CASE WHEN EXCLUDED.status IS NOT NULL
                   AND (a.step IS NULL OR EXCLUDED.step > a.step
                        OR (EXCLUDED.step = a.step AND activity_status_rank(EXCLUDED.status) >= activity_status_rank(a.status)))
                  THEN EXCLUDED.step ELSE a.step END,
      status = CASE WHEN EXCLUDED.status IS NOT NULL
                     AND (a.step IS NULL OR EXCLUDED.step > a.step
                          OR (EXCLUDED.step = a.step AND activity_status_rank(EXCLUDED.status) >= activity_status_rank(a.status)))
                    THEN EXCLUDED.status ELSE a.status END,
      provider = CASE WHEN EXCLUDED.status IS NOT NULL AND (a.step IS NULL OR EXCLUDED.step >= a.step)
                      THEN coalesce(EXCLUDED.provider, a.provider)
                      WHEN e.type = 'message.completed' THEN coalesce(EXCLUDED.provider, a.provider)
                      ELSE coalesce(a.provider, EXCLUDED.provider) END,
      channel = CASE WHEN EXCLUDED.status IS NOT NULL AND (a.step IS NULL OR EXCLUDED.step >= a.step)
                     THEN coalesce(EXCLUDED.channel, a.channel)
                     WHEN e.type = 'message.completed' THEN coalesce(EXCLUDED.channel, a.channel)
                     ELSE coalesce(a.channel, EXCLUDED.channel) END,
      outcome = coalesce(EXCLUDED.outcome, a.outcome),
      reference = coalesce(a.reference, EXCLUDED.reference),
      campaign_id = coalesce(a.campaign_id, EXCLUDED.campaign_id),
      fallbacks = a.fallbacks + EXCLUDED.fallbacks;

    IF v_step IS NOT NULL AND e.type IN ('message.accepted', 'message.delivered', 'message.read', 'message.failed',
                                         'message.fallback', 'message.suppressed') THEN
      INSERT INTO delivery_attempts AS d (message_id, step, provider, channel, accepted_at, delivered_at, read_at,
                                          failed_at, fallback_reason, fallback_at)
      VALUES (e.message_id, v_step, e.provider, e.channel,
              CASE WHEN e.type = 'message.accepted' THEN e.occurred_at END,
              CASE WHEN e.type = 'message.delivered' THEN e.occurred_at END,
              CASE WHEN e.type = 'message.read' THEN e.occurred_at END,
              CASE WHEN e.type = 'message.failed' THEN e.occurred_at END,
              CASE WHEN e.type = 'message.fallback' THEN e.data->>'reason' WHEN e.type = 'message.suppressed' THEN 'suppressed' END,
              CASE WHEN e.type IN ('message.fallback', 'message.suppressed') THEN e.occurred_at END)
      ON CONFLICT (message_id, step) DO UPDATE SET
        provider = coalesce(d.provider, EXCLUDED.provider),
        channel = coalesce(d.channel, EXCLUDED.channel),
        accepted_at = coalesce(d.accepted_at, EXCLUDED.accepted_at),
        delivered_at = coalesce(d.delivered_at, EXCLUDED.delivered_at),
        read_at = coalesce(d.read_at, EXCLUDED.read_at),
        failed_at = coalesce(d.failed_at, EXCLUDED.failed_at),
        fallback_reason = coalesce(d.fallback_reason, EXCLUDED.fallback_reason),
        fallback_at = coalesce(d.fallback_at, EXCLUDED.fallback_at);
    END IF;
  ELSIF e.otp_id IS NOT NULL AND e.type LIKE 'otp.%' THEN
    INSERT INTO activity AS a (id, kind, started_at, updated_at, status, outcome, provider, channel, reference)
    VALUES (e.otp_id, 'otp', e.occurred_at, e.occurred_at,
            CASE WHEN e.type = 'otp.sent' THEN 'sent' ELSE substr(e.type, 5) END,
            CASE WHEN e.type <> 'otp.sent' THEN substr(e.type, 5) END,
            e.provider, e.channel, e.reference)
    ON CONFLICT (id) DO UPDATE SET
      started_at = least(a.started_at, EXCLUDED.started_at),
      updated_at = greatest(a.updated_at, EXCLUDED.updated_at),
      -- An ended OTP stays ended; a later code's channel is the current one.
      status = CASE WHEN a.outcome IS NOT NULL THEN a.status ELSE EXCLUDED.status END,
      outcome = coalesce(a.outcome, EXCLUDED.outcome),
      provider = coalesce(EXCLUDED.provider, a.provider),
      channel = coalesce(EXCLUDED.channel, a.channel),
      reference = coalesce(a.reference, EXCLUDED.reference);
  END IF;
END;
$$;

CREATE FUNCTION activity_on_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM activity_apply(NEW);
  RETURN NULL;
END;
$$;
CREATE TRIGGER events_activity AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION activity_on_event();

-- What happened before this migration.
SELECT activity_apply(e) FROM events e ORDER BY e.seq;

-- Down Migration
DROP TRIGGER events_activity ON events;
DROP FUNCTION activity_on_event();
DROP FUNCTION activity_apply(events);
DROP FUNCTION activity_status_rank(text);
DROP TRIGGER delivery_attempts_hourly ON delivery_attempts;
DROP FUNCTION delivery_hourly_on_change();
DROP FUNCTION delivery_hourly_add(delivery_attempts, int);
DROP TABLE delivery_hourly;
DROP FUNCTION delivery_bucket_vector(double precision, int);
DROP FUNCTION delivery_buckets();
DROP TABLE delivery_attempts;
DROP TABLE activity;
