import { domainIssues, type EffectValidation, errorMessage } from '@kam/domain';
import type { z } from 'zod';
import type { FieldError } from '../../http/errors.js';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Object.hasOwn(current, key) ? (current as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return current;
}

/**
 * An effect's `validate` from a zod schema: the parsed payload, or `VALIDATION_FAILED` with one field
 * error per problem (paths relative to the payload; the approvals service prefixes `body.payload`).
 */
export function payloadValidation<S extends z.ZodType>(
  schema: S,
  payload: unknown,
): EffectValidation<z.output<S>> {
  const result = schema.safeParse(payload);
  if (result.success) return { ok: true, value: result.data };
  const fields: FieldError[] = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    const missing =
      (issue.code === 'invalid_type' && valueAt(payload, issue.path) === undefined) ||
      (issue.code === 'too_small' && issue.origin === 'string' && Number(issue.minimum) === 1);
    if (missing) return [{ path, code: 'REQUIRED', message: errorMessage('REQUIRED', 'zh-CN') }];
    return domainIssues(issue).map((d) => ({
      path: d.path.map(String).join('.'),
      code: d.code,
      message: errorMessage(d.code, 'zh-CN', d.params ?? {}),
      ...(d.params ? { params: d.params as Record<string, string | number> } : {}),
    }));
  });
  return { ok: false, code: 'VALIDATION_FAILED', details: { fields } };
}
