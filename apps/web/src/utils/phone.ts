/** Mainland mobiles are stored as E.164 (`+8613812345678`); people read them as `138 1234 5678`. Masked values pass through. */
export function displayMobile(value: string | null | undefined): string {
  if (!value) return '—';
  const m = /^\+86(1\d{2})(\d{4})(\d{4})$/.exec(value);
  return m ? `${m[1]} ${m[2]} ${m[3]}` : value;
}
