import { describe, expect, it } from 'vitest';
import { isErrorCode } from '../errors.js';
import {
  checkPassword,
  isLockActive,
  isPasswordExpired,
  lockExpiresAt,
  lockoutState,
  NO_FAILURES,
  passwordClasses,
} from './password-policy.js';
import { DEFAULT_SECURITY_POLICY as DEFAULT, MLPS2_SECURITY_POLICY as MLPS2 } from './security-policy.js';

const at = (minutes: number) => new Date(Date.UTC(2025, 0, 1) + minutes * 60_000);
const DAY = 24 * 60;

describe('checkPassword', () => {
  const check = (password: string, policy = DEFAULT, login = 'zhangsan') =>
    checkPassword(password, { login, policy });

  it('accepts a password meeting the default policy', () => {
    expect(check('Spring#2025')).toEqual([]);
    expect(check('abcdefG1')).toEqual([]);
  });

  it('reports each violation with a stable code', () => {
    expect(check('Ab1!xyz')).toEqual(['PASSWORD_TOO_SHORT']);
    expect(check('abcdefgh1')).toEqual(['PASSWORD_TOO_FEW_CLASSES']);
    expect(check('Zhangsan#1')).toEqual(['PASSWORD_CONTAINS_LOGIN']);
    expect(check(`Aa1!${'x'.repeat(125)}`)).toEqual(['PASSWORD_TOO_LONG']);
    expect(check('abc')).toEqual(['PASSWORD_TOO_SHORT', 'PASSWORD_TOO_FEW_CLASSES']);
  });

  it('finds the login case-insensitively anywhere in the password', () => {
    expect(check('xxZHANGSANxx1!')).toContain('PASSWORD_CONTAINS_LOGIN');
    expect(check('Abc#12345', DEFAULT, 'ABC')).toContain('PASSWORD_CONTAINS_LOGIN');
    expect(check('Ab#12345', DEFAULT, 'ab')).toEqual([]);
    expect(check('Ab', { ...DEFAULT, passwordMinLength: 1, passwordMinClasses: 1 }, 'ab')).toEqual([
      'PASSWORD_CONTAINS_LOGIN',
    ]);
    expect(check('Zhangsan#1', { ...DEFAULT, passwordDisallowLogin: false })).toEqual([]);
  });

  it('counts characters, not UTF-16 units, and treats non-ASCII as symbols', () => {
    expect(passwordClasses('aA1')).toBe(3);
    expect(passwordClasses('aA1密')).toBe(4);
    expect(passwordClasses('')).toBe(0);
    expect(check('密码Ab1😀xy')).toEqual([]);
  });

  it('is stricter under the MLPS 2.0 preset', () => {
    expect(check('Spring#2025', MLPS2)).toEqual([]);
    expect(check('Spring2025', MLPS2)).toEqual(['PASSWORD_TOO_FEW_CLASSES']);
    expect(check('Sprin#2025'.slice(0, 9), MLPS2)).toEqual(['PASSWORD_TOO_SHORT']);
    expect(check('Spring2025')).toEqual([]);
  });

  it('only produces codes from the error catalogue', () => {
    for (const code of check(`a${'b'.repeat(200)}zhangsan`)) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('PASSWORD_REUSED') && isErrorCode('PASSWORD_EXPIRED')).toBe(true);
  });
});

describe('isPasswordExpired', () => {
  it('never expires without rotation', () => {
    expect(isPasswordExpired(at(0), at(3650 * DAY), DEFAULT)).toBe(false);
  });
  it('expires exactly after the maximum age', () => {
    expect(isPasswordExpired(at(0), at(90 * DAY - 1), MLPS2)).toBe(false);
    expect(isPasswordExpired(at(0), at(90 * DAY), MLPS2)).toBe(true);
  });
});

describe('lockoutState', () => {
  const policy = DEFAULT; // 5 failures within 15 minutes

  it('starts a window at the first failure', () => {
    expect(lockoutState(NO_FAILURES, at(0), policy)).toEqual({
      counter: { failures: 1, windowStart: at(0) },
      lock: false,
    });
  });

  it('locks on the threshold-th failure inside the window', () => {
    let counter = { ...NO_FAILURES };
    const locks: boolean[] = [];
    for (const minute of [0, 3, 6, 9, 14]) {
      const next = lockoutState(counter, at(minute), policy);
      counter = next.counter;
      locks.push(next.lock);
    }
    expect(locks).toEqual([false, false, false, false, true]);
    expect(counter).toEqual({ failures: 5, windowStart: at(0) });
  });

  it('still counts one millisecond before the window ends', () => {
    const counter = { failures: 4, windowStart: at(0) };
    const justBefore = new Date(at(15).getTime() - 1);
    expect(lockoutState(counter, justBefore, policy).lock).toBe(true);
  });

  it('starts a new window exactly when the old one ends', () => {
    const counter = { failures: 4, windowStart: at(0) };
    expect(lockoutState(counter, at(15), policy)).toEqual({
      counter: { failures: 1, windowStart: at(15) },
      lock: false,
    });
  });

  it('restarts the window when the clock went backwards', () => {
    expect(lockoutState({ failures: 4, windowStart: at(10) }, at(5), policy).counter).toEqual({
      failures: 1,
      windowStart: at(5),
    });
  });

  it('locks at once with a threshold of one', () => {
    expect(lockoutState(NO_FAILURES, at(0), { ...policy, lockoutThreshold: 1 }).lock).toBe(true);
  });
});

describe('isLockActive', () => {
  it('is inactive without a lock', () => {
    expect(isLockActive(null, at(0), DEFAULT)).toBe(false);
  });
  it('lasts exactly the lockout duration', () => {
    expect(isLockActive(at(0), at(29), DEFAULT)).toBe(true);
    expect(isLockActive(at(0), at(30), DEFAULT)).toBe(false);
    expect(lockExpiresAt(at(0), DEFAULT)).toEqual(at(30));
  });
  it('lasts until unlocked when the duration is 0', () => {
    const manual = { ...DEFAULT, lockoutDurationMinutes: 0 };
    expect(isLockActive(at(0), at(365 * DAY), manual)).toBe(true);
    expect(lockExpiresAt(at(0), manual)).toBeNull();
  });
});
