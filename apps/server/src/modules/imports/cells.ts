import { type CellValue, type ImportType, validateImportRow } from '@kam/domain';
import type { SheetCell } from './sheet.js';

/** A problem of one row: the field (null: the whole row), a catalogue code and its message params. */
export interface RowProblem {
  field: string | null;
  code: string;
  params: Record<string, string | number>;
}

/** The adapter's cell as the domain validator takes it (a formula without result has no `result`). */
export function toCellValue(cell: SheetCell | undefined): CellValue {
  return cell === undefined ? null : cell;
}

/** The domain's pure row checks: the normalised values, or the problems by field. */
export function checkRow(
  type: ImportType,
  cells: Record<string, CellValue>,
): { values: Record<string, unknown>; errors: RowProblem[] } {
  const result = validateImportRow(type, cells);
  if (result.ok) return { values: result.value, errors: [] };
  return {
    values: {},
    errors: result.errors.map((e) => ({ field: e.field, code: e.code, params: { ...(e.params ?? {}) } })),
  };
}
