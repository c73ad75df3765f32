/**
 * Why a background job (an import, a tiering run) stopped, as recorded on it: a stable code with its
 * parameters, shown in the reader's language (`failureMessage`), and the technical text for operators.
 * An `AppError` keeps its code; anything else is `JOB_FAILED` with the error's own message as `reason`.
 */
import { type ErrorCode, type ErrorParams, errorMessage, isErrorCode, type Locale } from '@kam/domain';
import { AppError } from '../http/errors.js';

export interface RecordedFailure {
  code: ErrorCode;
  params: ErrorParams;
  /** English, for the logs and operators (at most 1,000 characters). */
  text: string;
}

/** The error's message and, for a wrapped error, what caused it. */
function technical(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : null;
  return cause ? `${err.message}: ${cause}` : err.message;
}

export function recordedFailure(err: unknown): RecordedFailure {
  if (err instanceof AppError) {
    return {
      code: err.code,
      params: err.params,
      text: errorMessage(err.code, 'en', err.params).slice(0, 1000),
    };
  }
  const text = technical(err);
  return { code: 'JOB_FAILED', params: { reason: text.slice(0, 500) }, text: text.slice(0, 1000) };
}

/** A failure with a known code and parameters (e.g. a watchdog's verdict). */
export function failure(code: ErrorCode, params: ErrorParams = {}): RecordedFailure {
  return { code, params, text: errorMessage(code, 'en', params) };
}

/**
 * The message a reader sees: from the stored code in their language; a failure recorded before codes
 * were stored (or with a code this version does not know) shows its text.
 */
export function failureMessage(
  row: { error: string | null; error_code: string | null; error_params: unknown },
  locale: Locale,
): string | null {
  if (row.error_code && isErrorCode(row.error_code)) {
    const params = (row.error_params ?? {}) as ErrorParams;
    return errorMessage(row.error_code, locale, params);
  }
  return row.error;
}
