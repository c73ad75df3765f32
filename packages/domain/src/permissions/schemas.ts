import { z } from 'zod';
import {
  ACTIONS,
  fieldSensitivity,
  isRecordResource,
  RESOURCES,
  type Resource,
  SCOPES,
  toPermissionKey,
} from './catalog.js';
import type { FieldRule, Grant } from './evaluate.js';

/** Maximum departments in one `custom` grant. */
export const MAX_CUSTOM_DEPARTMENTS = 500;

const zResource = z.enum(RESOURCES as [Resource, ...Resource[]], { error: 'PERMISSION_INVALID' });

/**
 * A grant as submitted by a role editor. Rejects (message `PERMISSION_INVALID`) pairs that are not in the
 * catalogue, record grants without a scope, scopes on non-record resources, `departmentIds` outside
 * `custom`, and `custom` without departments.
 */
export const zGrant = z
  .strictObject({
    resource: zResource,
    action: z.enum(ACTIONS, { error: 'PERMISSION_INVALID' }),
    scope: z.enum(SCOPES, { error: 'PERMISSION_INVALID' }).optional(),
    departmentIds: z
      .array(z.string().min(1), { error: 'PERMISSION_INVALID' })
      .max(MAX_CUSTOM_DEPARTMENTS, { error: 'PERMISSION_INVALID' })
      .optional(),
  })
  .superRefine((grant, ctx) => {
    const record = isRecordResource(grant.resource);
    const ok =
      toPermissionKey(grant.resource, grant.action) !== null &&
      (record ? grant.scope !== undefined : grant.scope === undefined) &&
      (grant.scope === 'custom' ? (grant.departmentIds?.length ?? 0) > 0 : grant.departmentIds === undefined);
    if (!ok) ctx.addIssue({ code: 'custom', message: 'PERMISSION_INVALID', input: grant });
  })
  .transform((grant): Grant => {
    if (grant.departmentIds) return { ...grant, departmentIds: [...new Set(grant.departmentIds)].sort() };
    return grant;
  });

/** A field rule: the field must be in the catalogue; `masked` only for maskable fields. */
export const zFieldRule = z
  .strictObject({
    resource: zResource,
    field: z.string(),
    rule: z.enum(['hidden', 'masked', 'readonly'], { error: 'PERMISSION_INVALID' }),
  })
  .superRefine((rule: FieldRule, ctx) => {
    const sensitivity = fieldSensitivity(rule.resource, rule.field);
    if (sensitivity === undefined || (rule.rule === 'masked' && sensitivity === 'none')) {
      ctx.addIssue({ code: 'custom', message: 'PERMISSION_INVALID', input: rule, path: ['field'] });
    }
  });
