import { z } from 'zod';
import type { ErrorCode } from '../errors.js';

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
