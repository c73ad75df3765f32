-- customers_owner_idx (tenant_id, owner_id) WHERE deleted_at IS NULL is a prefix of
-- customers_owner_name_idx (tenant_id, owner_id, name_pinyin, id) with the same predicate (migration
-- 0007): every statement that could read the first reads the second as well (an owner's customers,
-- a handover's "all customers of user X", counts per owner). It cost one more index entry for every
-- customer created, imported or reassigned.
DROP INDEX IF EXISTS customers_owner_idx;
