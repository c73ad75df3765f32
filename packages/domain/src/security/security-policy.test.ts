import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SECURITY_POLICY,
  isSessionExpired,
  MLPS2_SECURITY_POLICY,
  SECURITY_POLICY_PRESETS,
  sessionExpiresAt,
  zSecurityPolicy,
} from './security-policy.js';

const at = (minutes: number) => new Date(Date.UTC(2025, 0, 1) + minutes * 60_000);

describe('security policy presets', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_SECURITY_POLICY).toEqual({
      passwordMinLength: 8,
      passwordMinClasses: 3,
      passwordDisallowLogin: true,
      passwordMaxAgeDays: 0,
      passwordHistory: 0,
      lockoutThreshold: 5,
      lockoutWindowMinutes: 15,
      lockoutDurationMinutes: 30,
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      forceChangeOnFirstLogin: true,
    });
    expect(SECURITY_POLICY_PRESETS.default).toBe(DEFAULT_SECURITY_POLICY);
  });

  it('makes MLPS 2.0 at least as strict as the default on every setting', () => {
    const d = DEFAULT_SECURITY_POLICY;
    const m = SECURITY_POLICY_PRESETS.mlps2;
    expect(m.passwordMinLength).toBeGreaterThan(d.passwordMinLength);
    expect(m.passwordMinClasses).toBeGreaterThanOrEqual(d.passwordMinClasses);
    expect(m.passwordMaxAgeDays).toBeGreaterThan(0);
    expect(m.passwordHistory).toBeGreaterThan(0);
    expect(m.lockoutThreshold).toBeLessThanOrEqual(d.lockoutThreshold);
    expect(m.sessionIdleMinutes).toBeLessThan(d.sessionIdleMinutes);
    expect(m.sessionAbsoluteHours).toBeLessThan(d.sessionAbsoluteHours);
    expect(m.passwordDisallowLogin && m.forceChangeOnFirstLogin).toBe(true);
  });

  it('presets are frozen', () => {
    expect(Object.isFrozen(MLPS2_SECURITY_POLICY)).toBe(true);
  });
});

describe('zSecurityPolicy', () => {
  it('accepts both presets', () => {
    for (const preset of Object.values(SECURITY_POLICY_PRESETS)) {
      expect(zSecurityPolicy.parse(preset)).toEqual(preset);
    }
  });

  it.each([
    ['passwordMinLength', 7],
    ['passwordMinLength', 129],
    ['passwordMinClasses', 5],
    ['sessionIdleMinutes', 4],
    ['lockoutThreshold', 0],
    ['passwordMaxAgeDays', 1.5],
  ])('rejects %s = %s with OUT_OF_RANGE', (key, value) => {
    const result = zSecurityPolicy.safeParse({ ...DEFAULT_SECURITY_POLICY, [key]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain('OUT_OF_RANGE');
  });

  it('rejects an absolute session shorter than the idle timeout', () => {
    const result = zSecurityPolicy.safeParse({
      ...DEFAULT_SECURITY_POLICY,
      sessionIdleMinutes: 120,
      sessionAbsoluteHours: 1,
    });
    expect(result.error?.issues[0]?.path).toEqual(['sessionAbsoluteHours']);
  });

  it('rejects unknown and missing properties', () => {
    expect(zSecurityPolicy.safeParse({ ...DEFAULT_SECURITY_POLICY, extra: 1 }).success).toBe(false);
    const { passwordHistory: _omitted, ...missing } = DEFAULT_SECURITY_POLICY;
    expect(zSecurityPolicy.safeParse(missing).success).toBe(false);
  });
});

describe('session expiry', () => {
  const policy = DEFAULT_SECURITY_POLICY; // idle 30 min, absolute 12 h

  it('ends after the idle timeout', () => {
    const session = { createdAt: at(0), lastSeenAt: at(10) };
    expect(isSessionExpired(session, at(39), policy)).toBe(false);
    expect(isSessionExpired(session, at(40), policy)).toBe(true);
  });

  it('ends at the absolute lifetime even when active', () => {
    const session = { createdAt: at(0), lastSeenAt: at(12 * 60 - 1) };
    expect(sessionExpiresAt(session, policy)).toEqual(at(12 * 60));
    expect(isSessionExpired(session, at(12 * 60), policy)).toBe(true);
  });
});
