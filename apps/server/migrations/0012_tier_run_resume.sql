-- Tier runs survive the death of the worker that executes them (issue 6; decision 0016, "Resuming
-- runs"). A full run records, in the same transaction as each chunk it writes, the last customer id
-- of that chunk (`resume_after`) and a heartbeat; a run whose heartbeat is older than a few minutes
-- is handed to a worker again and continues after `resume_after` with the statistics it started
-- with. `attempts` counts the hand-overs; after the limit the run fails with the reason.
ALTER TABLE tier_runs
  ADD COLUMN resume_after uuid,
  ADD COLUMN heartbeat_at timestamptz,
  ADD COLUMN attempts integer NOT NULL DEFAULT 0;

-- The watchdog's question, asked every minute: runs queued or running, oldest heartbeat first.
CREATE INDEX tier_runs_active_idx ON tier_runs (tenant_id, coalesce(heartbeat_at, created_at))
  WHERE status IN ('queued', 'running');
