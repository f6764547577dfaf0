-- Up Migration
-- The whole OTP guard's database side in one round trip (api/otp-guard.ts): it was three (the
-- prefix's state, the windows, recording the start), 2.4 ms at the p50 against a 2 ms budget.
-- In order:
--   1. a prefix blocked now refuses ('prefix_blocked');
--   2. a prefix with min_sends settled starts in the conversion window (since its last block ended)
--      and fewer than min_conversion of them verified is blocked now and refuses ('prefix_blocked',
--      newly_blocked);
--   3. a full window refuses ('rate_limited', the first full one in the order given, with when it
--      frees a slot), taking no slot in any;
--   4. otherwise the start takes a slot in every window and is recorded ('admitted').
-- A refusal records nothing but the block; the caller writes its event.
CREATE FUNCTION otp_guard_admit(
  p_otp_id text, p_prefix text, p_prefix_hash text, p_country text,
  conv_window_ms bigint, settle_ms bigint, min_sends int, min_conversion double precision, block_ms bigint,
  scopes text[], keys text[], limits int[], windows_ms bigint[]
) RETURNS TABLE (outcome text, until timestamptz, newly_blocked boolean, sends int, verified int,
                 full_scope text, frees_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  b record;
  n_sends int;
  n_verified int;
  blocked_until timestamptz;
  hit record;
BEGIN
  SELECT x.until, x.unblocked_at INTO b FROM otp_prefix_blocks x WHERE x.prefix_hash = p_prefix_hash;
  IF FOUND AND b.unblocked_at IS NULL AND b.until > now() THEN
    RETURN QUERY SELECT 'prefix_blocked', b.until, false, NULL::int, NULL::int, NULL::text, NULL::timestamptz;
    RETURN;
  END IF;
  SELECT count(*)::int,
         count(*) FILTER (WHERE EXISTS (SELECT 1 FROM events e WHERE e.otp_id = s.otp_id AND e.type = 'otp.approved'))::int
    INTO n_sends, n_verified
    FROM otp_starts s
   WHERE s.prefix_hash = p_prefix_hash
     AND s.started_at > greatest(now() - make_interval(secs => conv_window_ms / 1000.0),
                                 coalesce(b.unblocked_at, b.until, '-infinity'))
     AND s.started_at <= now() - make_interval(secs => settle_ms / 1000.0);
  IF n_sends >= min_sends AND n_verified::double precision / n_sends < min_conversion THEN
    INSERT INTO otp_prefix_blocks AS x (prefix, prefix_hash, country, until, sends, verified)
    VALUES (p_prefix, p_prefix_hash, p_country, now() + make_interval(secs => block_ms / 1000.0), n_sends, n_verified)
    ON CONFLICT (prefix) DO UPDATE SET blocked_at = now(), until = EXCLUDED.until, sends = EXCLUDED.sends,
      verified = EXCLUDED.verified, unblocked_at = NULL
    RETURNING x.until INTO blocked_until;
    RETURN QUERY SELECT 'prefix_blocked', blocked_until, true, n_sends, n_verified, NULL::text, NULL::timestamptz;
    RETURN;
  END IF;

  -- The windows, under each key's advisory lock taken in a fixed order (no deadlock between two starts).
  PERFORM pg_advisory_xact_lock(hashtext('otp_guard:' || w.s || ':' || w.k))
     FROM unnest(scopes, keys) AS w(s, k) ORDER BY w.s, w.k;
  DELETE FROM otp_guard_hits h USING unnest(scopes, keys, windows_ms) AS w(s, k, ms)
   WHERE h.scope = w.s AND h.key = w.k AND h.at <= now() - make_interval(secs => w.ms / 1000.0);
  SELECT w.s, c.oldest + make_interval(secs => w.ms / 1000.0) AS frees INTO hit
    FROM unnest(scopes, keys, limits, windows_ms) WITH ORDINALITY AS w(s, k, lim, ms, i)
    CROSS JOIN LATERAL (SELECT count(*) AS n, min(h.at) AS oldest FROM otp_guard_hits h
                         WHERE h.scope = w.s AND h.key = w.k) c
   WHERE c.n >= w.lim
   ORDER BY w.i LIMIT 1;
  IF FOUND THEN
    RETURN QUERY SELECT 'rate_limited', NULL::timestamptz, false, NULL::int, NULL::int, hit.s, hit.frees;
    RETURN;
  END IF;
  INSERT INTO otp_guard_hits (scope, key) SELECT w.s, w.k FROM unnest(scopes, keys) AS w(s, k);
  INSERT INTO otp_starts (otp_id, prefix_hash, country) VALUES (p_otp_id, p_prefix_hash, p_country)
  ON CONFLICT (otp_id) DO NOTHING;
  RETURN QUERY SELECT 'admitted', NULL::timestamptz, false, NULL::int, NULL::int, NULL::text, NULL::timestamptz;
END;
$$;
-- Replaced by otp_guard_admit.
DROP FUNCTION otp_guard_take(text[], text[], int[], bigint[]);

-- Down Migration
DROP FUNCTION otp_guard_admit(text, text, text, text, bigint, bigint, int, double precision, bigint,
                              text[], text[], int[], bigint[]);
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
