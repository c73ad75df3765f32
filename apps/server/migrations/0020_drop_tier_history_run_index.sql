-- No statement reads tier_history by run (a run's changes are counted in tier_runs.changed; a
-- customer's history and the migrations over time read tier_history_customer_idx and
-- tier_history_model_idx). The index cost one more index entry for every history row, and a model's first
-- full run writes one for every customer (decision 0024).
DROP INDEX IF EXISTS tier_history_run_idx;
