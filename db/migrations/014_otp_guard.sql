-- Up Migration
-- The OTP guard's sliding windows (api/otp-guard.ts): one row per accepted send per limited key
-- (an API key's name, a client address, a number prefix, a country). Shared by every API process.
CREATE TABLE otp_guard_hits (
  scope text NOT NULL,
  key text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX otp_guard_hits_key ON otp_guard_hits (scope, key, at);

-- Takes one slot in every window, or none: under each key's advisory lock (taken in a fixed order,
-- so two requests cannot deadlock) it forgets hits older than the window, counts the rest and, when
-- every window has room, records the send. Returns the windows that are full, with when they free a
-- slot; no rows means the send may go. One round trip per OTP start.
CREATE FUNCTION otp_guard_take(scopes text[], keys text[], limits int[], windows_ms bigint[])
RETURNS TABLE (scope text, used int, frees_at timestamptz) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('otp_guard:' || w.s || ':' || w.k))
     FROM unnest(scopes, keys) AS w(s, k) ORDER BY w.s, w.k;
  DELETE FROM otp_guard_hits h USING unnest(scopes, keys, windows_ms) AS w(s, k, ms)
   WHERE h.scope = w.s AND h.key = w.k AND h.at <= now() - make_interval(secs => w.ms / 1000.0);
  RETURN QUERY
    SELECT w.s, c.n::int, c.oldest + make_interval(secs => w.ms / 1000.0)
      FROM unnest(scopes, keys, limits, windows_ms) AS w(s, k, lim, ms)
      CROSS JOIN LATERAL (SELECT count(*) AS n, min(h.at) AS oldest FROM otp_guard_hits h
                          WHERE h.scope = w.s AND h.key = w.k) c
     WHERE c.n >= w.lim;
  IF NOT FOUND THEN
    INSERT INTO otp_guard_hits (scope, key) SELECT w.s, w.k FROM unnest(scopes, keys) AS w(s, k);
  END IF;
END;
$$;

-- Down Migration
DROP FUNCTION otp_guard_take(text[], text[], int[], bigint[]);
DROP TABLE otp_guard_hits;
