/**
 * Display maskers for sensitive values. They only hide parts of a value for display;
 * they are not a security boundary on their own (hidden fields must be removed, not masked).
 * `null` and `undefined` pass through unchanged.
 */

/** `+8613812345678` / `13812345678` → `138****5678`. Values too short to mask partially become `****`. */
export function maskMobile(value: string): string;
export function maskMobile<T extends null | undefined>(value: T): T;
export function maskMobile(value: string | null | undefined): string | null | undefined;
export function maskMobile(value: string | null | undefined): string | null | undefined {
  if (value == null) return value;
  let digits = value.normalize('NFKC').replace(/\D/g, '');
  if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  if (digits.length < 8) return '****';
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

/** `zhang@example.com` → `z***@example.com`; a value without `@` is masked like text. */
export function maskEmail(value: string): string;
export function maskEmail<T extends null | undefined>(value: T): T;
export function maskEmail(value: string | null | undefined): string | null | undefined;
export function maskEmail(value: string | null | undefined): string | null | undefined {
  if (value == null) return value;
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskText(value);
  const first = Array.from(value.slice(0, at))[0];
  return `${first}***${value.slice(at)}`;
}

/** `张三丰` → `张**`: first character, then one asterisk per remaining character. One character → `*`. */
export function maskText(value: string): string;
export function maskText<T extends null | undefined>(value: T): T;
export function maskText(value: string | null | undefined): string | null | undefined;
export function maskText(value: string | null | undefined): string | null | undefined {
  if (value == null || value === '') return value;
  const chars = Array.from(value);
  if (chars.length === 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}
