import { ERRORS, type ErrorCode, errorMessage, isErrorCode, type Locale } from '@kam/domain';

export { isErrorCode };

export interface FieldError {
  path: string;
  code: string;
  /** Filled in the request's language by the error handler when `code` is in the catalogue. */
  message: string;
  /** Placeholders of the code's message; not sent to the client. */
  params?: Record<string, string | number>;
}

export interface Denial {
  permission?: string;
  entityType?: string;
  entityId?: string;
  reason?: string;
}

/**
 * A failure with a stable code. Services throw it; the HTTP layer turns it into
 * `{ error: { code, message, details } }` with the status the catalogue assigns to the code.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, string | number> = {},
    readonly details?: { fields?: FieldError[] } & Record<string, unknown>,
    /** Set when the error is an authorisation denial: recorded as `authz.denied` in the audit trail. */
    readonly denial?: Denial,
  ) {
    super(code);
  }

  get status(): number {
    return ERRORS[this.code].status;
  }
}

export function errorBody(
  code: ErrorCode,
  locale: Locale,
  params?: Record<string, string | number>,
  details?: unknown,
) {
  if (details && typeof details === 'object' && Array.isArray((details as { fields?: unknown }).fields)) {
    const fields = (details as { fields: FieldError[] }).fields.map(({ params: fp, ...f }) => ({
      ...f,
      message: isErrorCode(f.code) ? errorMessage(f.code, locale, fp) : f.message,
    }));
    details = { ...details, fields };
  }
  return {
    error: {
      code,
      message: errorMessage(code, locale, params),
      ...(details === undefined ? {} : { details }),
    },
  };
}
