import { i18n } from '../i18n';

/** One field-level validation problem reported by the server. */
export interface ApiFieldError {
  path: string;
  code: string;
  message: string;
}

/** Typed error for every non-2xx answer (and for network failures, with status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: ApiFieldError[];
  readonly details: unknown;

  constructor(
    status: number,
    code: string,
    message: string,
    fields: ApiFieldError[] = [],
    details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.details = details;
  }
}

export const API_PREFIX = '/api/v1';

type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | QueryValue[]>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;
let onPasswordChangeRequired: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The CSRF token of the session, for requests not sent through `request` (upload with progress). */
export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Called for a 401 on any request except the login request itself. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

/** Called for 403 PASSWORD_CHANGE_REQUIRED. */
export function setPasswordChangeRequiredHandler(handler: (() => void) | null): void {
  onPasswordChangeRequired = handler;
}

export function apiLanguage(): 'zh-CN' | 'en' {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  if (query) {
    for (const [key, raw] of Object.entries(query)) {
      const values = Array.isArray(raw) ? raw : [raw];
      for (const value of values) {
        if (value === undefined || value === null || value === '') continue;
        params.append(key, String(value));
      }
    }
  }
  const qs = params.toString();
  return `${API_PREFIX}${path}${qs ? `?${qs}` : ''}`;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function send(
  method: string,
  path: string,
  options: RequestOptions,
  accept: string,
): Promise<Response> {
  const headers: Record<string, string> = {
    Accept: accept,
    'Accept-Language': apiLanguage(),
  };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (MUTATING.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'NETWORK_ERROR', i18n.t('errors.network'));
  }
  if (!response.ok) throw await toApiError(response, path);
  return response;
}

async function toApiError(response: Response, path: string): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = i18n.t('errors.http', { status: response.status });
  let fields: ApiFieldError[] = [];
  let details: unknown;
  try {
    const data: unknown = await response.json();
    const err = (data as { error?: unknown } | null)?.error as
      | { code?: unknown; message?: unknown; details?: { fields?: unknown } }
      | undefined;
    if (err && typeof err === 'object') {
      if (typeof err.code === 'string') code = err.code;
      if (typeof err.message === 'string' && err.message) message = err.message;
      details = err.details;
      if (Array.isArray(err.details?.fields)) fields = err.details.fields as ApiFieldError[];
    }
  } catch {
    // Non-JSON error body (proxy page etc.): keep the generic message.
  }
  if (response.status === 429 && code.startsWith('HTTP_')) {
    code = 'RATE_LIMITED';
    message = i18n.t('errors.rateLimited');
  }
  const error = new ApiError(response.status, code, message, fields, details);
  if (response.status === 401 && path !== '/auth/login') onUnauthorized?.();
  if (response.status === 403 && code === 'PASSWORD_CHANGE_REQUIRED') onPasswordChangeRequired?.();
  return error;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options, 'application/json');
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** GET that returns the raw body as a Blob (CSV / .xlsx export) together with the suggested file name. */
export async function download(
  path: string,
  query?: Query,
  accept = 'text/csv, application/json;q=0.5',
): Promise<{ blob: Blob; filename: string | null }> {
  const response = await send('GET', path, { query }, accept);
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  let filename: string | null = null;
  if (star?.[1]) filename = decodeURIComponent(star[1]);
  else if (plain?.[1]) filename = plain[1];
  return { blob: await response.blob(), filename };
}

export const http = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  del: <T = void>(path: string, query?: Query) => request<T>('DELETE', path, { query }),
};

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
