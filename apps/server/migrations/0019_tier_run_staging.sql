-- Staged metrics of a full run on the server (decision 0024, measured with bench/tiering.mjs).
--
-- A full run computes every customer's metrics once, when it starts: ONE parallel statement
-- (`CREATE UNLOGGED TABLE … AS`) writes them into a table of the run's own in this schema,
-- `kam_work.tier_run_<run id>`, whose statistics then come from it and whose chunks read their range of
-- it instead of aggregating orders and follow-ups again. A table per run because only CREATE TABLE AS
-- runs its query in parallel (INSERT … SELECT does not, on PostgreSQL 15); unlogged because it is a
-- working copy: the run drops it when it completes or fails, and a database restart, which empties it,
-- is detected (the run restages it when resumed, or fails if it was emptied under a running worker).
-- Each such table carries tenant_id, its unique key starts with it, and it has the tenant policy of
-- every tenant table.
CREATE SCHEMA IF NOT EXISTS kam_work;
GRANT USAGE, CREATE ON SCHEMA kam_work TO kam_app;
