-- Approval flows (审批流): flow definitions with immutable versions, requests with their state,
-- the inbox, delegations, the once-only record of applied effects, and in-app notifications.
-- Every key starts with tenant_id; forced RLS on every table (decision 0014).

-- One flow per request type and tenant; `current_version` is the version new requests pin.
CREATE TABLE approval_flows (
  tenant_id        uuid NOT NULL REFERENCES tenants (tenant_id),
  id               uuid NOT NULL,
  request_type     text NOT NULL CHECK (request_type ~ '^[a-z][a-z0-9_]{0,31}(\.[a-z][a-z0-9_]{0,31})?$'),
  current_version  integer NOT NULL CHECK (current_version >= 1),
  updated_by       uuid,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, updated_by) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX approval_flows_type_key ON approval_flows (tenant_id, request_type);

-- Saved versions. The application role may insert and read them, never change or delete them.
CREATE TABLE approval_flow_versions (
  tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id),
  flow_id      uuid NOT NULL,
  version      integer NOT NULL CHECK (version >= 1),
  definition   jsonb NOT NULL,
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, flow_id, version),
  FOREIGN KEY (tenant_id, flow_id) REFERENCES approval_flows (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);

-- A request and its whole state (`ApprovalRequestState` of @kam/domain, changed only by the
-- reducer). The other columns are projections of the state for lists, filters and the timer sweep.
CREATE TABLE approval_requests (
  tenant_id          uuid NOT NULL REFERENCES tenants (tenant_id),
  id                 uuid NOT NULL,
  request_type       text NOT NULL,
  flow_id            uuid NOT NULL,
  flow_version       integer NOT NULL,
  requester_id       uuid NOT NULL,
  customer_id        uuid,
  status             text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'returned', 'withdrawn')),
  round              integer NOT NULL CHECK (round >= 1),
  payload            jsonb NOT NULL,
  state              jsonb NOT NULL,
  current_step_id    text,
  current_step_name  text,
  -- when the current step's time limit runs out next (pending requests with a timed step)
  next_due_at        timestamptz,
  effect_applied_at  timestamptz,
  version            integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  finished_at        timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, flow_id, flow_version) REFERENCES approval_flow_versions (tenant_id, flow_id, version),
  FOREIGN KEY (tenant_id, requester_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  -- an effect is only ever applied to an approved request
  CHECK (effect_applied_at IS NULL OR status = 'approved'),
  CHECK ((status IN ('approved', 'rejected', 'withdrawn')) = (finished_at IS NOT NULL))
);
CREATE INDEX approval_requests_requester_idx ON approval_requests (tenant_id, requester_id, created_at DESC, id DESC);
CREATE INDEX approval_requests_requester_status_idx ON approval_requests (tenant_id, requester_id, status);
CREATE INDEX approval_requests_due_idx ON approval_requests (tenant_id, next_due_at)
  WHERE status = 'pending' AND next_due_at IS NOT NULL;
CREATE INDEX approval_requests_flow_open_idx ON approval_requests (tenant_id, flow_id, flow_version)
  WHERE status IN ('pending', 'returned');
CREATE INDEX approval_requests_customer_idx ON approval_requests (tenant_id, customer_id) WHERE customer_id IS NOT NULL;

-- A final request never changes status again, and an applied effect is never un-applied.
CREATE FUNCTION kam_approval_requests_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status IN ('approved', 'rejected', 'withdrawn') AND NEW.status IS DISTINCT FROM OLD.status THEN
    RAISE EXCEPTION 'approval request % is final (%)', OLD.id, OLD.status USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.effect_applied_at IS NOT NULL AND NEW.effect_applied_at IS DISTINCT FROM OLD.effect_applied_at THEN
    RAISE EXCEPTION 'approval request % effect already applied', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER approval_requests_guard BEFORE UPDATE ON approval_requests
  FOR EACH ROW EXECUTE FUNCTION kam_approval_requests_guard();

-- The effect of a request, applied exactly once: the primary key refuses a second application.
CREATE TABLE approval_effects (
  tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id),
  request_id   uuid NOT NULL,
  request_type text NOT NULL,
  applied_by   uuid,
  applied_at   timestamptz NOT NULL DEFAULT now(),
  -- what the effect reports (e.g. the created customer's id)
  outcome      jsonb,
  PRIMARY KEY (tenant_id, request_id),
  FOREIGN KEY (tenant_id, request_id) REFERENCES approval_requests (tenant_id, id)
);

-- The inbox: `todo` rows are the users who may decide the current step now (kept in step with the
-- state after every transition); `processed` rows the users who decided, at their last decision.
CREATE TABLE approval_inbox (
  tenant_id   uuid NOT NULL REFERENCES tenants (tenant_id),
  user_id     uuid NOT NULL,
  box         text NOT NULL CHECK (box IN ('todo', 'processed')),
  request_id  uuid NOT NULL,
  at          timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id, box, request_id),
  FOREIGN KEY (tenant_id, request_id) REFERENCES approval_requests (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX approval_inbox_page_idx ON approval_inbox (tenant_id, user_id, box, at DESC, request_id DESC);
CREATE INDEX approval_inbox_request_idx ON approval_inbox (tenant_id, request_id);

-- While `from_user_id` is away (first to last day inclusive, Asia/Shanghai), `to_user_id` decides for them.
CREATE TABLE approval_delegations (
  tenant_id     uuid NOT NULL REFERENCES tenants (tenant_id),
  id            uuid NOT NULL,
  from_user_id  uuid NOT NULL,
  to_user_id    uuid NOT NULL,
  start_date    date NOT NULL,
  end_date      date NOT NULL,
  note          text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, from_user_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, to_user_id) REFERENCES users (tenant_id, id),
  CHECK (start_date <= end_date),
  CHECK (from_user_id <> to_user_id)
);
CREATE INDEX approval_delegations_from_idx ON approval_delegations (tenant_id, from_user_id, end_date);
CREATE INDEX approval_delegations_active_idx ON approval_delegations (tenant_id, end_date, start_date);

-- In-app notifications (the first channel; others read `dispatched_at`, see notifications/channels.ts).
CREATE TABLE notifications (
  tenant_id      uuid NOT NULL REFERENCES tenants (tenant_id),
  id             uuid NOT NULL,
  user_id        uuid NOT NULL,
  kind           text NOT NULL,
  entity_type    text,
  entity_id      uuid,
  actor_id       uuid,
  actor_name     text,
  data           jsonb NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  read_at        timestamptz,
  dispatched_at  timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX notifications_user_idx ON notifications (tenant_id, user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (tenant_id, user_id, created_at DESC, id DESC)
  WHERE read_at IS NULL;
CREATE INDEX notifications_undispatched_idx ON notifications (tenant_id, created_at, id)
  WHERE dispatched_at IS NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['approval_flows', 'approval_flow_versions', 'approval_requests', 'approval_effects',
                           'approval_inbox', 'approval_delegations', 'notifications']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kam_tenant()) WITH CHECK (tenant_id = kam_tenant())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON approval_flows TO kam_app;
-- versions and applied effects are append-only for the application
GRANT SELECT, INSERT ON approval_flow_versions, approval_effects TO kam_app;
GRANT SELECT, INSERT, UPDATE ON approval_requests TO kam_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON approval_inbox, approval_delegations, notifications TO kam_app;
