import type { Me } from '../../api/types';

export interface PasswordRules {
  minLength: number;
  minClasses: number;
  disallowLogin: boolean;
}

/** Used when the server does not tell us the policy (see Me.passwordPolicy). Matches the default preset. */
export const DEFAULT_RULES: PasswordRules = { minLength: 8, minClasses: 3, disallowLogin: true };

/** Optional extension of GET /me: the tenant's password rules, readable even during a forced change. */
export function rulesFor(me: Me | null): PasswordRules {
  const policy = (me as (Me & { passwordPolicy?: Partial<PasswordRules> }) | null)?.passwordPolicy;
  return {
    minLength: policy?.minLength ?? DEFAULT_RULES.minLength,
    minClasses: policy?.minClasses ?? DEFAULT_RULES.minClasses,
    disallowLogin: policy?.disallowLogin ?? DEFAULT_RULES.disallowLogin,
  };
}

export function characterClasses(password: string): number {
  let count = 0;
  if (/[A-Z]/.test(password)) count += 1;
  if (/[a-z]/.test(password)) count += 1;
  if (/[0-9]/.test(password)) count += 1;
  if (/[^A-Za-z0-9]/.test(password)) count += 1;
  return count;
}

export interface RuleCheck {
  length: boolean;
  classes: boolean;
  noLogin: boolean;
  notSame: boolean;
}

export function checkPassword(
  password: string,
  login: string,
  current: string,
  rules: PasswordRules,
): RuleCheck {
  return {
    length: [...password].length >= rules.minLength,
    classes: characterClasses(password) >= Math.min(rules.minClasses, 4),
    noLogin: !rules.disallowLogin || !login || !password.toLowerCase().includes(login.toLowerCase()),
    notSame: !password || password !== current,
  };
}

export function allPassed(check: RuleCheck): boolean {
  return check.length && check.classes && check.noLogin && check.notSame;
}
