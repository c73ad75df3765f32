import type { SecurityPolicy } from '@kam/domain';
import type { Tx } from '../../db/database.js';

export interface PolicyRow {
  security_policy: SecurityPolicy;
  security_preset: string;
  version: number;
}

export async function getPolicy(tx: Tx, lock = false): Promise<PolicyRow | null> {
  const { rows } = await tx.query<PolicyRow>(
    `SELECT security_policy, security_preset, version FROM tenants WHERE tenant_id = kam_tenant()
     ${lock ? 'FOR UPDATE' : ''}`,
  );
  return rows[0] ?? null;
}

/** Stores a new policy at the expected version; false when the organisation's version moved on. */
export async function updatePolicy(
  tx: Tx,
  args: { policy: SecurityPolicy; preset: string; version: number; now: Date },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE tenants SET security_policy = $1, security_preset = $2, version = version + 1, updated_at = $3
     WHERE tenant_id = kam_tenant() AND version = $4`,
    [JSON.stringify(args.policy), args.preset, args.now, args.version],
  );
  return rowCount === 1;
}
