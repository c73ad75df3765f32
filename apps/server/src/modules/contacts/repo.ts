import { type ContactAttitude, type DecisionRole, pinyinKey } from '@kam/domain';
import { Params } from '../../access/sql.js';
import type { Tx } from '../../db/database.js';

/** A contact as read, with its customer's name. Dates as 'YYYY-MM-DD'. */
export interface ContactRow {
  id: string;
  customer_id: string;
  customer_name: string;
  name: string;
  name_pinyin: string;
  title: string | null;
  department: string | null;
  mobile: string | null;
  phone: string | null;
  email: string | null;
  wechat: string | null;
  decision_role: DecisionRole | null;
  attitude: ContactAttitude | null;
  birthday: string | null;
  notes: string | null;
  is_primary: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** The writable columns of a contact, by API name. */
export type ContactFields = {
  name: string;
  title: string | null;
  department: string | null;
  mobile: string | null;
  phone: string | null;
  email: string | null;
  wechat: string | null;
  decisionRole: DecisionRole | null;
  attitude: ContactAttitude | null;
  birthday: string | null;
  notes: string | null;
  isPrimary: boolean;
};

const COLUMNS: Record<keyof ContactFields, string> = {
  name: 'name',
  title: 'title',
  department: 'department',
  mobile: 'mobile',
  phone: 'phone',
  email: 'email',
  wechat: 'wechat',
  decisionRole: 'decision_role',
  attitude: 'attitude',
  birthday: 'birthday',
  notes: 'notes',
  isPrimary: 'is_primary',
};

const SELECT = `SELECT x.id, x.customer_id, c.name AS customer_name, x.name, x.name_pinyin, x.title,
         x.department, x.mobile, x.phone, x.email, x.wechat, x.decision_role, x.attitude,
         x.birthday::text AS birthday, x.notes, x.is_primary, x.version, x.created_at, x.updated_at
  FROM contacts x`;

/** Keyset of a customer's contacts: primary first, then by pinyin. */
export type CustomerContactKey = [boolean, string, string];
/** Keyset of the contact list across customers: by pinyin. */
export type ContactKey = [string, string];

/** One customer's contacts (access already checked on the customer). */
export async function listCustomerContacts(
  tx: Tx,
  customerId: string,
  limit: number,
  after: CustomerContactKey | null,
): Promise<ContactRow[]> {
  const p = new Params();
  const where = [`x.tenant_id = kam_tenant()`, `x.customer_id = ${p.add(customerId)}::uuid`];
  if (after) {
    const [primary, key, id] = after;
    const b = p.add(primary);
    where.push(
      `(x.is_primary < ${b}::boolean OR (x.is_primary = ${b}::boolean
         AND (x.name_pinyin, x.id) > (${p.add(key)}::text, ${p.add(id)}::uuid)))`,
    );
  }
  const { rows } = await tx.query<ContactRow>(
    `${SELECT}
     JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = x.customer_id
     WHERE ${where.join(' AND ')}
     ORDER BY x.is_primary DESC, x.name_pinyin, x.id
     LIMIT ${p.add(limit)}`,
    p.values,
  );
  return rows;
}

/**
 * Contacts across the customers the actor may see (`visibleJoin` built on `p`), with filters, by
 * pinyin then id. `mobileDigits` also matches the mobile (only for actors who see it unmasked).
 */
export async function listContacts(
  tx: Tx,
  p: Params,
  visibleJoin: string,
  f: {
    customerId?: string | undefined;
    decisionRole?: string | undefined;
    namePattern?: string | undefined;
    mobilePattern?: string | undefined;
    limit: number;
    after: ContactKey | null;
  },
): Promise<ContactRow[]> {
  const where = ['x.tenant_id = kam_tenant()'];
  if (f.customerId) where.push(`x.customer_id = ${p.add(f.customerId)}::uuid`);
  if (f.decisionRole) where.push(`x.decision_role = ${p.add(f.decisionRole)}`);
  if (f.namePattern) {
    const like = p.add(f.namePattern);
    const parts = [`x.name ILIKE ${like}`, `x.name_pinyin ILIKE ${like}`];
    if (f.mobilePattern) parts.push(`x.mobile LIKE ${p.add(f.mobilePattern)}`);
    where.push(`(${parts.join(' OR ')})`);
  }
  if (f.after) {
    where.push(`(x.name_pinyin, x.id) > (${p.add(f.after[0])}::text, ${p.add(f.after[1])}::uuid)`);
  }
  const { rows } = await tx.query<ContactRow>(
    `${SELECT}
     ${visibleJoin}
     WHERE ${where.join(' AND ')}
     ORDER BY x.name_pinyin, x.id
     LIMIT ${p.add(f.limit)}`,
    p.values,
  );
  return rows;
}

/** One contact (access already checked on its customer). */
export async function getContact(tx: Tx, id: string): Promise<ContactRow | null> {
  const { rows } = await tx.query<ContactRow>(
    `${SELECT}
     JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = x.customer_id
     WHERE x.tenant_id = kam_tenant() AND x.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * Takes the primary flag from the customer's current primary contact (other than `exceptId`):
 * its version moves on. Returns the demoted contact, if there was one.
 */
export async function demotePrimary(
  tx: Tx,
  customerId: string,
  exceptId: string,
  now: Date,
): Promise<{ id: string; name: string } | null> {
  const { rows } = await tx.query<{ id: string; name: string }>(
    `UPDATE contacts SET is_primary = false, version = version + 1, updated_at = $3
     WHERE tenant_id = kam_tenant() AND customer_id = $1 AND is_primary AND id <> $2
     RETURNING id, name`,
    [customerId, exceptId, now],
  );
  return rows[0] ?? null;
}

export async function insertContact(
  tx: Tx,
  c: ContactFields & { id: string; customerId: string; createdBy: string; now: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO contacts (tenant_id, id, customer_id, name, name_pinyin, title, department, mobile, phone,
       email, wechat, decision_role, attitude, birthday, notes, is_primary, created_by, created_at, updated_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::date, $14, $15, $16, $17, $17)`,
    [
      c.id,
      c.customerId,
      c.name,
      pinyinKey(c.name),
      c.title,
      c.department,
      c.mobile,
      c.phone,
      c.email,
      c.wechat,
      c.decisionRole,
      c.attitude,
      c.birthday,
      c.notes,
      c.isPrimary,
      c.createdBy,
      c.now,
    ],
  );
}

/** Sets the given fields when the version still matches; `false` otherwise. */
export async function updateContact(
  tx: Tx,
  id: string,
  customerId: string,
  version: number,
  patch: Partial<ContactFields>,
  now: Date,
): Promise<boolean> {
  const p = new Params();
  const sets = Object.entries(patch).map(([field, value]) => {
    const column = COLUMNS[field as keyof ContactFields];
    return `${column} = ${p.add(value)}${column === 'birthday' ? '::date' : ''}`;
  });
  if (patch.name !== undefined) sets.push(`name_pinyin = ${p.add(pinyinKey(patch.name))}`);
  const { rowCount } = await tx.query(
    `UPDATE contacts SET ${sets.join(', ')}, version = version + 1, updated_at = ${p.add(now)}
     WHERE tenant_id = kam_tenant() AND id = ${p.add(id)} AND customer_id = ${p.add(customerId)}
       AND version = ${p.add(version)}`,
    p.values,
  );
  return (rowCount ?? 0) > 0;
}

export async function deleteContact(
  tx: Tx,
  id: string,
  customerId: string,
  version: number,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    'DELETE FROM contacts WHERE tenant_id = kam_tenant() AND id = $1 AND customer_id = $2 AND version = $3',
    [id, customerId, version],
  );
  return (rowCount ?? 0) > 0;
}
