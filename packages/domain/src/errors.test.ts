import { describe, expect, it } from 'vitest';
import {
  DomainError,
  ERRORS,
  type ErrorCode,
  errorMessage,
  isErrorCode,
  messagePlaceholders,
} from './errors.js';

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('error catalogue', () => {
  it('has a status and non-empty messages in both languages for every code', () => {
    for (const code of codes) {
      const def = ERRORS[code];
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(def.status).toBeGreaterThanOrEqual(400);
      expect(def.status).toBeLessThan(600);
      expect(def.zh.trim()).not.toBe('');
      expect(def.en.trim()).not.toBe('');
      expect(def.zh).toMatch(/\p{Script=Han}/u);
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const code of codes) {
      expect(messagePlaceholders(ERRORS[code].zh), code).toEqual(messagePlaceholders(ERRORS[code].en));
    }
  });

  it('contains the codes server and UI rely on, with their statuses', () => {
    const expected: Partial<Record<ErrorCode, number>> = {
      VALIDATION_FAILED: 400,
      AUTH_REQUIRED: 401,
      AUTH_INVALID_CREDENTIALS: 401,
      AUTH_LOCKED: 401,
      AUTH_DISABLED: 401,
      SESSION_EXPIRED: 401,
      PASSWORD_CHANGE_REQUIRED: 403,
      CSRF_INVALID: 403,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      VERSION_CONFLICT: 409,
      CONFLICT: 409,
      LOGIN_TAKEN: 409,
      DEPARTMENT_NOT_EMPTY: 409,
      DEPARTMENT_CYCLE: 409,
      ROLE_BUILTIN_READONLY: 409,
      ROLE_IN_USE: 409,
      LAST_SUPER_ADMIN: 409,
      SELF_ACTION_FORBIDDEN: 409,
      PAYLOAD_TOO_LARGE: 413,
      RATE_LIMITED: 429,
      TENANT_NOT_FOUND: 404,
      TOKEN_PERMISSION_EXCEEDED: 400,
      INTERNAL: 500,
      PASSWORD_TOO_SHORT: 400,
      PASSWORD_TOO_FEW_CLASSES: 400,
      PASSWORD_CONTAINS_LOGIN: 400,
      PASSWORD_TOO_LONG: 400,
      PASSWORD_REUSED: 400,
      PASSWORD_EXPIRED: 403,
      MOBILE_INVALID: 400,
      EMAIL_INVALID: 400,
      LOGIN_INVALID: 400,
      NAME_INVALID: 400,
      REQUIRED: 400,
      TOO_LONG: 400,
    };
    for (const [code, status] of Object.entries(expected)) {
      expect(isErrorCode(code), code).toBe(true);
      expect(ERRORS[code as ErrorCode].status, code).toBe(status);
    }
  });

  it('rejects unknown and inherited names as codes', () => {
    expect(isErrorCode('NOPE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });
});

describe('errorMessage', () => {
  it('returns the message in the requested locale', () => {
    expect(errorMessage('AUTH_INVALID_CREDENTIALS', 'zh-CN')).toBe('用户名或密码错误');
    expect(errorMessage('AUTH_INVALID_CREDENTIALS', 'en')).toBe('Incorrect username or password.');
  });

  it('fills placeholders and leaves missing ones visible', () => {
    expect(errorMessage('PASSWORD_TOO_SHORT', 'zh-CN', { min: 10 })).toBe('密码长度不能少于 10 位');
    expect(errorMessage('TOO_LONG', 'en', { max: 64 })).toBe('Must be at most 64 characters.');
    expect(errorMessage('TOO_LONG', 'en')).toBe('Must be at most {max} characters.');
    expect(errorMessage('TOO_LONG', 'en', { toString: 1 } as never)).toContain('{max}');
  });
});

describe('DomainError', () => {
  it('carries code and params', () => {
    const error = new DomainError('PASSWORD_REUSED', { count: 5 });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('PASSWORD_REUSED');
    expect(error.params).toEqual({ count: 5 });
    expect(error.message).toBe('The password must differ from your last 5 passwords.');
  });
});
