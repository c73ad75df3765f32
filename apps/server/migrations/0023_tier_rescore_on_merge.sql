-- A merge moves the merged customer's orders, follow-ups, service records and payments to the kept
-- customer: its metrics change, so it is queued for a triggered re-score (reason 'merge'), like a
-- large order or a new complaint — by a trigger, whatever merges. The merged customer itself is deleted:
-- the next full run removes its result and current tier (its tier history stays with it).
CREATE FUNCTION kam_tier_merged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tier_rescore_queue (tenant_id, customer_id, reason)
  VALUES (NEW.tenant_id, NEW.merged_into_id, 'merge')
  ON CONFLICT (tenant_id, customer_id) DO UPDATE SET reason = excluded.reason, requested_at = now();
  RETURN NULL;
END $$;
CREATE TRIGGER customers_tier_rescore_merged AFTER UPDATE OF merged_into_id ON customers
  FOR EACH ROW WHEN (NEW.merged_into_id IS NOT NULL AND OLD.merged_into_id IS DISTINCT FROM NEW.merged_into_id)
  EXECUTE FUNCTION kam_tier_merged();
