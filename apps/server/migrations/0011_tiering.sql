-- Scientific tiering (科学分级, issue 6; decision 0016): manual metrics, tier models with immutable
-- published versions, the tenant's tier settings (tier of record), runs with their population
-- statistics, per-customer results of the latest run of each model, the current tier with its
-- hysteresis state, tier history, a transactional outbox of tier changes, manual overrides, and the
-- queue of triggered single-customer re-scores. Every key starts with tenant_id; forced RLS on every
-- table (the pattern of 0004_customer360.sql).

-- Exact division rounded half away from zero to an integer (the rounding of @kam/domain's
-- `divRoundHalfUp`): the scoring SQL computes scores in hundredths with it, never through floats.
CREATE FUNCTION kam_div_half_up(num numeric, den numeric) RETURNS numeric
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT sign(num) * sign(den) * div(2 * abs(num) + abs(den), 2 * abs(den))
$$;

-- Percentile rank (0–100, 2 decimals half-up) of `v` between the breakpoints b₀ ≤ … ≤ b_k of a
-- full run — @kam/domain `percentileRank` for a `breakpoints` population: below b₀ → 0, above b_k →
-- 100, equal to a run of breakpoints b_i…b_j → the middle position (i + j)/2, otherwise linear
-- between b_{i−1} < v < b_i; score = 100 · position / k. `first` = breakpoints < v, `after` =
-- breakpoints ≤ v (the caller counts them by binary search with width_bucket).
CREATE FUNCTION kam_percentile_rank(v numeric, b numeric[], first integer, after integer) RETURNS numeric
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN v IS NULL THEN NULL
    WHEN after = 0 THEN 0.00
    WHEN first > cardinality(b) - 1 THEN 100.00
    WHEN after > first THEN kam_div_half_up(10000 * (first + after - 1), 2 * (cardinality(b) - 1)) * 0.01
    ELSE kam_div_half_up(((first - 1) * (b[first + 1] - b[first]) + (v - b[first])) * 10000,
                         (b[first + 1] - b[first]) * (cardinality(b) - 1)) * 0.01
  END
$$;

-- Manually maintained metrics (strategic value 1–5, industry influence, growth potential, …): one row
-- per customer and metric key of the catalogue (@kam/domain TIERING_METRICS, `manual: true`), with
-- who set it and when. The value is text (numbers as canonical decimals); the API validates it.
CREATE TABLE customer_manual_metrics (
  tenant_id    uuid NOT NULL,
  customer_id  uuid NOT NULL,
  metric       text NOT NULL CHECK (metric ~ '^[a-z][a-z0-9_]{0,63}$'),
  value        text NOT NULL,
  set_by       uuid,
  set_at       timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, customer_id, metric),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);

-- A tier model (weighted, criteria, rfm, clv). `draft` is the editable definition (null when the
-- latest published version has not been changed since); published versions are immutable rows of
-- tier_model_versions. `published_version` is the version runs use.
CREATE TABLE tier_models (
  tenant_id          uuid NOT NULL REFERENCES tenants (tenant_id),
  id                 uuid NOT NULL,
  name               text NOT NULL,
  description        text,
  kind               text NOT NULL CHECK (kind IN ('weighted', 'criteria', 'rfm', 'clv')),
  draft              jsonb,
  draft_updated_by   uuid,
  draft_updated_at   timestamptz,
  published_version  integer,
  -- re-scored by the nightly schedule (when published)
  nightly            boolean NOT NULL DEFAULT true,
  created_by         uuid,
  version            integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX tier_models_name_key ON tier_models (tenant_id, lower(name));
-- the model list: by name (keyset) and by kind
CREATE INDEX tier_models_name_idx ON tier_models (tenant_id, name, id);
CREATE INDEX tier_models_kind_idx ON tier_models (tenant_id, kind, name, id);

-- Published versions: written once, never changed (the trigger below refuses UPDATE and DELETE).
CREATE TABLE tier_model_versions (
  tenant_id     uuid NOT NULL,
  model_id      uuid NOT NULL,
  version_no    integer NOT NULL CHECK (version_no >= 1),
  definition    jsonb NOT NULL,
  note          text,
  published_by  uuid,
  published_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, model_id, version_no),
  FOREIGN KEY (tenant_id, model_id) REFERENCES tier_models (tenant_id, id)
);

CREATE FUNCTION kam_tier_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'published tier model versions are immutable' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER tier_model_versions_immutable BEFORE UPDATE OR DELETE ON tier_model_versions
  FOR EACH ROW EXECUTE FUNCTION kam_tier_version_immutable();

-- Per-tenant settings: the tier of record (the model whose tier is "the" tier of a customer; others
-- are informative) and the size of an order that triggers a re-score.
CREATE TABLE tier_settings (
  tenant_id           uuid NOT NULL REFERENCES tenants (tenant_id),
  record_model_id     uuid,
  large_order_amount  numeric(18, 2) NOT NULL DEFAULT 100000 CHECK (large_order_amount >= 0),
  version             integer NOT NULL DEFAULT 1,
  updated_by          uuid,
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id),
  FOREIGN KEY (tenant_id, record_model_id) REFERENCES tier_models (tenant_id, id)
);

-- Runs: full (all customers), triggered (one customer, with the statistics of the last full run) and
-- simulation (a draft, written nowhere but `result`). `statistics` holds the population statistics
-- the normalisers used (percentile breakpoints per metric, RFM cut points and averages), so a
-- triggered re-score is consistent with the full run. `model_version` null = the draft (simulation).
CREATE TABLE tier_runs (
  tenant_id       uuid NOT NULL REFERENCES tenants (tenant_id),
  id              uuid NOT NULL,
  model_id        uuid NOT NULL,
  model_version   integer,
  definition      jsonb NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('full', 'triggered', 'simulation')),
  status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  as_of           date NOT NULL,
  total           integer,
  processed       integer NOT NULL DEFAULT 0,
  changed         integer NOT NULL DEFAULT 0,
  statistics      jsonb,
  result          jsonb,
  trigger_reason  text,
  customer_id     uuid,
  error           text,
  requested_by    uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, model_id) REFERENCES tier_models (tenant_id, id)
);
-- run history (newest first), per model and kind; the last completed full run of a model
CREATE INDEX tier_runs_created_idx ON tier_runs (tenant_id, created_at DESC, id DESC);
CREATE INDEX tier_runs_model_idx ON tier_runs (tenant_id, model_id, kind, created_at DESC, id DESC);
CREATE INDEX tier_runs_status_idx ON tier_runs (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX tier_runs_last_full_idx ON tier_runs (tenant_id, model_id, model_version, finished_at DESC)
  WHERE kind = 'full' AND status = 'completed';

-- Per-customer results of the latest run of each model: metric values, score, raw and final tier,
-- the deciding step, the breakdown (weighted: per dimension value, normalised score, weight,
-- contribution; criteria: the conditions' outcomes per tier) and `detail` (floors and caps that
-- held, hysteresis outcome, override). Rewritten by every run: no foreign keys and a low fillfactor
-- so the daily rewrite is HOT (ENGINEERING.md, "Re-scoring a million customers").
CREATE TABLE tier_results (
  tenant_id      uuid NOT NULL,
  model_id       uuid NOT NULL,
  customer_id    uuid NOT NULL,
  run_id         uuid NOT NULL,
  model_version  integer,
  as_of          date NOT NULL,
  metrics        jsonb NOT NULL,
  score          numeric(7, 2),
  raw_tier       text NOT NULL,
  tier           text NOT NULL,
  decided_by     text NOT NULL,
  breakdown      jsonb NOT NULL,
  detail         jsonb NOT NULL,
  computed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, model_id, customer_id)
) WITH (fillfactor = 70);
-- lists and distributions by tier; the customers of a run
CREATE INDEX tier_results_tier_idx ON tier_results (tenant_id, model_id, tier, customer_id);
CREATE INDEX tier_results_score_idx ON tier_results (tenant_id, model_id, score DESC, customer_id);

-- The current tier of each customer per model, with the hysteresis state the next run needs
-- (`held_tier`: the tier after floors and hysteresis, before caps and override; `below_count`).
CREATE TABLE tier_current (
  tenant_id      uuid NOT NULL,
  model_id       uuid NOT NULL,
  customer_id    uuid NOT NULL,
  tier           text NOT NULL,
  held_tier      text NOT NULL,
  below_count    integer NOT NULL DEFAULT 0,
  score          numeric(7, 2),
  model_version  integer,
  run_id         uuid NOT NULL,
  since          timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, model_id, customer_id)
) WITH (fillfactor = 80);
CREATE INDEX tier_current_tier_idx ON tier_current (tenant_id, model_id, tier, customer_id);

-- Every change of a customer's tier: from, to, run, model version, reason, time.
CREATE TABLE tier_history (
  tenant_id      uuid NOT NULL,
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  customer_id    uuid NOT NULL,
  model_id       uuid NOT NULL,
  model_version  integer,
  run_id         uuid,
  from_tier      text,
  to_tier        text NOT NULL,
  -- 'full_run' | 'triggered' | 'override' | 'override_revoked'
  reason         text NOT NULL,
  decided_by     text,
  changed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX tier_history_customer_idx ON tier_history (tenant_id, customer_id, changed_at DESC, id DESC);
CREATE INDEX tier_history_run_idx ON tier_history (tenant_id, run_id);
CREATE INDEX tier_history_model_idx ON tier_history (tenant_id, model_id, changed_at DESC, id DESC);

-- Outbox of tier-change events, written in the transaction that changes the tier; the automation of
-- a later issue (tier-linked operations) consumes it in `seq` order and sets `processed_at`.
CREATE TABLE tier_events_outbox (
  tenant_id     uuid NOT NULL,
  seq           bigint GENERATED ALWAYS AS IDENTITY,
  event_type    text NOT NULL DEFAULT 'tier.changed',
  customer_id   uuid NOT NULL,
  model_id      uuid NOT NULL,
  payload       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  processed_at  timestamptz,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX tier_events_outbox_pending_idx ON tier_events_outbox (tenant_id, seq) WHERE processed_at IS NULL;

-- Manual tiers (approved through the approval engine): hold through `until` (inclusive, Asia/Shanghai)
-- or until revoked. At most one live override per customer and model.
CREATE TABLE tier_overrides (
  tenant_id            uuid NOT NULL,
  id                   uuid NOT NULL,
  customer_id          uuid NOT NULL,
  model_id             uuid NOT NULL,
  tier                 text NOT NULL,
  until                date,
  reason               text NOT NULL,
  approval_request_id  uuid,
  created_by           uuid,
  created_at           timestamptz NOT NULL DEFAULT now(),
  revoked_at           timestamptz,
  revoked_by           uuid,
  version              integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  FOREIGN KEY (tenant_id, model_id) REFERENCES tier_models (tenant_id, id)
);
CREATE UNIQUE INDEX tier_overrides_live_key ON tier_overrides (tenant_id, model_id, customer_id)
  WHERE revoked_at IS NULL;
CREATE INDEX tier_overrides_customer_idx ON tier_overrides (tenant_id, customer_id, created_at DESC, id DESC);

-- Customers waiting for a triggered re-score (a large order, a new complaint, a manual metric
-- change). Filled by the triggers below and by the manual-metrics service; drained by the
-- `tiering.triggered` job (one row per customer: a burst of orders re-scores once).
CREATE TABLE tier_rescore_queue (
  tenant_id     uuid NOT NULL,
  customer_id   uuid NOT NULL,
  reason        text NOT NULL,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, customer_id)
);
CREATE INDEX tier_rescore_queue_requested_idx ON tier_rescore_queue (tenant_id, requested_at);

CREATE FUNCTION kam_tier_large_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tier_rescore_queue (tenant_id, customer_id, reason)
  SELECT DISTINCT n.tenant_id, n.customer_id, 'large_order'
  FROM new_rows n
  WHERE n.status = 'confirmed'
    AND n.amount >= coalesce((SELECT s.large_order_amount FROM tier_settings s WHERE s.tenant_id = n.tenant_id), 100000)
  ON CONFLICT (tenant_id, customer_id) DO UPDATE SET reason = excluded.reason, requested_at = now();
  RETURN NULL;
END $$;
CREATE TRIGGER orders_tier_rescore AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION kam_tier_large_orders();

CREATE FUNCTION kam_tier_new_complaints() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tier_rescore_queue (tenant_id, customer_id, reason)
  SELECT DISTINCT n.tenant_id, n.customer_id, 'complaint'
  FROM new_rows n
  WHERE n.type = 'complaint'
  ON CONFLICT (tenant_id, customer_id) DO UPDATE SET reason = excluded.reason, requested_at = now();
  RETURN NULL;
END $$;
CREATE TRIGGER service_records_tier_rescore AFTER INSERT ON service_records REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION kam_tier_new_complaints();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customer_manual_metrics', 'tier_models', 'tier_model_versions', 'tier_settings',
                           'tier_runs', 'tier_results', 'tier_current', 'tier_history',
                           'tier_events_outbox', 'tier_overrides', 'tier_rescore_queue']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kam_tenant()) WITH CHECK (tenant_id = kam_tenant())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON customer_manual_metrics, tier_models, tier_settings, tier_runs,
  tier_results, tier_current, tier_events_outbox, tier_overrides, tier_rescore_queue TO kam_app;
-- history is append-only; published versions are written once
GRANT SELECT, INSERT ON tier_model_versions, tier_history TO kam_app;
GRANT EXECUTE ON FUNCTION kam_div_half_up(numeric, numeric), kam_percentile_rank(numeric, numeric[], integer, integer)
  TO kam_app;
