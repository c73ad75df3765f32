import { TIER_ID_PATTERN } from '@kam/domain';
import type { CustomerFilter, CustomerSort, CustomerStatus } from '../../api/types';

const SORTS: CustomerSort[] = ['name', 'createdAt', 'updatedAt', 'lastFollowUpAt', 'revenue12m'];
const STATUSES: CustomerStatus[] = ['prospect', 'active', 'dormant', 'lost'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^-?\d+(\.\d{1,2})?$/;

function list(params: URLSearchParams, key: string): string[] | undefined {
  const values = params
    .getAll(key)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length > 0 ? values : undefined;
}

function text(params: URLSearchParams, key: string, pattern?: RegExp): string | undefined {
  const value = params.get(key)?.trim();
  if (!value) return undefined;
  return pattern && !pattern.test(value) ? undefined : value;
}

/** The customer filter kept in the address bar (so a filtered list can be bookmarked and shared). */
export function readCustomerFilter(params: URLSearchParams): CustomerFilter {
  const sort = params.get('sort') as CustomerSort | null;
  const order = params.get('order');
  const status = list(params, 'status')?.filter((s): s is CustomerStatus =>
    STATUSES.includes(s as CustomerStatus),
  );
  const filter: CustomerFilter = {
    q: text(params, 'q'),
    ownerId: text(params, 'ownerId'),
    departmentId: text(params, 'departmentId'),
    industry: list(params, 'industry')?.filter((s) => /^[A-T]$/.test(s)),
    provinceCode: text(params, 'provinceCode', /^\d{6}$/),
    cityCode: text(params, 'cityCode', /^\d{6}$/),
    status: status && status.length > 0 ? status : undefined,
    tags: list(params, 'tags'),
    tier: list(params, 'tier')?.filter((s) => TIER_ID_PATTERN.test(s)),
    lastFollowUpBefore: text(params, 'lastFollowUpBefore', DATE),
    lastFollowUpAfter: text(params, 'lastFollowUpAfter', DATE),
    revenueMin: text(params, 'revenueMin', DECIMAL),
    revenueMax: text(params, 'revenueMax', DECIMAL),
    sort: sort && SORTS.includes(sort) ? sort : undefined,
    order: order === 'asc' || order === 'desc' ? order : undefined,
  };
  if (filter.departmentId) filter.includeSubtree = params.get('includeSubtree') !== 'false';
  if (filter.industry?.length === 0) filter.industry = undefined;
  if (filter.tier?.length === 0) filter.tier = undefined;
  return compactFilter(filter);
}

/** Drops empty values (so equal filters serialise equally). */
export function compactFilter(filter: CustomerFilter): CustomerFilter {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  if (!out.departmentId) delete out.includeSubtree;
  return out as CustomerFilter;
}

export function writeCustomerFilter(filter: CustomerFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(compactFilter(filter))) {
    if (Array.isArray(value)) params.set(key, value.join(','));
    else if (key === 'includeSubtree') {
      if (value === false) params.set(key, 'false');
    } else params.set(key, String(value));
  }
  return params;
}

/** Number of filters set (sort not counted), for the "more filters (n)" badge. */
export function activeFilterCount(filter: CustomerFilter, keys: (keyof CustomerFilter)[]): number {
  const compact = compactFilter(filter);
  return keys.filter((k) => compact[k] !== undefined).length;
}
