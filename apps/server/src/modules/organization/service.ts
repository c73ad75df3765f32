import {
  DEFAULT_SECURITY_POLICY,
  SECURITY_POLICY_PRESETS,
  type SecurityPolicy,
  type SecurityPolicyPreset,
} from '@kam/domain';
import { inTenant, type ServiceContext } from '../../context.js';
import { AppError } from '../../http/errors.js';
import { diffChanges, writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import * as repo from './repo.js';

export type PolicyPreset = SecurityPolicyPreset | 'custom';

export interface SecurityPolicyView {
  policy: SecurityPolicy;
  preset: PolicyPreset;
  version: number;
}

const POLICY_FIELDS = Object.keys(DEFAULT_SECURITY_POLICY) as (keyof SecurityPolicy)[];

/** The preset a policy equals field by field, else `custom`. */
export function presetOf(policy: SecurityPolicy): PolicyPreset {
  for (const [name, preset] of Object.entries(SECURITY_POLICY_PRESETS) as [
    SecurityPolicyPreset,
    SecurityPolicy,
  ][]) {
    if (POLICY_FIELDS.every((f) => policy[f] === preset[f])) return name;
  }
  return 'custom';
}

/** A stored policy completed with the defaults for settings added after it was saved. */
function complete(stored: Partial<SecurityPolicy>): SecurityPolicy {
  return { ...DEFAULT_SECURITY_POLICY, ...stored };
}

function view(row: repo.PolicyRow): SecurityPolicyView {
  const policy = complete(row.security_policy);
  return { policy, preset: presetOf(policy), version: row.version };
}

export async function getSecurityPolicy(ctx: ServiceContext): Promise<SecurityPolicyView> {
  const row = await inTenant(ctx, (tx) => repo.getPolicy(tx));
  if (!row) throw new AppError('NOT_FOUND');
  return view(row);
}

export function securityPolicyPresets(): Record<SecurityPolicyPreset, SecurityPolicy> {
  return { default: { ...SECURITY_POLICY_PRESETS.default }, mlps2: { ...SECURITY_POLICY_PRESETS.mlps2 } };
}

/**
 * Replaces the organisation's security policy (validated by `zSecurityPolicy` at the edge). It applies
 * at once: session timeouts are read from the tenant row at every request, password rules at the next
 * password change, lockout at the next failed sign-in.
 */
export async function updateSecurityPolicy(
  ctx: ServiceContext,
  input: { version: number; policy: SecurityPolicy },
): Promise<SecurityPolicyView> {
  return inTenant(ctx, async (tx) => {
    const row = await repo.getPolicy(tx, true);
    if (!row) throw new AppError('NOT_FOUND');
    if (row.version !== input.version)
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: row.version });
    const before = view(row);
    const policy = complete(input.policy);
    const preset = presetOf(policy);
    if (!(await repo.updatePolicy(tx, { policy, preset, version: input.version, now: ctx.now }))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: row.version });
    }
    const changes = diffChanges(
      { ...before.policy, preset: before.preset } as Record<string, unknown>,
      { ...policy, preset } as Record<string, unknown>,
      [...POLICY_FIELDS, 'preset'],
    );
    await writeAudit(tx, auditWho(ctx), {
      action: 'organization.security_policy',
      entityType: 'organization',
      entityId: ctx.actor.tenantId,
      changes,
    });
    return { policy, preset, version: row.version + 1 };
  });
}
