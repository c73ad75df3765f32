import { randomUUID } from 'node:crypto';

/**
 * A new record id in the layout of UUID version 7 (RFC 9562): the milliseconds since 1970 in the first
 * 48 bits, then the version 7 and 74 random bits (those of a version 4 id, whose variant bits are
 * already `10`). Records created close in time get ids close in order, so a batch of them lands at the
 * right edge of every index that starts with the id (primary keys, the account team's, the live
 * customers') instead of on a random page each: inserting 3,000 customers into a tenant of 100,000
 * took 300 ms instead of 560 ms (decision 0028). The same layout as `kam_time_uuid()` in SQL
 * (migration 0016). Not a secret: a record's id shows when it was created, as its `createdAt` does.
 */
export function timeUuid(nowMs: number = Date.now()): string {
  const t = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0').slice(-12);
  // randomUUID(): xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx — keep from the 4's successor on
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
