import type { FollowUpType } from '@kam/domain';
import { Params } from '../../access/sql.js';
import type { Tx } from '../../db/database.js';

/** A follow-up as read: with its customer's, author's and next-step owner's names and its contacts. */
export interface FollowUpRow {
  id: string;
  customer_id: string;
  customer_name: string;
  type: FollowUpType;
  at: Date;
  /** `at` with microseconds, for the keyset cursor */
  at_key: string;
  author_id: string | null;
  author_name: string | null;
  /** the contacts involved that still exist, by name */
  contacts: { id: string; name: string }[];
  summary: string;
  outcome: string | null;
  next_step: string | null;
  next_step_date: string | null;
  next_step_owner_id: string | null;
  next_step_owner_name: string | null;
  next_step_done_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** The writable columns by API name. */
export type FollowUpFields = {
  type: FollowUpType;
  at: string;
  contactIds: string[];
  summary: string;
  outcome: string | null;
  nextStep: string | null;
  nextStepDate: string | null;
};

/** Keyset of the default order (newest first): `at` (ISO, microseconds), id. */
export type FollowUpKey = [string, string];
/** Keyset of the open next steps (soonest first): next-step date, id. */
export type NextStepKey = [string, string];

export interface FollowUpFilter {
  customerId?: string | undefined;
  authorId?: string | undefined;
  type?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** only the open next steps owed by this user, soonest first */
  pendingFor?: string | undefined;
}

/**
 * Selects one page of follow-ups (`where` and `order` over `f` and its customer `c`), then decorates
 * just that page set-based: names by join, contacts by one lateral aggregate per row of the page.
 */
async function selectPage(
  tx: Tx,
  p: Params,
  join: string,
  where: string[],
  order: string,
  limit: number,
): Promise<FollowUpRow[]> {
  const { rows } = await tx.query<FollowUpRow>(
    `WITH page AS (
       SELECT f.*, c.name AS customer_name
       FROM follow_ups f
       ${join}
       WHERE f.tenant_id = kam_tenant()${where.map((w) => ` AND ${w}`).join('')}
       ORDER BY ${order}
       LIMIT ${p.add(limit)}
     )
     SELECT f.id, f.customer_id, f.customer_name, f.type, f.at,
            to_char(f.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key,
            f.author_id, a.display_name AS author_name, coalesce(k.contacts, '[]'::json) AS contacts,
            f.summary, f.outcome, f.next_step, f.next_step_date::text AS next_step_date,
            f.next_step_owner_id, o.display_name AS next_step_owner_name, f.next_step_done_at,
            f.version, f.created_at, f.updated_at
     FROM page f
     LEFT JOIN users a ON a.tenant_id = kam_tenant() AND a.id = f.author_id
     LEFT JOIN users o ON o.tenant_id = kam_tenant() AND o.id = f.next_step_owner_id
     LEFT JOIN LATERAL (
       SELECT json_agg(json_build_object('id', ct.id, 'name', ct.name) ORDER BY ct.name_pinyin, ct.id) AS contacts
       FROM contacts ct WHERE ct.tenant_id = kam_tenant() AND ct.id = ANY(f.contact_ids)
     ) k ON true
     ORDER BY ${order}`,
    p.values,
  );
  return rows;
}

/** Follow-ups of the customers visible through `visibleJoin` (built on `p`). */
export async function listFollowUps(
  tx: Tx,
  p: Params,
  visibleJoin: string,
  f: FollowUpFilter & { limit: number; after: FollowUpKey | NextStepKey | null },
): Promise<FollowUpRow[]> {
  const where: string[] = [];
  if (f.customerId) where.push(`f.customer_id = ${p.add(f.customerId)}::uuid`);
  if (f.authorId) where.push(`f.author_id = ${p.add(f.authorId)}::uuid`);
  if (f.type) where.push(`f.type = ${p.add(f.type)}`);
  if (f.from) where.push(`f.at >= ${p.add(f.from)}::timestamptz`);
  if (f.to) where.push(`f.at < ${p.add(f.to)}::timestamptz`);
  if (f.pendingFor) {
    where.push(
      `f.next_step_owner_id = ${p.add(f.pendingFor)}::uuid`,
      'f.next_step_date IS NOT NULL',
      'f.next_step_done_at IS NULL',
    );
    if (f.after) {
      where.push(`(f.next_step_date, f.id) > (${p.add(f.after[0])}::date, ${p.add(f.after[1])}::uuid)`);
    }
    return selectPage(tx, p, visibleJoin, where, 'f.next_step_date, f.id', f.limit);
  }
  if (f.after) where.push(`(f.at, f.id) < (${p.add(f.after[0])}::timestamptz, ${p.add(f.after[1])}::uuid)`);
  return selectPage(tx, p, visibleJoin, where, 'f.at DESC, f.id DESC', f.limit);
}

/** One follow-up (access already checked on its customer). */
export async function getFollowUp(tx: Tx, id: string): Promise<FollowUpRow | null> {
  const p = new Params();
  const rows = await selectPage(
    tx,
    p,
    'JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = f.customer_id',
    [`f.id = ${p.add(id)}::uuid`],
    'f.at DESC, f.id DESC',
    1,
  );
  return rows[0] ?? null;
}

/** The ids among `ids` that are contacts of the customer. */
export async function contactsOfCustomer(tx: Tx, customerId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await tx.query<{ id: string }>(
    'SELECT id FROM contacts WHERE tenant_id = kam_tenant() AND customer_id = $1 AND id = ANY($2::uuid[])',
    [customerId, ids],
  );
  return new Set(rows.map((r) => r.id));
}

export async function insertFollowUp(
  tx: Tx,
  f: FollowUpFields & { id: string; customerId: string; authorId: string; now: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO follow_ups (tenant_id, id, customer_id, type, at, author_id, contact_ids, summary, outcome,
       next_step, next_step_date, next_step_owner_id, created_at, updated_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9, $10::date,
       CASE WHEN $9::text IS NULL THEN NULL ELSE $5::uuid END, $11, $11)`,
    [
      f.id,
      f.customerId,
      f.type,
      f.at,
      f.authorId,
      f.contactIds,
      f.summary,
      f.outcome,
      f.nextStep,
      f.nextStepDate,
      f.now,
    ],
  );
}

const COLUMNS: Record<keyof FollowUpFields, string> = {
  type: 'type',
  at: 'at',
  contactIds: 'contact_ids',
  summary: 'summary',
  outcome: 'outcome',
  nextStep: 'next_step',
  nextStepDate: 'next_step_date',
};
const CASTS: Partial<Record<keyof FollowUpFields, string>> = {
  at: '::timestamptz',
  contactIds: '::uuid[]',
  nextStepDate: '::date',
};

/**
 * Sets the given fields when the version still matches (`false` otherwise). A changed next step is
 * open again and owed by `nextStepOwnerId`; a removed one has no owner.
 */
export async function updateFollowUp(
  tx: Tx,
  id: string,
  customerId: string,
  version: number,
  patch: Partial<FollowUpFields>,
  nextStep: { changed: boolean; ownerId: string | null },
  now: Date,
): Promise<boolean> {
  const p = new Params();
  const sets = Object.entries(patch).map(([field, value]) => {
    const key = field as keyof FollowUpFields;
    return `${COLUMNS[key]} = ${p.add(value)}${CASTS[key] ?? ''}`;
  });
  if (nextStep.changed) {
    sets.push(`next_step_owner_id = ${p.add(nextStep.ownerId)}::uuid`, 'next_step_done_at = NULL');
  }
  const { rowCount } = await tx.query(
    `UPDATE follow_ups SET ${sets.join(', ')}, version = version + 1, updated_at = ${p.add(now)}
     WHERE tenant_id = kam_tenant() AND id = ${p.add(id)} AND customer_id = ${p.add(customerId)}
       AND version = ${p.add(version)}`,
    p.values,
  );
  return (rowCount ?? 0) > 0;
}

export async function completeNextStep(tx: Tx, id: string, version: number, now: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE follow_ups SET next_step_done_at = $3, version = version + 1, updated_at = $3
     WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2`,
    [id, version, now],
  );
  return (rowCount ?? 0) > 0;
}

export async function deleteFollowUp(
  tx: Tx,
  id: string,
  customerId: string,
  version: number,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    'DELETE FROM follow_ups WHERE tenant_id = kam_tenant() AND id = $1 AND customer_id = $2 AND version = $3',
    [id, customerId, version],
  );
  return (rowCount ?? 0) > 0;
}
