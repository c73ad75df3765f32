-- Import staging (decision 0011): the dry run writes every parsed, validated and normalised row here
-- (one set-based INSERT per 1,000-row chunk, in the chunk's transaction), so the import reads its
-- batches from this table instead of parsing and validating the file a second time. A row's batch is
-- the dry run's chunk (1,000 non-blank rows in file order), which is also the import's checkpoint
-- unit (import_batches.batch_no). Rows are deleted when the import completes, fails or is cancelled,
-- when the mapping changes or the dry run is repeated; the resume schedule prunes leftovers.
CREATE TABLE import_rows (
  tenant_id  uuid NOT NULL,
  import_id  uuid NOT NULL,
  batch_no   integer NOT NULL,
  row_no     integer NOT NULL,
  -- the dry run's outcome: 'valid', 'duplicate' (match_id: the matching record, when visible) or 'error'
  outcome    text NOT NULL CHECK (outcome IN ('valid', 'duplicate', 'error')),
  match_id   uuid,
  -- the typed row: { raw, values, present, problems, duplicate, ownerId, customerId }
  data       jsonb NOT NULL,
  PRIMARY KEY (tenant_id, import_id, batch_no, row_no),
  FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE import_rows ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_rows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_rows USING (tenant_id = kam_tenant()) WITH CHECK (tenant_id = kam_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON import_rows TO kam_app;
