-- A model's full runs follow a schedule the director picks (issue 6: "on a schedule per tenant, e.g.
-- nightly, monthly"): none, daily, weekly (Mondays) or monthly (the 1st), at 03:00 Asia/Shanghai.
-- Replaces the `nightly` flag (true → daily).
ALTER TABLE tier_models
  ADD COLUMN schedule text NOT NULL DEFAULT 'daily'
    CHECK (schedule IN ('none', 'daily', 'weekly', 'monthly'));
UPDATE tier_models SET schedule = CASE WHEN nightly THEN 'daily' ELSE 'none' END;
ALTER TABLE tier_models DROP COLUMN nightly;
