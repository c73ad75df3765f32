import { z } from 'zod';
import { type ErrorCode, type ErrorParams, isErrorCode } from '../errors.js';

/** Outcome of a validator: the normalised value, or a stable error code from `ERRORS`. */
export type Validated<C extends ErrorCode, V = string> = { ok: true; value: V } | { ok: false; code: C };

/** NFKC (full-width → half-width), trimmed. */
export function normalizeInput(input: string): string {
  return input.normalize('NFKC').trim();
}

/** Length in characters (code points), so that `张三` counts 2. */
export function charLength(value: string): number {
  return Array.from(value).length;
}

/**
 * A zod string schema that outputs the validator's normalised value. Issues carry the stable code as their
 * message (`REQUIRED` when the value is missing, the invalid code when it is not a string).
 */
export function zValidated<C extends ErrorCode>(validate: (input: string) => Validated<C>, invalidCode: C) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'REQUIRED' : invalidCode) })
    .transform((input, ctx) => {
      const result = validate(input);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.code, input });
      return z.NEVER;
    });
}

/** One problem of a structured document (an approval flow, a tiering model): where, which code, its params. */
export interface DomainIssue {
  path: (string | number)[];
  code: ErrorCode;
  params?: ErrorParams;
}

/** A zod issue as stable codes: issue messages that are error codes pass through with their params. */
export function domainIssues(issue: z.core.$ZodIssue): DomainIssue[] {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((name) => ({ path: [...path, name], code: 'UNKNOWN_PROPERTY', params: { name } }));
  }
  if (isErrorCode(issue.message)) {
    const params = (issue as { params?: ErrorParams }).params;
    return [params ? { path, code: issue.message, params } : { path, code: issue.message }];
  }
  if (issue.code === 'too_big' && issue.origin === 'string') {
    return [{ path, code: 'TOO_LONG', params: { max: Number(issue.maximum) } }];
  }
  return [{ path, code: 'INVALID_VALUE' }];
}

/** Parses a document with its schema; on failure, every problem as a `DomainIssue`. */
export function validateDocument<T>(
  schema: z.ZodType<T, unknown>,
  input: unknown,
): { ok: true; value: T } | { ok: false; issues: DomainIssue[] } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.flatMap(domainIssues) };
}
