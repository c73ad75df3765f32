-- Background jobs. The queue itself is pg-boss: it creates and migrates its own schema (`pgboss`)
-- when it starts (as the connecting owner role, not granted to kam_app), so nothing of it is here.
--
-- Cron slots (infrastructure, kam_sys: no RLS, not granted to kam_app, used via withSystem only).
-- Every instance running the scheduler computes the same due slots; the one whose INSERT … ON
-- CONFLICT DO NOTHING wins sends the job in the same transaction, so each slot is sent once however
-- many instances run. tenant_id is the nil uuid for system-wide schedules, the organisation for
-- per-tenant ones. The scheduler prunes rows older than 7 days.
CREATE TABLE kam_sys.schedule_runs (
  tenant_id  uuid NOT NULL,
  schedule   text NOT NULL,
  slot       timestamptz NOT NULL,
  sent_at    timestamptz NOT NULL DEFAULT now(),
  job_id     text,
  PRIMARY KEY (tenant_id, schedule, slot)
);
CREATE INDEX schedule_runs_slot_idx ON kam_sys.schedule_runs (slot);
