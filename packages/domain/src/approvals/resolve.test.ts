import { describe, expect, it } from 'vitest';
import type { ApproverSpec } from './definition.js';
import {
  type ApprovalDelegation,
  departmentPathOf,
  escalationTarget,
  type OrgUser,
  orgSnapshot,
  type ResolutionContext,
  type ResolutionSubject,
  resolveApprovers,
  resolveStepApprovers,
} from './resolve.js';

/**
 * root (ceo)
 *  └ sales (director)
 *     ├ east (leadE)
 *     │  └ east1 (no head)
 *     │     └ east1a (no head)
 *     └ west (leadW, inactive)
 */
const departments = [
  { id: 'root', parentId: null, headUserId: 'ceo' },
  { id: 'sales', parentId: 'root', headUserId: 'director' },
  { id: 'east', parentId: 'sales', headUserId: 'leadE' },
  { id: 'east1', parentId: 'east', headUserId: null },
  { id: 'east1a', parentId: 'east1', headUserId: null },
  { id: 'west', parentId: 'sales', headUserId: 'leadW' },
];
const user = (id: string, departmentId: string | null, roleIds: string[] = [], active = true): OrgUser => ({
  id,
  departmentId,
  roleIds,
  active,
});
const users = [
  user('ceo', 'root'),
  user('director', 'sales', ['r-director']),
  user('leadE', 'east'),
  user('leadW', 'west', [], false),
  user('am1', 'east1a', ['r-am']),
  user('am2', 'east', ['r-am']),
  user('am3', 'west', ['r-am']),
  user('f2', 'root', ['r-finance']),
  user('f1', 'root', ['r-finance']),
  user('f3', 'root', ['r-finance'], false),
  user('deputy', 'sales'),
];

const NOW = '2026-03-10T08:00:00.000Z';

function ctx(
  subject: Partial<ResolutionSubject> & { requesterId: string },
  delegations: ApprovalDelegation[] = [],
) {
  const requester = users.find((u) => u.id === subject.requesterId);
  return {
    org: orgSnapshot({ departments, users, delegations }),
    subject: { requesterDepartmentId: requester?.departmentId ?? null, ...subject },
    now: NOW,
  } satisfies ResolutionContext;
}
const ids = (specs: ApproverSpec[], c: ResolutionContext) => resolveApprovers(specs, c).map((a) => a.userId);
const head: ApproverSpec = { kind: 'requester_department_head' };
const up = (levels: number): ApproverSpec => ({ kind: 'department_head_levels_up', levels });

describe('department heads', () => {
  it('paths run from the root down, and are cycle-safe', () => {
    const org = ctx({ requesterId: 'am1' }).org;
    expect(departmentPathOf(org, 'east1a')).toEqual(['root', 'sales', 'east', 'east1', 'east1a']);
    expect(departmentPathOf(org, 'ghost')).toEqual([]);
    expect(departmentPathOf(org, null)).toEqual([]);
    const cyclic = orgSnapshot({
      departments: [
        { id: 'a', parentId: 'b', headUserId: null },
        { id: 'b', parentId: 'a', headUserId: null },
      ],
      users: [],
    });
    expect(departmentPathOf(cyclic, 'a')).toEqual(['b', 'a']);
  });

  it('the requester department head walks up past levels without a head', () => {
    expect(ids([head], ctx({ requesterId: 'am2' }))).toEqual(['leadE']);
    // east1a and east1 have no head → east's head.
    expect(ids([head], ctx({ requesterId: 'am1' }))).toEqual(['leadE']);
  });

  it('head N levels up: a level without a head passes to the next one up', () => {
    const c = ctx({ requesterId: 'am1' }); // east1a → east1 → east → sales → root
    expect(ids([up(1)], c)).toEqual(['leadE']); // east1 has no head → east
    expect(ids([up(2)], c)).toEqual(['leadE']); // east
    expect(ids([up(3)], c)).toEqual(['director']);
    expect(ids([up(4)], c)).toEqual(['ceo']);
    expect(ids([up(10)], c)).toEqual(['ceo']); // deeper than the tree → the top
    expect(ids([up(1)], ctx({ requesterId: 'am2' }))).toEqual(['director']);
  });

  it('a requester who heads their own department gets the next head up, never themselves', () => {
    expect(ids([head], ctx({ requesterId: 'leadE' }))).toEqual(['director']);
    expect(ids([up(1)], ctx({ requesterId: 'leadE' }))).toEqual(['director']);
    expect(ids([up(2)], ctx({ requesterId: 'leadE' }))).toEqual(['ceo']);
    expect(ids([head], ctx({ requesterId: 'director' }))).toEqual(['ceo']);
    // The top head has nobody above.
    expect(ids([head], ctx({ requesterId: 'ceo' }))).toEqual([]);
  });

  it('an inactive head is passed over', () => {
    expect(ids([head], ctx({ requesterId: 'am3' }))).toEqual(['director']);
  });

  it('a requester without a department has no department head', () => {
    expect(ids([head, up(2)], ctx({ requesterId: 'x', requesterDepartmentId: null }))).toEqual([]);
  });
});

describe('other approver kinds', () => {
  it('roles give their active members, sorted, without the requester', () => {
    expect(ids([{ kind: 'role', roleId: 'r-finance' }], ctx({ requesterId: 'am1' }))).toEqual(['f1', 'f2']);
    expect(ids([{ kind: 'role', roleId: 'r-finance' }], ctx({ requesterId: 'f1' }))).toEqual(['f2']);
    expect(ids([{ kind: 'role', roleId: 'r-none' }], ctx({ requesterId: 'am1' }))).toEqual([]);
  });

  it('named users must be active and not the requester', () => {
    const c = ctx({ requesterId: 'am1' });
    expect(ids([{ kind: 'user', userId: 'director' }], c)).toEqual(['director']);
    expect(ids([{ kind: 'user', userId: 'leadW' }], c)).toEqual([]);
    expect(ids([{ kind: 'user', userId: 'ghost' }], c)).toEqual([]);
    expect(ids([{ kind: 'user', userId: 'am1' }], c)).toEqual([]);
  });

  it('customer owner and executive sponsors come from the request', () => {
    const c = ctx({
      requesterId: 'am1',
      customer: { ownerId: 'am2', executiveSponsorIds: ['ceo', 'director'] },
    });
    expect(ids([{ kind: 'customer_owner' }], c)).toEqual(['am2']);
    expect(ids([{ kind: 'customer_executive_sponsor' }], c)).toEqual(['ceo', 'director']);
    // An ownership transfer requested by the owner: the owner does not approve it.
    const own = ctx({ requesterId: 'am2', customer: { ownerId: 'am2', executiveSponsorIds: [] } });
    expect(ids([{ kind: 'customer_owner' }], own)).toEqual([]);
    expect(
      ids([{ kind: 'customer_owner' }, { kind: 'customer_executive_sponsor' }], ctx({ requesterId: 'am1' })),
    ).toEqual([]);
  });

  it('deduplicates across specs, keeping first-seen order', () => {
    const c = ctx({ requesterId: 'am2' });
    expect(resolveApprovers([up(1), head, { kind: 'role', roleId: 'r-director' }], c)).toEqual([
      { userId: 'director', actsFor: ['director'] },
      { userId: 'leadE', actsFor: ['leadE'] },
    ]);
  });
});

describe('delegation', () => {
  const away = (
    from: string,
    to: string,
    fromAt = '2026-03-09T00:00:00Z',
    toAt = '2026-03-12T00:00:00Z',
  ) => ({
    fromUserId: from,
    toUserId: to,
    from: fromAt,
    to: toAt,
  });

  it('replaces the approver by the delegate while the window covers now', () => {
    expect(resolveApprovers([head], ctx({ requesterId: 'am2' }, [away('leadE', 'deputy')]))).toEqual([
      { userId: 'deputy', actsFor: ['leadE'] },
    ]);
  });

  it('the window is from ≤ now < to', () => {
    const at = (from: string, to: string) =>
      ids([head], ctx({ requesterId: 'am2' }, [away('leadE', 'deputy', from, to)]));
    expect(at(NOW, '2026-03-11T00:00:00Z')).toEqual(['deputy']);
    expect(at('2026-03-01T00:00:00Z', NOW)).toEqual(['leadE']);
    expect(at('2026-03-11T00:00:00Z', '2026-03-12T00:00:00Z')).toEqual(['leadE']);
  });

  it('follows one hop only', () => {
    const c = ctx({ requesterId: 'am2' }, [away('leadE', 'deputy'), away('deputy', 'ceo')]);
    expect(ids([head], c)).toEqual(['deputy']);
  });

  it('ignores a delegation to the requester, an inactive or an unknown user', () => {
    expect(ids([head], ctx({ requesterId: 'am2' }, [away('leadE', 'am2')]))).toEqual(['leadE']);
    expect(ids([head], ctx({ requesterId: 'am2' }, [away('leadE', 'leadW')]))).toEqual(['leadE']);
    expect(ids([head], ctx({ requesterId: 'am2' }, [away('leadE', 'ghost')]))).toEqual(['leadE']);
  });

  it("never follows the requester's own delegation, and drops inactive delegators", () => {
    // The requester is a role member; their delegate does not get to approve in their place.
    const c = ctx({ requesterId: 'f1' }, [away('f1', 'deputy')]);
    expect(ids([{ kind: 'role', roleId: 'r-finance' }], c)).toEqual(['f2']);
    expect(
      ids([{ kind: 'user', userId: 'f3' }], ctx({ requesterId: 'am1' }, [away('f3', 'deputy')])),
    ).toEqual([]);
  });

  it('the latest-starting delegation wins; merged approvers act for everyone they stand for', () => {
    const c = ctx({ requesterId: 'am2' }, [
      away('leadE', 'ceo', '2026-03-01T00:00:00Z'),
      away('leadE', 'deputy', '2026-03-05T00:00:00Z'),
      away('director', 'deputy'),
    ]);
    expect(resolveApprovers([head, up(1)], c)).toEqual([
      { userId: 'deputy', actsFor: ['director', 'leadE'] },
    ]);
  });
});

describe('steps and escalation', () => {
  it('a step that resolves to nobody is an APPROVAL_NO_APPROVER error naming the step', () => {
    const step = { id: 'top', name: '总经理', approvers: [head], mode: 'any' as const };
    expect(resolveStepApprovers(step, ctx({ requesterId: 'ceo' }))).toEqual({
      ok: false,
      code: 'APPROVAL_NO_APPROVER',
      params: { step: '总经理' },
    });
    expect(resolveStepApprovers(step, ctx({ requesterId: 'am1' }))).toEqual({
      ok: true,
      approvers: [{ userId: 'leadE', actsFor: ['leadE'] }],
    });
  });

  it('escalation goes to the head above the approver, skipping themselves and the requester', () => {
    const c = ctx({ requesterId: 'am1' });
    expect(escalationTarget(c, 'leadE')).toBe('director');
    expect(escalationTarget(c, 'f1')).toBe('ceo');
    expect(escalationTarget(c, 'ceo')).toBeNull();
    expect(escalationTarget(c, 'ghost')).toBeNull();
    expect(escalationTarget(ctx({ requesterId: 'director' }), 'leadE')).toBe('ceo');
  });
});
