-- KAM foundation: organisations, departments, users, roles, sessions, API tokens, audit trail.
-- Every tenant table carries tenant_id, every primary/unique key starts with it, and forced
-- row-level security limits the application role (kam_app) to the tenant of the transaction.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kam_app') THEN
    CREATE ROLE kam_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
  END IF;
END $$;
-- The connecting role switches to kam_app per transaction (SET LOCAL ROLE).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'kam_app', 'MEMBER') THEN
    EXECUTE format('GRANT kam_app TO %I', current_user);
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO kam_app;

CREATE FUNCTION kam_tenant() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('kam.tenant_id', true), '')::uuid $$;

-- Organisations. The tenant directory: under a sharded deployment a reference table, which is why
-- it alone has a global unique key (slug) — see docs/decisions/0004-tenancy-and-rls.md.
CREATE TABLE tenants (
  tenant_id        uuid PRIMARY KEY,
  slug             text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name             text NOT NULL,
  security_policy  jsonb NOT NULL,
  security_preset  text NOT NULL DEFAULT 'default',
  version          integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug);

CREATE TABLE departments (
  tenant_id     uuid NOT NULL REFERENCES tenants (tenant_id),
  id            uuid NOT NULL,
  parent_id     uuid,
  name          text NOT NULL,
  name_pinyin   text NOT NULL DEFAULT '',  -- sort/search key (pinyinKey in @kam/domain)
  code          text,
  head_user_id  uuid,
  -- ancestor ids from the root down to this department, inclusive
  path          uuid[] NOT NULL,
  sort_order    integer NOT NULL DEFAULT 0,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES departments (tenant_id, id)
);
CREATE UNIQUE INDEX departments_sibling_name_key
  ON departments (tenant_id, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));
CREATE UNIQUE INDEX departments_code_key ON departments (tenant_id, lower(code)) WHERE code IS NOT NULL;
CREATE INDEX departments_path_idx ON departments USING gin (path);
CREATE INDEX departments_parent_idx ON departments (tenant_id, parent_id);

CREATE TABLE users (
  tenant_id            uuid NOT NULL REFERENCES tenants (tenant_id),
  id                   uuid NOT NULL,
  login                text NOT NULL,
  display_name         text NOT NULL,
  name_pinyin          text NOT NULL DEFAULT '',  -- sort/search key (pinyinKey in @kam/domain)
  email                text,
  mobile               text,
  department_id        uuid,
  status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'locked')),
  locale               text NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en')),
  password_hash        text,
  password_changed_at  timestamptz,
  must_change_password boolean NOT NULL DEFAULT false,
  failed_login_count   integer NOT NULL DEFAULT 0,
  failed_window_start  timestamptz,
  locked_at            timestamptz,
  last_login_at        timestamptz,
  created_by           uuid,
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id)
);
CREATE UNIQUE INDEX users_login_key ON users (tenant_id, lower(login));
CREATE INDEX users_department_idx ON users (tenant_id, department_id);
CREATE INDEX users_status_idx ON users (tenant_id, status);
CREATE INDEX users_name_pinyin_idx ON users (tenant_id, name_pinyin, id);
CREATE INDEX users_created_idx ON users (tenant_id, created_at, id);

ALTER TABLE departments
  ADD FOREIGN KEY (tenant_id, head_user_id) REFERENCES users (tenant_id, id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE roles (
  tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id),
  id           uuid NOT NULL,
  key          text,           -- built-in role key, NULL for custom roles
  builtin      boolean NOT NULL DEFAULT false,
  name         text NOT NULL,
  description  text NOT NULL DEFAULT '',
  grants       jsonb NOT NULL DEFAULT '[]',
  field_rules  jsonb NOT NULL DEFAULT '[]',
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX roles_key_key ON roles (tenant_id, key) WHERE key IS NOT NULL;
CREATE UNIQUE INDEX roles_name_key ON roles (tenant_id, lower(name));

CREATE TABLE user_roles (
  tenant_id  uuid NOT NULL,
  user_id    uuid NOT NULL,
  role_id    uuid NOT NULL,
  PRIMARY KEY (tenant_id, user_id, role_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_roles_role_idx ON user_roles (tenant_id, role_id);

CREATE TABLE password_history (
  tenant_id   uuid NOT NULL,
  user_id     uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  hash        text NOT NULL,
  PRIMARY KEY (tenant_id, user_id, created_at),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE sessions (
  tenant_id     uuid NOT NULL,
  id            uuid NOT NULL,
  user_id       uuid NOT NULL,
  token_hash    text NOT NULL,
  csrf_token    text NOT NULL,
  ip            text,
  user_agent    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX sessions_token_key ON sessions (tenant_id, token_hash);
-- lookup by token before the tenant is known (RLS policy session_lookup)
CREATE INDEX sessions_token_lookup_idx ON sessions (token_hash);
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id) WHERE revoked_at IS NULL;

CREATE TABLE api_tokens (
  tenant_id     uuid NOT NULL,
  id            uuid NOT NULL,
  user_id       uuid NOT NULL,
  name          text NOT NULL,
  prefix        text NOT NULL,
  token_hash    text NOT NULL,
  permissions   text[] NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (tenant_id, token_hash);
CREATE INDEX api_tokens_hash_lookup_idx ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens (tenant_id, user_id);

-- Audit trail: append-only, hash-chained per tenant.
CREATE TABLE audit_log (
  tenant_id    uuid NOT NULL,
  seq          bigint NOT NULL,
  id           uuid NOT NULL,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id     uuid,
  actor_name   text,
  action       text NOT NULL,
  entity_type  text,
  entity_id    text,
  changes      jsonb,
  details      jsonb,
  result       text NOT NULL DEFAULT 'success' CHECK (result IN ('success', 'failure')),
  ip           text,
  user_agent   text,
  request_id   text,
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE UNIQUE INDEX audit_log_id_key ON audit_log (tenant_id, id);
CREATE INDEX audit_log_at_idx ON audit_log (tenant_id, at DESC, seq DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (tenant_id, actor_id, seq DESC);
CREATE INDEX audit_log_action_idx ON audit_log (tenant_id, action, seq DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (tenant_id, entity_type, entity_id, seq DESC);

CREATE TABLE audit_chain_heads (
  tenant_id  uuid PRIMARY KEY,
  last_seq   bigint NOT NULL,
  last_hash  text NOT NULL
);

-- The text an entry's hash covers. Stable across PostgreSQL versions: times as epoch microseconds,
-- JSON through jsonb's canonical text form.
CREATE FUNCTION kam_audit_canonical(e audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws(E'\x1f',
    e.tenant_id::text, e.seq::text, e.id::text,
    (extract(epoch FROM e.at) * 1000000)::bigint::text,
    coalesce(e.actor_id::text, ''), coalesce(e.actor_name, ''), e.action,
    coalesce(e.entity_type, ''), coalesce(e.entity_id, ''),
    coalesce(e.changes::text, ''), coalesce(e.details::text, ''), e.result,
    coalesce(e.ip, ''), coalesce(e.user_agent, ''), coalesce(e.request_id, ''), e.prev_hash)
$$;

CREATE FUNCTION kam_audit_hash(e audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(kam_audit_canonical(e), 'UTF8')), 'hex')
$$;

-- Assigns seq, prev_hash and hash. SECURITY DEFINER so kam_app needs no rights on the heads table;
-- the row lock on the tenant's head serialises concurrent appends.
CREATE FUNCTION kam_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  head audit_chain_heads;
BEGIN
  INSERT INTO audit_chain_heads (tenant_id, last_seq, last_hash)
    VALUES (NEW.tenant_id, 0, repeat('0', 64)) ON CONFLICT (tenant_id) DO NOTHING;
  SELECT * INTO head FROM audit_chain_heads WHERE tenant_id = NEW.tenant_id FOR UPDATE;
  NEW.seq := head.last_seq + 1;
  NEW.prev_hash := head.last_hash;
  NEW.at := clock_timestamp();
  NEW.hash := '';
  NEW.hash := kam_audit_hash(NEW);
  UPDATE audit_chain_heads SET last_seq = NEW.seq, last_hash = NEW.hash WHERE tenant_id = NEW.tenant_id;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION kam_audit_chain();

CREATE FUNCTION kam_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION kam_audit_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION kam_audit_immutable();

-- Row-level security, forced, on every tenant table.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tenants', 'departments', 'users', 'roles', 'user_roles', 'password_history',
                           'sessions', 'api_tokens', 'audit_log', 'audit_chain_heads']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kam_tenant()) WITH CHECK (tenant_id = kam_tenant())', t);
  END LOOP;
END $$;

-- Lookups before the tenant is known: only the row whose secret hash / slug the caller already has.
CREATE POLICY session_lookup ON sessions FOR SELECT
  USING (token_hash = nullif(current_setting('kam.lookup_hash', true), ''));
CREATE POLICY token_lookup ON api_tokens FOR SELECT
  USING (token_hash = nullif(current_setting('kam.lookup_hash', true), ''));
CREATE POLICY slug_lookup ON tenants FOR SELECT
  USING (slug = nullif(current_setting('kam.tenant_lookup', true), ''));

GRANT SELECT, INSERT, UPDATE ON tenants TO kam_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON departments, users, roles, user_roles, password_history,
  sessions, api_tokens TO kam_app;
GRANT SELECT, INSERT ON audit_log TO kam_app;

-- Which organisation the first start created (infrastructure, not tenant data).
CREATE TABLE kam_sys.installation (
  id          integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  tenant_id   uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The chain head of the current tenant, readable (not writable) by the application role, so that
-- verification can tell when the newest entries were removed.
CREATE FUNCTION kam_audit_head() RETURNS SETOF audit_chain_heads LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp AS
$$ SELECT * FROM audit_chain_heads WHERE tenant_id = kam_tenant() $$;
GRANT EXECUTE ON FUNCTION kam_audit_head() TO kam_app;

-- Cross-tenant directory for the scheduler and operator commands (infrastructure): kept in step with
-- tenants by a trigger, so per-organisation jobs can be enumerated without lifting RLS.
CREATE TABLE kam_sys.tenant_directory (
  tenant_id   uuid PRIMARY KEY,
  slug        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION kam_register_tenant() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO kam_sys.tenant_directory (tenant_id, slug) VALUES (NEW.tenant_id, NEW.slug)
    ON CONFLICT (tenant_id) DO UPDATE SET slug = EXCLUDED.slug;
  RETURN NEW;
END $$;
CREATE TRIGGER tenants_directory AFTER INSERT OR UPDATE OF slug ON tenants
  FOR EACH ROW EXECUTE FUNCTION kam_register_tenant();
