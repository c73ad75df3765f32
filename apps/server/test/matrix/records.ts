import type { Entry } from '../support/matrix-table.js';

/** Permission-matrix rows of this capability (see permission-matrix.test.ts for the columns). */
export const CUSTOMER_RECORDS_MATRIX: Record<string, Entry> = {};
