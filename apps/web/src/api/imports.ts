import type { ImportType } from '@kam/domain';
import { ApiError, apiLanguage, buildUrl, download, getCsrfToken, http, type Query } from './api';
import type { Page } from './types';

/** Mirrors the import API of apps/server/src/modules/imports/routes.ts (prefix /api/v1). */

export { IMPORT_TYPES, type ImportType } from '@kam/domain';

export type ImportStatus =
  | 'uploading'
  | 'uploaded'
  | 'mapped'
  | 'validating'
  | 'validated'
  | 'importing'
  | 'completed'
  | 'failed'
  | 'cancelled';

export type DuplicatePolicy = 'skip' | 'update' | 'create';

/** Column index (as a string key) → target field key, or null for "do not import". */
export type ImportMapping = Record<string, string | null>;

export interface ImportCounts {
  totalRows: number | null;
  processedRows: number;
  validRows: number;
  errorRows: number;
  duplicateRows: number;
  createdRows: number;
  updatedRows: number;
  skippedRows: number;
  failedRows: number;
}

export type CellValue = string | number | boolean | null;

export interface ImportJob extends ImportCounts {
  id: string;
  type: ImportType;
  status: ImportStatus;
  fileName: string;
  fileFormat: 'xlsx' | 'csv';
  encoding: 'utf8' | 'gbk' | null;
  size: number;
  /** the row number of the header in the file (titles above it are skipped) */
  headerRow: number;
  headers: string[];
  /** the first rows after the header, cells by column index */
  preview: CellValue[][];
  /** the chosen mapping, or (before it is set) the suggestion */
  mapping: ImportMapping;
  duplicatePolicy: DuplicatePolicy | null;
  /** why it failed, in the reader's language (from the server) */
  error: string | null;
  /** its stable code (e.g. JOB_FAILED) */
  errorCode: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export type IssueKind = 'error' | 'duplicate';

/** One problem of one row (a row can have several), from the dry run or the import. */
export interface ImportIssue {
  rowNumber: number;
  kind: IssueKind;
  field: string | null;
  /** the header of the field's column */
  column: string | null;
  /** the cell's value as read */
  value: CellValue;
  code: string;
  message: string;
  params: Record<string, string | number>;
  matchId: string | null;
}

export const RUNNING_STATUSES: readonly ImportStatus[] = ['validating', 'importing'];

const enc = encodeURIComponent;

/** Parses an error answer of the API the same way api.ts does for fetch answers. */
function xhrError(xhr: XMLHttpRequest): ApiError {
  let code = `HTTP_${xhr.status}`;
  let message = `HTTP ${xhr.status}`;
  let details: unknown;
  try {
    const data = JSON.parse(xhr.responseText) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
    };
    if (typeof data.error?.code === 'string') code = data.error.code;
    if (typeof data.error?.message === 'string' && data.error.message) message = data.error.message;
    details = data.error?.details;
  } catch {
    // Not JSON: keep the generic message.
  }
  const fields =
    details && typeof details === 'object' && Array.isArray((details as { fields?: unknown }).fields)
      ? ((details as { fields: ApiError['fields'] }).fields ?? [])
      : [];
  return new ApiError(xhr.status, code, message, fields, details);
}

/**
 * Sends `body` as the raw request body with upload progress (fetch has no upload progress).
 * `onProgress` receives 0…1. Resolves with the parsed JSON answer.
 */
export function uploadRaw<T>(
  path: string,
  query: Query,
  body: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', buildUrl(path, query));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', apiLanguage());
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    const csrf = getCsrfToken();
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T);
        } catch (error) {
          reject(error);
        }
      } else {
        reject(xhrError(xhr));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', 'Network error'));
    xhr.onabort = () => reject(new DOMException('Upload aborted', 'AbortError'));
    if (signal) {
      if (signal.aborted) {
        reject(new DOMException('Upload aborted', 'AbortError'));
        return;
      }
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(body);
  });
}

export const importsApi = {
  upload: (type: ImportType, file: File, onProgress: (fraction: number) => void, signal?: AbortSignal) =>
    uploadRaw<ImportJob>('/imports', { type, fileName: file.name }, file, onProgress, signal),
  list: (query: { limit?: number; cursor?: string | null }, signal?: AbortSignal) =>
    http.get<Page<ImportJob>>('/imports', { ...query }, signal),
  get: (id: string, signal?: AbortSignal) => http.get<ImportJob>(`/imports/${enc(id)}`, undefined, signal),
  setMapping: (id: string, body: { mapping: ImportMapping; saveAsTemplate: boolean; version: number }) =>
    http.put<ImportJob>(`/imports/${enc(id)}/mapping`, body),
  validate: (id: string, version: number) =>
    http.post<ImportJob>(`/imports/${enc(id)}/validate`, { version }),
  issues: (
    id: string,
    query: { kind?: IssueKind; phase?: 'validate' | 'commit'; limit?: number; cursor?: string | null },
    signal?: AbortSignal,
  ) => http.get<Page<ImportIssue>>(`/imports/${enc(id)}/errors`, { ...query }, signal),
  commit: (id: string, body: { duplicatePolicy: DuplicatePolicy; version: number }) =>
    http.post<ImportJob>(`/imports/${enc(id)}/commit`, body),
  cancel: (id: string, version: number) => http.post<ImportJob>(`/imports/${enc(id)}/cancel`, { version }),
  errorFile: (id: string) => download(`/imports/${enc(id)}/error-file`),
  template: (type: ImportType) => download(`/imports/templates/${enc(type)}`),
};

/** Saves a downloaded body under `filename` (browser download). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
