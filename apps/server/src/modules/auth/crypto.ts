import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

/** argon2id with the library's defaults (m = 19 MiB, t = 2, p = 1: the OWASP baseline). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

// A real hash to verify against when the login is unknown, so both paths cost the same.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(hashed: string | null, password: string): Promise<boolean> {
  if (!hashed) {
    dummyHash ??= hashPassword('kam-dummy-password-for-timing');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(hashed, password).catch(() => false);
}

/** 256-bit random secret, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A readable one-time password that satisfies the default policy (upper, lower, digit, symbol). */
export function generatePassword(): string {
  const pick = (chars: string, n: number) =>
    Array.from(randomBytes(n), (b) => chars[b % chars.length]).join('');
  const body = `${pick('ABCDEFGHJKLMNPQRSTUVWXYZ', 3)}${pick('abcdefghijkmnpqrstuvwxyz', 5)}${pick('23456789', 3)}${pick('@#%+=', 1)}`;
  // shuffle
  const arr = [...body];
  const r = randomBytes(arr.length);
  for (let i = arr.length - 1; i > 0; i--) {
    const j = r[i]! % (i + 1);
    [arr[i], arr[j]] = [arr[j]!, arr[i]!];
  }
  return arr.join('');
}
