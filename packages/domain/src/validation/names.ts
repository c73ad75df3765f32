import { charLength, normalizeInput, type Validated } from './result.js';

export const LOGIN_MIN_LENGTH = 3;
export const LOGIN_MAX_LENGTH = 32;
export const NAME_MAX_LENGTH = 64;
export const DEPARTMENT_CODE_MAX_LENGTH = 32;

const LOGIN = /^[a-z0-9][a-z0-9._-]{2,31}$/;
const DEPARTMENT_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** Canonical (lower-case) form of a login name; logins are case-insensitive and stored this way. */
export function normalizeLogin(input: string): string {
  return normalizeInput(input).toLowerCase();
}

/** 3–32 characters of `[a-zA-Z0-9._-]`, starting with a letter or digit. Returns the lower-cased login. */
export function validateLogin(input: string): Validated<'LOGIN_INVALID'> {
  const value = normalizeLogin(input);
  return LOGIN.test(value) ? { ok: true, value } : { ok: false, code: 'LOGIN_INVALID' };
}

/** A human-readable name: NFKC, trimmed, inner whitespace collapsed, 1..max characters, no control chars. */
export function validateName(
  input: string,
  max = NAME_MAX_LENGTH,
): Validated<'REQUIRED' | 'TOO_LONG' | 'NAME_INVALID'> {
  const value = normalizeInput(input).replace(/\s+/g, ' ');
  if (value === '') return { ok: false, code: 'REQUIRED' };
  if (charLength(value) > max) return { ok: false, code: 'TOO_LONG' };
  if (/\p{Cc}/u.test(value)) return { ok: false, code: 'NAME_INVALID' };
  return { ok: true, value };
}

export const validateDisplayName = (input: string) => validateName(input);
export const validateDepartmentName = (input: string) => validateName(input);

/** Optional short department code: 1–32 characters of `[A-Za-z0-9._-]`, starting alphanumeric. */
export function validateDepartmentCode(input: string): Validated<'CODE_INVALID'> {
  const value = normalizeInput(input);
  return DEPARTMENT_CODE.test(value) ? { ok: true, value } : { ok: false, code: 'CODE_INVALID' };
}
