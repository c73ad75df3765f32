import {
  CUSTOMER_SOURCES,
  SIZE_BANDS,
  TEAM_ACCESS_LEVELS,
  TEAM_ROLES,
  TIER_ID_PATTERN,
  zCityCode,
  zCompanyName,
  zCreditCode,
  zCustomerStatus,
  zIndustry,
  zMoney,
  zProvinceCode,
  zTags,
  zWebsite,
} from '@kam/domain';
import { z } from 'zod';
import { zId, zIsoDate, zPageQuery, zVersion } from '../../http/schemas.js';

/** A query-string list: `a,b` or repeated keys (`?x=a&x=b`); JSON arrays (saved views) as they are. */
function multi<T extends z.ZodType>(item: T, max = 30) {
  return z.preprocess((v) => {
    if (v === undefined) return undefined;
    const parts = (Array.isArray(v) ? v : [v]).flatMap((x) =>
      typeof x === 'string' ? x.split(',').map((s) => s.trim()) : [x],
    );
    return parts.filter((x) => x !== '');
  }, z.array(item).min(1).max(max).optional());
}

/** `true`/`false` in a query string, a boolean in JSON. */
const zFlag = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean().optional());

export const CUSTOMER_SORTS = ['name', 'createdAt', 'updatedAt', 'lastFollowUpAt', 'revenue12m'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

/** Filters of the customer list (also the JSON a saved view stores and the export uses). */
export const zCustomerFilter = z.strictObject({
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'name, name pinyin, credit code, or contact mobile/phone digits (when the viewer may see them)',
    ),
  ownerId: zId.optional(),
  departmentId: zId.optional(),
  includeSubtree: zFlag.describe('with departmentId: the department and everything below it'),
  industry: multi(zIndustry),
  provinceCode: zProvinceCode.optional(),
  cityCode: zCityCode.optional(),
  status: multi(zCustomerStatus),
  tags: multi(z.string().trim().min(1).max(50)).describe('any of these tags'),
  lastFollowUpBefore: zIsoDate.optional(),
  lastFollowUpAfter: zIsoDate.optional(),
  revenueMin: zMoney.optional(),
  revenueMax: zMoney.optional(),
  tier: multi(z.string().trim().regex(TIER_ID_PATTERN), 20).describe(
    'any of these tiers of record (tier ids of the tier-of-record model; requires tiering.view)',
  ),
  deleted: zFlag.describe('true: the deleted customers (requires customer.delete)'),
  sort: z.enum(CUSTOMER_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});
export type CustomerFilter = z.output<typeof zCustomerFilter>;

export const zCustomerListQuery = zCustomerFilter.extend(zPageQuery);
export type CustomerListQuery = z.output<typeof zCustomerListQuery>;

/** A customer as the API returns it; fields a field rule hides are absent. */
export const zCustomer = z.object({
  id: z.string(),
  name: z.string(),
  creditCode: z.string().nullable().optional(),
  industry: z.string().nullable(),
  provinceCode: z.string().nullable(),
  cityCode: z.string().nullable(),
  sizeBand: z.string().nullable(),
  source: z.string().nullable(),
  website: z.string().nullable().optional(),
  address: z.string().nullable().optional(),
  tags: z.array(z.string()),
  status: z.string(),
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  notes: z.string().nullable().optional(),
  lastFollowUpAt: z.string().nullable(),
  revenue12m: z.string().optional().describe('decimal string, CNY'),
  orders12m: z.number().int(),
  lastOrderAt: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedBy: z.string().nullable(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
  mergedIntoId: z.string().nullable(),
  version: z.number().int(),
  tier: z
    .object({
      id: z.string(),
      name: z.string().describe('as the model version that decided it names it'),
      overridden: z.boolean().describe('decided by an approved manual tier change'),
    })
    .nullable()
    .optional()
    .describe('the tier of record; absent without tiering.view, null when the customer has none yet'),
});

const zOverride = z.strictObject({ reason: z.string().trim().min(2).max(200) });

const editable = {
  creditCode: zCreditCode.nullable().optional(),
  industry: zIndustry.nullable().optional(),
  provinceCode: zProvinceCode.nullable().optional(),
  cityCode: zCityCode.nullable().optional(),
  sizeBand: z.enum(SIZE_BANDS).nullable().optional(),
  source: z.enum(CUSTOMER_SOURCES).nullable().optional(),
  website: zWebsite.nullable().optional(),
  address: z.string().trim().max(200).nullable().optional(),
  tags: zTags.optional().describe('at most 20 tags of at most 20 characters'),
  status: zCustomerStatus.optional(),
  notes: z.string().max(5000).nullable().optional(),
  duplicateOverride: zOverride.optional().describe('go ahead despite similar names; the reason is audited'),
};

export const zCustomerCreate = z.strictObject({
  name: zCompanyName,
  ownerId: zId.optional().describe('default: me; another owner requires customer.assign'),
  ...editable,
});
export type CustomerCreate = z.output<typeof zCustomerCreate>;

export const zCustomerPatch = z.strictObject({
  version: zVersion,
  name: zCompanyName.optional(),
  ...editable,
});
export type CustomerPatch = z.output<typeof zCustomerPatch>;

export const zDuplicateCheck = z.strictObject({
  name: zCompanyName.optional(),
  creditCode: zCreditCode.optional(),
  excludeId: zId.optional(),
});

const zExisting = z.object({ id: z.string(), name: z.string(), ownerName: z.string().nullable() });
export const zConflict = z.object({
  field: z.enum(['creditCode', 'name']),
  ownerName: z.string().nullable(),
  /** only when the actor may view the existing customer */
  existing: zExisting.optional(),
});
export const zSimilar = zExisting.extend({ similarity: z.number() });
export const zDuplicateReport = z.object({
  conflicts: z.array(zConflict),
  similar: z.array(zSimilar),
  /** similar customers the actor may not see: only counted */
  similarHiddenCount: z.number().int(),
});

export const zTeamMember = z.object({
  userId: z.string(),
  displayName: z.string(),
  teamRole: z.enum(TEAM_ROLES),
  access: z.enum(TEAM_ACCESS_LEVELS),
  addedAt: z.string(),
  addedBy: z.string().nullable(),
});
/** A user who may be added to an account team: name, department and roles only (no contact data). */
export const zTeamCandidate = z.object({
  id: z.string(),
  displayName: z.string(),
  departmentName: z.string().nullable(),
  roles: z.array(z.string()),
});
export const zTeamCandidatesQuery = z.strictObject({
  q: z.string().trim().max(100).optional().describe('part of the display name, name pinyin or login'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const zTeamAdd = z.strictObject({
  userId: zId,
  teamRole: z.enum(TEAM_ROLES),
  access: z.enum(TEAM_ACCESS_LEVELS),
});
export const zTeamPatch = z.strictObject({
  teamRole: z.enum(TEAM_ROLES).optional(),
  access: z.enum(TEAM_ACCESS_LEVELS).optional(),
});

const zReason = z.string().trim().min(2).max(500);
export const zAssign = z.strictObject({
  ownerId: zId,
  reason: zReason,
  version: zVersion,
  includeOpenFollowUps: z.boolean().default(true),
});
export const zTransfer = z.strictObject({
  fromOwnerId: zId,
  toOwnerId: zId,
  customerIds: z.array(zId).min(1).max(10_000).optional(),
  reason: zReason,
  includeOpenFollowUps: z.boolean().default(true),
});
export const zTransferResult = z.object({
  count: z.number().int(),
  customerIds: z.array(z.string()),
  followUpsMoved: z.number().int(),
  kind: z.enum(['transfer', 'handover']),
});

export const zOwnershipEntry = z.object({
  id: z.string(),
  kind: z.string(),
  fromOwnerId: z.string().nullable(),
  fromOwnerName: z.string().nullable(),
  toOwnerId: z.string().nullable(),
  toOwnerName: z.string().nullable(),
  fromDepartmentId: z.string().nullable(),
  toDepartmentId: z.string().nullable(),
  reason: z.string().nullable(),
  changedBy: z.string().nullable(),
  changedByName: z.string().nullable(),
  changedAt: z.string(),
});

export const zMerge = z.strictObject({
  sourceId: zId,
  version: zVersion,
  sourceVersion: zVersion,
  reason: zReason,
});

export const zSummary = z.object({
  /** null when a field rule hides revenue */
  revenue12m: z.string().nullable(),
  /** order figures: null when the actor may not view this customer's orders */
  ordersCount12m: z.number().int().nullable(),
  lastOrderAt: z.string().nullable(),
  lastFollowUpAt: z.string().nullable(),
  /** service figures: null when the actor may not view this customer's service records */
  openComplaints: z.number().int().nullable(),
  openServiceRecords: z.number().int().nullable(),
  overdueReceivables: z.object({ amount: z.string(), count: z.number().int() }).nullable(),
  /** null when the actor may not view this customer's contacts */
  contactsCount: z.number().int().nullable(),
  teamSize: z.number().int(),
});

export const TIMELINE_KINDS = [
  'follow_up',
  'order',
  'payment_paid',
  'payment_due',
  'service_opened',
  'service_closed',
  'ownership',
  'change',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const zTimelineQuery = z.strictObject({
  ...zPageQuery,
  kinds: multi(z.enum(TIMELINE_KINDS), TIMELINE_KINDS.length),
});
export const zTimelineItem = z.object({
  kind: z.enum(TIMELINE_KINDS),
  at: z.string(),
  id: z
    .string()
    .describe('the id of the record (follow-up, order, payment, service record, history or audit entry)'),
  title: z.string().nullable(),
  summary: z.string().nullable(),
  amount: z.string().nullable(),
  actorName: z.string().nullable(),
  changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })).nullable(),
});

export const zSavedView = z.object({
  id: z.string(),
  name: z.string(),
  filters: z.record(z.string(), z.unknown()),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const zViewName = z.string().trim().min(1).max(50);
export const zSavedViewCreate = z.strictObject({ name: zViewName, filters: zCustomerFilter });
export const zSavedViewPatch = z.strictObject({
  version: zVersion,
  name: zViewName.optional(),
  filters: zCustomerFilter.optional(),
});
