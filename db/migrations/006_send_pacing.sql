-- Up Migration
-- The next free send slot of each provider. Every send through a capped provider takes a slot at
-- least 1/cap seconds after the one before it, whichever worker makes it, so no second carries
-- more sends than the cap. (The task queue's server-side cap is a token bucket: it holds the
-- sustained rate, but after a quiet spell lets up to twice the cap into one second.)
CREATE TABLE send_pacing (
  provider  text        PRIMARY KEY,
  next_slot timestamptz NOT NULL DEFAULT '-infinity'
);

-- Down Migration
DROP TABLE send_pacing;
