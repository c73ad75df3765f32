/**
 * The vocabulary of the permission matrix (permission-matrix.test.ts): roles, outcomes, the entry
 * shape and the row builders. Capabilities keep their rows in `test/matrix/<capability>.ts`; the
 * matrix test joins them into one table and checks it against the server's routes.
 */
import type { MatrixFixtures } from './matrix-fixtures.js';

// ——— roles and outcomes ———————————————————————————————————————————————————————————————————

/** The fixed column order of every row of the table. */
export const ROLES = [
  'super_admin',
  'sales_director',
  'department_head',
  'account_manager',
  'customer_service',
  'technical_support',
  'delivery',
  'auditor',
] as const;
export type Role = (typeof ROLES)[number];

export const LOGIN: Record<Role, string> = {
  super_admin: 'admin',
  sales_director: 'director',
  department_head: 'head',
  account_manager: 'manager',
  customer_service: 'service',
  technical_support: 'tech',
  delivery: 'delivery',
  auditor: 'auditor',
};

export type Where = 'in' | 'out';
/** For list routes: 200, and which of the two probe records the (complete) list contains. */
export type Sees = 'both' | 'in' | 'out' | 'none';
/** A status, or for lists the records seen (implies 200). */
export type Outcome = number | Sees;

export interface Side {
  /** 上海销售一部 (in) / 深圳销售部 (out) */
  dept: string;
  /** 杭州销售部 (in) / 广州销售部 (out): a second department of the same region */
  sibling: string;
  /** a standing account manager in `dept` */
  user: string;
}

/** What a request builder gets: the organisation's fixtures and the side the case is about. */
export interface Target {
  fx: MatrixFixtures;
  where: Where;
  /** the side of this case */
  at: Side;
  in: Side;
  out: Side;
  /** the acting user */
  actorId: string;
  /** the acting session (shared actors only) */
  sessionId: string | null;
  /** a user who is not the actor (owner of "out" tokens and sessions) */
  bystander: string;
}

export interface Req {
  /** replaces `:id` in the route */
  id?: string;
  /** replaces `:userId` in the route */
  userId?: string;
  /** replaces `:type` in the route (approval flows; default `discount`) */
  type?: string;
  /** replaces `:version` in the route (default `1`) */
  version?: string;
  query?: string;
  body?: unknown;
}

export interface ListProbe {
  query?: string;
  inId: string;
  outId: string;
}

export interface Entry {
  /** true: run once for an "in" and once for an "out" target; false: no record, run once */
  record: boolean;
  expect: Record<Role, [Outcome, Outcome]>;
  req?: (t: Target) => Req | Promise<Req>;
  /** list routes: the two records whose presence is checked (all pages are read) */
  list?: (t: Target) => ListProbe | Promise<ListProbe>;
  /** the route ends or alters the session: run on a fresh sign-in of a throwaway user with the role */
  throwaway?: boolean;
}

export type Cells = [string, string, string, string, string, string, string, string];

/** A record route: each cell `in/out` (e.g. `'200/404'`) or one status for both (`'403'`). */
export function rec(...cells: Cells): Pick<Entry, 'record' | 'expect'> {
  const expectation = {} as Record<Role, [Outcome, Outcome]>;
  ROLES.forEach((role, i) => {
    const [a, b = a] = cells[i]!.split('/');
    expectation[role] = [Number(a), Number(b)];
  });
  return { record: true, expect: expectation };
}

/** A route without a record: one status per role. */
export function one(...cells: [number, number, number, number, number, number, number, number]) {
  const expectation = {} as Record<Role, [Outcome, Outcome]>;
  ROLES.forEach((role, i) => {
    expectation[role] = [cells[i]!, cells[i]!];
  });
  return { record: false, expect: expectation };
}

/** A list route: per role either a denial status or which probe records appear ('both'|'in'|'out'|'none'). */
export function list(
  ...cells: [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]
): Pick<Entry, 'record' | 'expect'> {
  const expectation = {} as Record<Role, [Outcome, Outcome]>;
  ROLES.forEach((role, i) => {
    expectation[role] = [cells[i]!, cells[i]!];
  });
  return { record: false, expect: expectation };
}
