-- Indexes for the customer list at a million customers (decision 0012, bench/RESULTS.md).
--
-- An account manager's list ("my customers", scope self) in pinyin order: an ordered range scan
-- of their own customers, keyset pages included, instead of a bitmap of all of them followed by
-- a sort (the busiest manager of the bench tenant owns ~4,600 customers).
CREATE INDEX customers_owner_name_idx ON customers (tenant_id, owner_id, name_pinyin, id)
  WHERE deleted_at IS NULL;

-- The account-team part of a visibility check without the owner rows: every owner is on their
-- customers' teams as 'owner', so "customers whose team I am on" read from the full index returns
-- all of a manager's own customers again (thousands of ids probed by primary key on every page).
-- `c.owner_id = me OR c.id = ANY(ARRAY(… AND ct.team_role <> 'owner'))` means the same and reads
-- only the real team memberships through this index.
CREATE INDEX customer_team_member_idx ON customer_team (tenant_id, user_id, customer_id) INCLUDE (access)
  WHERE team_role <> 'owner';
