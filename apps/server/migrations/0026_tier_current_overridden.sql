-- Whether an approved manual tier decided a customer's current tier, kept on its tier_current row
-- (decision 0029). Every customer list, export and customer page shows the tier of record with this
-- flag; it was read from the customer's latest tier_results row — one more primary-key probe into the
-- largest tiering table per listed customer (~0.16 ms of a 1.2 ms list page at 1M customers). The
-- statement that scores a customer (runner.ts `scoreAndWrite`) writes the flag with the tier, and
-- rewrites the row when the flag alone changes (an override to the tier the model gives).
ALTER TABLE tier_current ADD COLUMN overridden boolean NOT NULL DEFAULT false;

-- The rows written before: the flag from each customer's latest result, in every tenant. Row-level
-- security is forced on both tables, also for the owner that runs migrations, and no tenant is set
-- here: lifted for this one statement, inside the migration's transaction.
ALTER TABLE tier_current NO FORCE ROW LEVEL SECURITY;
ALTER TABLE tier_results NO FORCE ROW LEVEL SECURITY;
UPDATE tier_current c SET overridden = true
FROM tier_results r
WHERE r.tenant_id = c.tenant_id AND r.model_id = c.model_id AND r.customer_id = c.customer_id
  AND r.decided_by = 'override';
ALTER TABLE tier_current FORCE ROW LEVEL SECURITY;
ALTER TABLE tier_results FORCE ROW LEVEL SECURITY;
