import { AppError } from '../http/errors.js';

/**
 * The answer when the actor may not act on a record, by what the actor may know of it:
 * - `missing`: no such record → 404;
 * - `invisible`: exists outside the actor's view scope → 404 (never confirming it exists), recorded
 *   as `authz.denied`;
 * - `visible`: the actor may see it but not do this → 403, recorded as `authz.denied`.
 */
export function denyRecord(
  entityType: string,
  entityId: string,
  known: 'missing' | 'invisible' | 'visible',
): AppError {
  if (known === 'missing') return new AppError('NOT_FOUND');
  const denial = { entityType, entityId, reason: 'out_of_scope' };
  return known === 'visible'
    ? new AppError('FORBIDDEN', {}, undefined, denial)
    : new AppError('NOT_FOUND', {}, undefined, denial);
}
