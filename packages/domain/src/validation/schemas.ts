import { normalizeEmail } from './email.js';
import { normalizeMobile } from './mobile.js';
import {
  validateDepartmentCode,
  validateDepartmentName,
  validateDisplayName,
  validateLogin,
} from './names.js';
import { zValidated } from './result.js';

/** Mobile → E.164 `+86…`; issue message `MOBILE_INVALID`. */
export const zMobile = zValidated(normalizeMobile, 'MOBILE_INVALID');
/** Email → trimmed, domain lower-cased; issue message `EMAIL_INVALID`. */
export const zEmail = zValidated(normalizeEmail, 'EMAIL_INVALID');
/** Login → lower-cased; issue message `LOGIN_INVALID`. */
export const zLogin = zValidated(validateLogin, 'LOGIN_INVALID');
/** Display name → NFKC, trimmed; issue message `REQUIRED`, `TOO_LONG` (max 64) or `NAME_INVALID`. */
export const zDisplayName = zValidated(validateDisplayName, 'NAME_INVALID');
/** Department name, same rules as a display name. */
export const zDepartmentName = zValidated(validateDepartmentName, 'NAME_INVALID');
/** Department code; issue message `CODE_INVALID`. */
export const zDepartmentCode = zValidated(validateDepartmentCode, 'CODE_INVALID');
