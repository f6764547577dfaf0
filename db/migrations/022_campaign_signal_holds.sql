-- Up Migration
-- A campaign about to continue as new asks the relay to hold its status signals until the next run
-- starts (issue #18, docs/campaign-design.md): a signal that lands while the run completes fails
-- that workflow task, and the worker then replays the whole run before it can try again. A hold
-- ends when the next run starts, or by itself at `until` (a run that never came).
CREATE TABLE campaign_signal_holds (
  campaign_id text PRIMARY KEY,
  until timestamptz NOT NULL
);

-- Down Migration
DROP TABLE campaign_signal_holds;
