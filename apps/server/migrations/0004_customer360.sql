-- Customer 360: customers, account teams, ownership history, contacts, follow-ups, orders,
-- payments, service records, saved list views. Every key starts with tenant_id; forced RLS on
-- every table (see docs/decisions/0010-customer-data-model.md).
--
-- Money is numeric(18,2) (exact, CNY). Dates of business documents (order date, payment due
-- date) are `date`, interpreted in Asia/Shanghai; moments (follow-up time, ticket opened) are
-- timestamptz.

CREATE TABLE customers (
  tenant_id           uuid NOT NULL REFERENCES tenants (tenant_id),
  id                  uuid NOT NULL,
  name                text NOT NULL,
  -- duplicate key: normaliseCompanyName(name) in @kam/domain (width, brackets, case, legal suffixes)
  name_norm           text NOT NULL,
  name_pinyin         text NOT NULL DEFAULT '',
  credit_code         text CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
  industry            text CHECK (industry ~ '^[A-T]$'),
  province_code       text CHECK (province_code ~ '^[0-9]{2}0000$'),
  city_code           text CHECK (city_code ~ '^[0-9]{6}$'),
  size_band           text,
  source              text,
  website             text,
  address             text,
  tags                text[] NOT NULL DEFAULT '{}',
  status              text NOT NULL DEFAULT 'prospect'
                        CHECK (status IN ('prospect', 'active', 'dormant', 'lost')),
  owner_id            uuid,
  -- the owner's department at assignment time: the department data scopes look at
  department_id       uuid,
  notes               text,
  -- kept current by triggers on follow_ups and orders (and nightly for the rolling window)
  last_follow_up_at   timestamptz,
  revenue_12m         numeric(18, 2) NOT NULL DEFAULT 0,
  orders_12m          integer NOT NULL DEFAULT 0,
  last_order_at       date,
  deleted_at          timestamptz,
  deleted_by          uuid,
  merged_into_id      uuid,
  created_by          uuid,
  updated_by          uuid,
  version             integer NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id)
);
-- one live customer per credit code and per normalised name
CREATE UNIQUE INDEX customers_credit_code_key ON customers (tenant_id, credit_code)
  WHERE deleted_at IS NULL AND credit_code IS NOT NULL;
CREATE UNIQUE INDEX customers_name_norm_key ON customers (tenant_id, name_norm) WHERE deleted_at IS NULL;
-- close-match warnings (similarity on the normalised name) and the search box
CREATE INDEX customers_name_norm_trgm_idx ON customers USING gin (name_norm gin_trgm_ops);
CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops);
CREATE INDEX customers_name_pinyin_trgm_idx ON customers USING gin (name_pinyin gin_trgm_ops);
CREATE INDEX customers_credit_code_trgm_idx ON customers USING gin (credit_code gin_trgm_ops);
-- scope and filters
CREATE INDEX customers_owner_idx ON customers (tenant_id, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX customers_department_idx ON customers (tenant_id, department_id, name_pinyin, id)
  WHERE deleted_at IS NULL;
CREATE INDEX customers_status_idx ON customers (tenant_id, status) WHERE deleted_at IS NULL;
CREATE INDEX customers_industry_idx ON customers (tenant_id, industry) WHERE deleted_at IS NULL;
CREATE INDEX customers_province_idx ON customers (tenant_id, province_code) WHERE deleted_at IS NULL;
CREATE INDEX customers_city_idx ON customers (tenant_id, city_code) WHERE deleted_at IS NULL;
CREATE INDEX customers_tags_idx ON customers USING gin (tags) WHERE deleted_at IS NULL;
CREATE INDEX customers_deleted_idx ON customers (tenant_id, deleted_at, id) WHERE deleted_at IS NOT NULL;
-- sorts (keyset: sort value, id)
CREATE INDEX customers_name_pinyin_idx ON customers (tenant_id, name_pinyin, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_updated_idx ON customers (tenant_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_created_idx ON customers (tenant_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_last_follow_up_idx ON customers
  (tenant_id, coalesce(last_follow_up_at, '-infinity'::timestamptz), id) WHERE deleted_at IS NULL;
CREATE INDEX customers_revenue_idx ON customers (tenant_id, revenue_12m, id) WHERE deleted_at IS NULL;

-- Account team (客户团队). The owner is always a member (team_role 'owner', read_write); other
-- members see the customer (and its contacts, follow-ups, orders, service records) even outside
-- their data scope; with read_write they may also do the write actions their role holds on it.
CREATE TABLE customer_team (
  tenant_id    uuid NOT NULL,
  customer_id  uuid NOT NULL,
  user_id      uuid NOT NULL,
  team_role    text NOT NULL CHECK (team_role IN ('owner', 'co_follower', 'customer_service',
                 'technical_support', 'delivery', 'executive_sponsor')),
  access       text NOT NULL CHECK (access IN ('read', 'read_write')),
  added_by     uuid,
  added_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, customer_id, user_id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX customer_team_user_idx ON customer_team (tenant_id, user_id, customer_id) INCLUDE (access);

-- Every change of owner, with who, when and why.
CREATE TABLE customer_ownership_history (
  tenant_id           uuid NOT NULL,
  id                  uuid NOT NULL,
  customer_id         uuid NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('create', 'assign', 'transfer', 'handover', 'merge', 'import')),
  from_owner_id       uuid,
  to_owner_id         uuid,
  from_department_id  uuid,
  to_department_id    uuid,
  reason              text,
  changed_by          uuid,
  changed_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_ownership_history_customer_idx
  ON customer_ownership_history (tenant_id, customer_id, changed_at DESC, id);

CREATE TABLE contacts (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  customer_id     uuid NOT NULL,
  name            text NOT NULL,
  name_pinyin     text NOT NULL DEFAULT '',
  title           text,
  department      text,
  mobile          text,            -- E.164 (+86…)
  phone           text,            -- landline / hotline as normalised digits with hyphens
  email           text,
  wechat          text,
  decision_role   text CHECK (decision_role IN ('decision_maker', 'influencer', 'user', 'gatekeeper', 'champion')),
  attitude        text CHECK (attitude IN ('supportive', 'neutral', 'opposed')),
  birthday        date,
  notes           text,
  is_primary      boolean NOT NULL DEFAULT false,
  created_by      uuid,
  version         integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX contacts_customer_idx ON contacts (tenant_id, customer_id, is_primary DESC, name_pinyin, id);
CREATE UNIQUE INDEX contacts_primary_key ON contacts (tenant_id, customer_id) WHERE is_primary;
-- "contact phone" search of the customer list: digits of mobile / phone
CREATE INDEX contacts_mobile_idx ON contacts (tenant_id, mobile) WHERE mobile IS NOT NULL;
CREATE INDEX contacts_mobile_trgm_idx ON contacts USING gin (mobile gin_trgm_ops);
CREATE INDEX contacts_phone_trgm_idx ON contacts USING gin (phone gin_trgm_ops);
-- the contact list across customers: pinyin order and name search
CREATE INDEX contacts_name_pinyin_idx ON contacts (tenant_id, name_pinyin, id);
CREATE INDEX contacts_name_trgm_idx ON contacts USING gin (name gin_trgm_ops);
CREATE INDEX contacts_name_pinyin_trgm_idx ON contacts USING gin (name_pinyin gin_trgm_ops);

CREATE TABLE follow_ups (
  tenant_id           uuid NOT NULL,
  id                  uuid NOT NULL,
  customer_id         uuid NOT NULL,
  type                text NOT NULL CHECK (type IN ('visit', 'call', 'meeting', 'email', 'wechat', 'other')),
  at                  timestamptz NOT NULL,
  author_id           uuid,
  contact_ids         uuid[] NOT NULL DEFAULT '{}',
  summary             text NOT NULL,
  outcome             text,
  next_step           text,
  next_step_date      date,
  -- who owes the next step (the author at first; handed over with the customer)
  next_step_owner_id  uuid,
  next_step_done_at   timestamptz,
  version             integer NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX follow_ups_customer_at_idx ON follow_ups (tenant_id, customer_id, at DESC, id);
CREATE INDEX follow_ups_open_next_step_idx ON follow_ups (tenant_id, next_step_owner_id, next_step_date)
  WHERE next_step_date IS NOT NULL AND next_step_done_at IS NULL;
-- follow-up lists across customers: newest first, and by author
CREATE INDEX follow_ups_at_idx ON follow_ups (tenant_id, at DESC, id DESC);
CREATE INDEX follow_ups_author_idx ON follow_ups (tenant_id, author_id, at DESC, id DESC);

-- Orders: the transaction history tiering scores. status: confirmed counts +amount, returned is a
-- return document and counts −amount, cancelled counts nothing (decision 0010).
CREATE TABLE orders (
  tenant_id      uuid NOT NULL,
  id             uuid NOT NULL,
  order_no       text NOT NULL,
  customer_id    uuid NOT NULL,
  ordered_at     date NOT NULL,
  amount         numeric(18, 2) NOT NULL CHECK (amount >= 0),
  gross_margin   numeric(18, 2),
  product_line   text,
  status         text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled', 'returned')),
  notes          text,
  created_by     uuid,
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE UNIQUE INDEX orders_order_no_key ON orders (tenant_id, lower(order_no));
CREATE INDEX orders_customer_date_idx ON orders (tenant_id, customer_id, ordered_at DESC, id)
  INCLUDE (amount, status);
-- order lists across customers: by date and by amount
CREATE INDEX orders_date_idx ON orders (tenant_id, ordered_at DESC, id DESC);
CREATE INDEX orders_amount_idx ON orders (tenant_id, amount, id);

-- Payments (回款) as instalments of an order: due date and amount; paid_at set when received.
-- Overdue is derived: unpaid after the due date (in Asia/Shanghai).
CREATE TABLE payments (
  tenant_id    uuid NOT NULL,
  id           uuid NOT NULL,
  order_id     uuid NOT NULL,
  customer_id  uuid NOT NULL,
  amount       numeric(18, 2) NOT NULL CHECK (amount > 0),
  due_date     date,
  paid_at      date,
  notes        text,
  created_by   uuid,
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX payments_order_idx ON payments (tenant_id, order_id, due_date, id);
CREATE INDEX payments_customer_idx ON payments (tenant_id, customer_id, coalesce(paid_at, due_date) DESC, id);

CREATE TABLE service_records (
  tenant_id     uuid NOT NULL,
  id            uuid NOT NULL,
  customer_id   uuid NOT NULL,
  type          text NOT NULL CHECK (type IN ('question', 'incident', 'complaint', 'request')),
  severity      text NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  title         text NOT NULL,
  description   text,
  opened_at     timestamptz NOT NULL,
  closed_at     timestamptz,
  satisfaction  smallint CHECK (satisfaction BETWEEN 1 AND 5),
  handler_id    uuid,
  created_by    uuid,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  CHECK (satisfaction IS NULL OR closed_at IS NOT NULL),
  CHECK (closed_at IS NULL OR closed_at >= opened_at)
);
CREATE INDEX service_records_customer_idx ON service_records (tenant_id, customer_id, opened_at DESC, id);
CREATE INDEX service_records_opened_idx ON service_records (tenant_id, opened_at DESC, id DESC);
CREATE INDEX service_records_open_complaints_idx ON service_records (tenant_id, customer_id)
  WHERE type = 'complaint' AND closed_at IS NULL;

-- Saved customer-list views, per user.
CREATE TABLE saved_views (
  tenant_id   uuid NOT NULL,
  id          uuid NOT NULL,
  user_id     uuid NOT NULL,
  name        text NOT NULL,
  filters     jsonb NOT NULL,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX saved_views_name_key ON saved_views (tenant_id, user_id, lower(name));

-- Aggregates on customers kept current by statement-level triggers: last follow-up time, and the
-- rolling 12-month revenue / order count / last order date (refreshed nightly as the window moves).
-- Signed amount: confirmed +amount, returned −amount, cancelled 0.
CREATE FUNCTION kam_refresh_customer_orders(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  UPDATE customers c SET
    revenue_12m = coalesce(a.revenue, 0),
    orders_12m = coalesce(a.n, 0),
    last_order_at = a.last_at
  FROM (
    SELECT x.id,
           sum(CASE o.status WHEN 'confirmed' THEN o.amount WHEN 'returned' THEN -o.amount ELSE 0 END)
             FILTER (WHERE o.ordered_at > (now() AT TIME ZONE 'Asia/Shanghai')::date - interval '12 months') AS revenue,
           count(*) FILTER (WHERE o.status = 'confirmed'
             AND o.ordered_at > (now() AT TIME ZONE 'Asia/Shanghai')::date - interval '12 months') AS n,
           max(o.ordered_at) FILTER (WHERE o.status = 'confirmed') AS last_at
    FROM unnest(ids) AS x(id)
    LEFT JOIN orders o ON o.tenant_id = kam_tenant() AND o.customer_id = x.id
    GROUP BY x.id
  ) a
  WHERE c.tenant_id = kam_tenant() AND c.id = a.id
    AND (c.revenue_12m, c.orders_12m, c.last_order_at)
        IS DISTINCT FROM (coalesce(a.revenue, 0), coalesce(a.n, 0)::integer, a.last_at)
$$;

CREATE FUNCTION kam_orders_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM kam_refresh_customer_orders(ARRAY(SELECT DISTINCT customer_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM kam_refresh_customer_orders(ARRAY(SELECT DISTINCT customer_id FROM old_rows));
  ELSE
    PERFORM kam_refresh_customer_orders(ARRAY(
      SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER orders_changed_ins AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION kam_orders_changed();
CREATE TRIGGER orders_changed_upd AFTER UPDATE ON orders REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION kam_orders_changed();
CREATE TRIGGER orders_changed_del AFTER DELETE ON orders REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION kam_orders_changed();

CREATE FUNCTION kam_refresh_customer_follow_ups(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  UPDATE customers c SET last_follow_up_at = a.last_at
  FROM (
    SELECT x.id, (SELECT max(f.at) FROM follow_ups f WHERE f.tenant_id = kam_tenant() AND f.customer_id = x.id) AS last_at
    FROM unnest(ids) AS x(id)
  ) a
  WHERE c.tenant_id = kam_tenant() AND c.id = a.id AND c.last_follow_up_at IS DISTINCT FROM a.last_at
$$;

CREATE FUNCTION kam_follow_ups_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM kam_refresh_customer_follow_ups(ARRAY(SELECT DISTINCT customer_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM kam_refresh_customer_follow_ups(ARRAY(SELECT DISTINCT customer_id FROM old_rows));
  ELSE
    PERFORM kam_refresh_customer_follow_ups(ARRAY(
      SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER follow_ups_changed_ins AFTER INSERT ON follow_ups REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION kam_follow_ups_changed();
CREATE TRIGGER follow_ups_changed_upd AFTER UPDATE ON follow_ups
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION kam_follow_ups_changed();
CREATE TRIGGER follow_ups_changed_del AFTER DELETE ON follow_ups REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION kam_follow_ups_changed();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'customer_team', 'customer_ownership_history', 'contacts',
                           'follow_ups', 'orders', 'payments', 'service_records', 'saved_views']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kam_tenant()) WITH CHECK (tenant_id = kam_tenant())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON customers, customer_team, customer_ownership_history, contacts,
  follow_ups, orders, payments, service_records, saved_views TO kam_app;
