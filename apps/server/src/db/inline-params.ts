/**
 * Writing a parameterised statement's values into its text, for statements sent in one
 * simple-protocol message (`Database.readOnce`): every `$n` becomes a quoted literal, typed by its
 * context exactly as an untyped parameter would be (`'5'` is an `unknown` literal, like `$1`).
 *
 * Only for statements KAM builds itself: the text must not contain `$n` inside string literals or
 * dollar-quoted bodies (the builders never write either; values only ever arrive as parameters).
 */

/** PostgreSQL's standard-conforming string literal (`E''` when the value holds a backslash). */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('a text value cannot contain NUL');
  const body = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** The text form of one array element: double-quoted, with `\` and `"` escaped; NULL bare. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return arrayText(value);
  return `"${scalarText(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function arrayText(values: readonly unknown[]): string {
  return `{${values.map(arrayElement).join(',')}}`;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot inline the number ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return JSON.stringify(value);
}

/** One value as a literal: NULL, or the driver's text form of it quoted (arrays as array literals). */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return quoteLiteral(Array.isArray(value) ? arrayText(value) : scalarText(value));
}

/** `text` with each `$n` replaced by `literal(values[n - 1])`; every placeholder must have a value. */
export function inlineParams(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length)
      throw new Error(`statement refers to $${n} but has ${values.length} values`);
    return literal(values[i]);
  });
}
