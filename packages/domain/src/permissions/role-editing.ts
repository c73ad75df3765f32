import { isRecordResource, type Resource } from './catalog.js';
import {
  type ActorContext,
  type AssignmentTarget,
  effectiveFieldRules,
  effectiveScope,
  exceedingGrants,
  type FieldRule,
  type FieldRuleKind,
  type Grant,
  scopeAllows,
} from './evaluate.js';

/**
 * What a role editor may put into a role (roles are not tied to one user, so `exceedingGrants`, which
 * resolves grants relative to a target user, is not enough on its own). The rule:
 *
 * 1. Every granted key must be held by the editor right now (their roles, further limited by the
 *    permissions of the API token they act through).
 * 2. Non-record resources (role, audit, api_token, tenant): holding the key is enough.
 * 3. Record resources: an editor whose own scope for the key is `all` may grant any scope. Otherwise
 *    the granted scope must be no wider than the editor's own *relative* scope for that key, ordered
 *    self ⊂ department ⊂ department_tree ⊂ all (department scopes only count when the editor has a
 *    department; the editor's `custom` grants give no relative rank). A granted `custom` scope must
 *    name only departments inside the editor's effective scope (a listed department, or one inside a
 *    subtree the editor covers).
 * 4. Field rules must not loosen what the editor sees: for every resource the role can view, each field
 *    the editor sees restricted (hidden > masked > readonly) must be at least as restricted in the role.
 * 5. Editing a role that users already hold changes their rights at once, bypassing the assignment
 *    check. So grants *added* by an edit must also lie within the editor's rights relative to every
 *    current holder (`exceedingGrants` with the holder as target), exactly as if the editor assigned
 *    the new rights to each of them.
 *
 * Only what an edit adds is judged: grants and field-rule gaps the role already had may stay or be
 * removed (removing rights is never an escalation), so a limited editor can still rename a role.
 * A super admin (every key with scope `all`, no field rules) passes every check.
 */

const RANK = { self: 1, department: 2, department_tree: 3, all: 4 } as const;
const RESTRICTIVENESS: Record<FieldRuleKind, number> = { readonly: 1, masked: 2, hidden: 3 };

/** A stable text form of a grant (property order fixed), for comparing and de-duplicating. */
export function grantKey(g: Grant): string {
  return JSON.stringify([g.resource, g.action, g.scope ?? null, g.departmentIds ?? null]);
}

/** The editor's relative rank for a record key: 0 = only `custom` (or nothing). */
function editorRank(editor: ActorContext, resource: Resource, action: string): number {
  let best = 0;
  for (const role of editor.roles) {
    for (const g of role.grants) {
      if (g.resource !== resource || g.action !== action || g.scope === undefined || g.scope === 'custom')
        continue;
      if ((g.scope === 'department' || g.scope === 'department_tree') && editor.departmentId === null)
        continue;
      best = Math.max(best, RANK[g.scope]);
    }
  }
  return best;
}

/** Grants (rules 1–3) the editor may not put into a role. */
export function grantsBeyondEditor(
  editor: ActorContext,
  grants: readonly Grant[],
  ancestorsOf: (departmentId: string) => readonly string[],
): Grant[] {
  return grants.filter((grant) => {
    const own = effectiveScope(editor, grant.resource, grant.action);
    if (own === null) return true;
    if (own.all || !isRecordResource(grant.resource)) return false;
    if (grant.scope === 'custom') {
      const deptOnly = { ...own, self: false };
      return !(grant.departmentIds ?? []).every((id) =>
        scopeAllows(
          deptOnly,
          { selfUserIds: [], departmentId: id, departmentAncestorIds: ancestorsOf(id) },
          editor.userId,
        ),
      );
    }
    if (grant.scope === undefined) return true;
    return RANK[grant.scope] > editorRank(editor, grant.resource, grant.action);
  });
}

export interface LoosenedField {
  resource: Resource;
  field: string;
  /** The editor's own rule for the field: the role must be at least this restrictive. */
  required: FieldRuleKind;
}

/** Fields (rule 4) that a role with these grants and field rules shows more openly than the editor sees them. */
export function fieldRulesBeyondEditor(
  editor: ActorContext,
  grants: readonly Grant[],
  fieldRules: readonly FieldRule[],
): LoosenedField[] {
  const viewed = new Set(grants.filter((g) => g.action === 'view').map((g) => g.resource));
  const out: LoosenedField[] = [];
  for (const resource of viewed) {
    const mine = effectiveFieldRules(editor, resource);
    for (const [field, required] of Object.entries(mine)) {
      let strongest = 0;
      for (const r of fieldRules) {
        if (r.resource === resource && r.field === field)
          strongest = Math.max(strongest, RESTRICTIVENESS[r.rule]);
      }
      if (strongest < RESTRICTIVENESS[required]) out.push({ resource, field, required });
    }
  }
  return out;
}

/** Added grants (rule 5) that would exceed the editor's rights for some current holder of the role. */
export function grantsBeyondEditorForHolders(
  editor: ActorContext,
  added: readonly Grant[],
  holders: readonly AssignmentTarget[],
  ancestorsOf: (departmentId: string) => readonly string[],
): Grant[] {
  const relevant = added.filter((g) => {
    const own = effectiveScope(editor, g.resource, g.action);
    return own !== null && !own.all && isRecordResource(g.resource);
  });
  if (relevant.length === 0) return [];
  const beyond = new Map<string, Grant>();
  for (const holder of holders) {
    for (const g of exceedingGrants(editor, relevant, holder, ancestorsOf)) beyond.set(grantKey(g), g);
    if (beyond.size === relevant.length) break;
  }
  return [...beyond.values()];
}
