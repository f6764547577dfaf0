-- Up Migration
-- Provider failover (issue #19): one circuit breaker per provider, shared by every worker. Closed:
-- sends go. PROVIDER_BREAKER_FAILURES consecutive failed sends open it: steps with alternatives go
-- to the next one, for PROVIDER_BREAKER_COOLDOWN. Then one send is let through as a probe
-- (half_open): its success closes the circuit, its failure opens it again.
CREATE TABLE provider_circuits (
  provider   text        PRIMARY KEY,
  state      text        NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
  failures   int         NOT NULL DEFAULT 0,
  opened_at  timestamptz,
  probe_at   timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE provider_circuits;
