-- Compact tier results (decision 0023, measured with bench/tiering.mjs).
--
-- A full run writes a result for every customer. Built as JSON documents (metrics, breakdown, detail)
-- those cost about three times the scoring itself: ~500 ms of a 20,000-customer chunk went into
-- formatting and parsing ~600 bytes of JSON per customer. Weighted, criteria and RFM results are now
-- stored as typed arrays in the order the model version defines (the version is immutable and the
-- result names it); the server expands them into the documents when one customer's result is read
-- (`expandResult`, modules/tiering/present.ts). CLV results keep their JSON documents (clv-run.ts),
-- and results written before this migration keep theirs until the next run rewrites them.
ALTER TABLE tier_results
  ALTER COLUMN metrics DROP NOT NULL,
  ALTER COLUMN breakdown DROP NOT NULL,
  ALTER COLUMN detail DROP NOT NULL,
  -- the values of the model's metrics (their order: modelMetrics of the version), as text
  ADD COLUMN metric_values text[],
  -- weighted: the normalised score of each dimension (NULL: the value was missing); RFM: R, F, M scores
  ADD COLUMN scores numeric[],
  -- weighted and criteria: whether each floor held, then each cap, then (criteria) each tier's
  -- conditions tier by tier; RFM: whether R, F and M are high
  ADD COLUMN flags boolean[],
  -- ranks (index into the model's tiers, highest first) after floors, hysteresis and caps, then the
  -- below-threshold run count after this run and before it (NULL: no previous state)
  ADD COLUMN steps integer[],
  -- the hysteresis outcome ('initial' | 'same' | 'upgrade' | 'held' | 'runs' | 'margin')
  ADD COLUMN hysteresis text,
  -- the held tier the run started from (NULL: none)
  ADD COLUMN previous_tier text,
  -- the manual override that decided the tier (its tier, end and reason: tier_overrides)
  ADD COLUMN override_id uuid;
