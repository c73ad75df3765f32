-- Tiering at a million customers (issue 6; decision 0020, measured with bench/tiering.mjs).

-- The live customers in id order, without their heap rows. A full run scores keyset ranges of live
-- customer ids: the chunk boundary and every scoring statement read the range's ids; through the
-- primary key each of them fetched one heap page per customer to test deleted_at (20,000 random
-- page reads per chunk of 20,000). With this index both are index-only scans.
CREATE INDEX customers_live_idx ON customers (tenant_id, id) WHERE deleted_at IS NULL;

-- tier_results is rewritten by every full run. No statement reads it by tier or by score (tier counts
-- and lists use tier_current and its tier index; one customer's results are read by primary key), and
-- the two indexes made every rewrite whose score or tier changed a non-HOT update that inserts into
-- every index of the table — in a daily run that is nearly every customer, since recency moves daily.
DROP INDEX tier_results_tier_idx;
DROP INDEX tier_results_score_idx;
