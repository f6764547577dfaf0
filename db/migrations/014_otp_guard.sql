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
DECLARE
  i int;
  n int;
  oldest timestamptz;
  full_windows int := 0;
BEGIN
  FOR i IN SELECT ord FROM unnest(scopes, keys) WITH ORDINALITY AS t(s, k, ord) ORDER BY s, k LOOP
    PERFORM pg_advisory_xact_lock(hashtext('otp_guard:' || scopes[i] || ':' || keys[i]));
  END LOOP;
  FOR i IN 1 .. coalesce(array_length(scopes, 1), 0) LOOP
    DELETE FROM otp_guard_hits h
     WHERE h.scope = scopes[i] AND h.key = keys[i] AND h.at <= now() - make_interval(secs => windows_ms[i] / 1000.0);
    SELECT count(*), min(h.at) INTO n, oldest FROM otp_guard_hits h WHERE h.scope = scopes[i] AND h.key = keys[i];
    IF n >= limits[i] THEN
      full_windows := full_windows + 1;
      scope := scopes[i];
      used := n;
      frees_at := oldest + make_interval(secs => windows_ms[i] / 1000.0);
      RETURN NEXT;
    END IF;
  END LOOP;
  IF full_windows = 0 THEN
    INSERT INTO otp_guard_hits (scope, key) SELECT s, k FROM unnest(scopes, keys) AS t(s, k);
  END IF;
END;
$$;

-- Down Migration
DROP FUNCTION otp_guard_take(text[], text[], int[], bigint[]);
DROP TABLE otp_guard_hits;
