import type { Database, Tx } from '../../db/database.js';
import { enterTenantBySlug } from '../auth/repo.js';

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBroken: null | {
    seq: string;
    id: string | null;
    at: string | null;
    /** entry_altered: its content no longer matches its hash; chain_broken: it does not follow the
     *  previous entry's hash; entries_missing: a gap in the sequence; tail_missing: the newest
     *  entries were removed. */
    reason: 'entry_altered' | 'chain_broken' | 'entries_missing' | 'tail_missing';
  };
}

/**
 * Recomputes the tenant's audit hash chain in one set-based statement and names the first entry
 * that does not hold. Runs in the caller's tenant transaction.
 */
export async function verifyTenantChain(tx: Tx): Promise<ChainVerification> {
  const { rows } = await tx.query<{
    seq: string;
    id: string;
    at: Date;
    reason: NonNullable<ChainVerification['firstBroken']>['reason'];
    checked: string;
  }>(
    `WITH chain AS (
       SELECT a.seq, a.id, a.at, a.hash, a.prev_hash,
              kam_audit_hash(a) AS recomputed,
              lag(a.hash) OVER (ORDER BY a.seq) AS prior_hash,
              lag(a.seq) OVER (ORDER BY a.seq) AS prior_seq
       FROM audit_log a WHERE a.tenant_id = kam_tenant()
     ), judged AS (
       SELECT seq, id, at,
         CASE
           WHEN seq <> coalesce(prior_seq, 0) + 1 THEN 'entries_missing'
           WHEN prev_hash <> coalesce(prior_hash, repeat('0', 64)) THEN 'chain_broken'
           WHEN hash <> recomputed THEN 'entry_altered'
         END AS reason
       FROM chain
     )
     SELECT j.seq, j.id, j.at, j.reason, (SELECT count(*) FROM chain) AS checked
     FROM judged j WHERE j.reason IS NOT NULL ORDER BY j.seq LIMIT 1`,
  );
  const broken = rows[0];
  if (broken) {
    return {
      ok: false,
      checked: Number(broken.checked),
      firstBroken: { seq: broken.seq, id: broken.id, at: broken.at.toISOString(), reason: broken.reason },
    };
  }
  // No break inside the chain: the head must still point at the last entry.
  const tail = await tx.query<{
    checked: string;
    max_seq: string | null;
    last_hash: string | null;
    head_seq: string | null;
    head_hash: string | null;
  }>(
    `SELECT (SELECT count(*) FROM audit_log WHERE tenant_id = kam_tenant()) AS checked,
            (SELECT max(seq) FROM audit_log WHERE tenant_id = kam_tenant()) AS max_seq,
            (SELECT hash FROM audit_log WHERE tenant_id = kam_tenant() ORDER BY seq DESC LIMIT 1) AS last_hash,
            h.last_seq AS head_seq, h.last_hash AS head_hash
     FROM (SELECT 1) one LEFT JOIN kam_audit_head() h ON true`,
  );
  const t = tail.rows[0]!;
  const checked = Number(t.checked);
  if (
    t.head_seq !== null &&
    (t.head_seq !== (t.max_seq ?? '0') || (t.last_hash !== null && t.head_hash !== t.last_hash))
  ) {
    return {
      ok: false,
      checked,
      firstBroken: { seq: String(BigInt(t.max_seq ?? '0') + 1n), id: null, at: null, reason: 'tail_missing' },
    };
  }
  return { ok: true, checked, firstBroken: null };
}

/** Verifies one organisation's chain by its slug (for the `kam verify-audit` command). */
export async function verifyOrganizationChain(db: Database, slug: string): Promise<ChainVerification | null> {
  return db.withLookup({ organization: slug }, async (tx) =>
    (await enterTenantBySlug(tx, slug)) ? verifyTenantChain(tx) : null,
  );
}
