-- Excel / CSV import (decision 0011): the import job, its uploaded file (in chunks, so any instance
-- or worker streams it), per-row errors of the dry run and of the import, the per-batch checkpoint
-- that makes a commit resumable, and saved column mappings. Every key starts with tenant_id; forced
-- RLS on every table.

CREATE TABLE imports (
  tenant_id         uuid NOT NULL REFERENCES tenants (tenant_id),
  id                uuid NOT NULL,
  type              text NOT NULL CHECK (type IN ('customers', 'contacts', 'orders', 'follow_ups', 'service_records')),
  file_name         text NOT NULL,
  file_format       text NOT NULL CHECK (file_format IN ('xlsx', 'csv')),
  -- CSV: 'utf8' or 'gbk'; xlsx: null
  encoding          text,
  size              bigint NOT NULL,
  -- the worksheet read (xlsx), its merged ranges (applied on read) and the detected header
  sheet_no          integer,
  merges            jsonb NOT NULL DEFAULT '[]',
  header_row        integer NOT NULL DEFAULT 1,
  headers           jsonb NOT NULL DEFAULT '[]',
  -- the first data rows below the header, as shown in the mapping step
  preview           jsonb NOT NULL DEFAULT '[]',
  -- 'uploading' while the file streams in (a crash there leaves it unusable, never half-read)
  status            text NOT NULL DEFAULT 'uploading' CHECK (status IN ('uploading', 'uploaded', 'mapped', 'validating',
                      'validated', 'importing', 'completed', 'failed', 'cancelled')),
  -- { "<column index>": "<field key>" }
  mapping           jsonb,
  duplicate_policy  text CHECK (duplicate_policy IN ('skip', 'update', 'create')),
  total_rows        integer,
  processed_rows    integer NOT NULL DEFAULT 0,
  -- dry run
  valid_rows        integer NOT NULL DEFAULT 0,
  invalid_rows      integer NOT NULL DEFAULT 0,
  duplicate_rows    integer NOT NULL DEFAULT 0,
  -- import
  created_count     integer NOT NULL DEFAULT 0,
  updated_count     integer NOT NULL DEFAULT 0,
  skipped_count     integer NOT NULL DEFAULT 0,
  failed_count      integer NOT NULL DEFAULT 0,
  error             text,
  created_by        uuid NOT NULL,
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  started_at        timestamptz,
  finished_at       timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
-- "my imports", newest first (keyset)
CREATE INDEX imports_creator_idx ON imports (tenant_id, created_by, created_at DESC, id DESC);
-- the worker's start-up sweep for imports left in 'importing' / 'validating'
CREATE INDEX imports_running_idx ON imports (tenant_id, status) WHERE status IN ('validating', 'importing');

CREATE TABLE import_file_chunks (
  tenant_id  uuid NOT NULL,
  import_id  uuid NOT NULL,
  seq        integer NOT NULL,
  data       bytea NOT NULL CHECK (octet_length(data) <= 1048576),
  PRIMARY KEY (tenant_id, import_id, seq),
  FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
);

-- Row outcomes worth reporting: phase 'validate' (dry run) or 'commit' (the import); kind 'error'
-- (the row is rejected) or 'duplicate' (the row matches an existing record `match_id`: the duplicate
-- policy decides). row_no is the row as the user sees it in Excel (1-based, header included); field
-- is the mapped field key (null: the whole row).
CREATE TABLE import_row_errors (
  tenant_id   uuid NOT NULL,
  import_id   uuid NOT NULL,
  phase       text NOT NULL CHECK (phase IN ('validate', 'commit')),
  row_no      integer NOT NULL,
  seq         integer NOT NULL,
  kind        text NOT NULL DEFAULT 'error' CHECK (kind IN ('error', 'duplicate')),
  match_id    uuid,
  field       text,
  code        text NOT NULL,
  params      jsonb NOT NULL DEFAULT '{}',
  -- the row's original cells, by column index (kept once per row: on its first error)
  raw         jsonb,
  PRIMARY KEY (tenant_id, import_id, phase, row_no, seq),
  FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
);

-- The commit checkpoint: one row per committed batch, written in the same transaction as the
-- batch's records. A resumed commit skips the batches listed here.
CREATE TABLE import_batches (
  tenant_id     uuid NOT NULL,
  import_id     uuid NOT NULL,
  batch_no      integer NOT NULL,
  first_row     integer NOT NULL,
  last_row      integer NOT NULL,
  status        text NOT NULL DEFAULT 'committed' CHECK (status IN ('committed', 'failed')),
  created_count integer NOT NULL DEFAULT 0,
  updated_count integer NOT NULL DEFAULT 0,
  skipped_count integer NOT NULL DEFAULT 0,
  failed_count  integer NOT NULL DEFAULT 0,
  committed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, import_id, batch_no),
  FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
);

-- Saved column mappings per user, record type and header signature (sha-256 of the normalised headers).
CREATE TABLE import_templates (
  tenant_id         uuid NOT NULL,
  user_id           uuid NOT NULL,
  type              text NOT NULL,
  header_signature  text NOT NULL,
  headers           jsonb NOT NULL,
  mapping           jsonb NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id, type, header_signature),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['imports', 'import_file_chunks', 'import_row_errors', 'import_batches', 'import_templates']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kam_tenant()) WITH CHECK (tenant_id = kam_tenant())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON imports, import_file_chunks, import_row_errors, import_batches,
  import_templates TO kam_app;

-- owners / authors named in import files are looked up by display name (logins have their own key)
CREATE INDEX users_display_name_idx ON users (tenant_id, display_name) WHERE status = 'active';
