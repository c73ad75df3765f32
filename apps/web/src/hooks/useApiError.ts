import { App, type FormInstance } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/api';

export function isVersionConflict(error: unknown): boolean {
  return isApiError(error) && error.code === 'VERSION_CONFLICT';
}

export interface ApiErrorHelpers {
  /** Show a toast for any error (server messages come already translated). 401s are handled globally. */
  showError: (error: unknown) => void;
  /**
   * Map `details.fields[].path` onto form fields (matching the longest known prefix of the path,
   * after removing `stripPrefix`). Anything not mapped is shown as a toast.
   */
  showFormError: (
    form: FormInstance,
    error: unknown,
    knownFields: readonly string[],
    options?: { stripPrefix?: string; fieldAlias?: Record<string, string> },
  ) => void;
  /** Tell the user about a 409 VERSION_CONFLICT; returns true when it was one (caller then reloads). */
  handleConflict: (error: unknown) => boolean;
}

export function useApiError(): ApiErrorHelpers {
  const { message } = App.useApp();
  const { t } = useTranslation();

  const showError = useCallback(
    (error: unknown) => {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      if (isApiError(error)) {
        if (error.status === 401 && error.code !== 'AUTH_INVALID_CREDENTIALS') return;
        if (error.code === 'PASSWORD_CHANGE_REQUIRED') return;
        void message.error({ content: error.message, key: `api-${error.code}` });
        return;
      }
      void message.error(error instanceof Error ? error.message : String(error));
    },
    [message],
  );

  const handleConflict = useCallback(
    (error: unknown) => {
      if (!isVersionConflict(error)) return false;
      void message.warning({ content: t('errors.versionConflict'), key: 'version-conflict', duration: 6 });
      return true;
    },
    [message, t],
  );

  const showFormError = useCallback<ApiErrorHelpers['showFormError']>(
    (form, error, knownFields, options) => {
      if (!isApiError(error) || error.fields.length === 0) {
        showError(error);
        return;
      }
      const known = new Set(knownFields);
      const byField = new Map<string, string[]>();
      let unmapped = false;
      for (const field of error.fields) {
        // Server paths name the request part first (`body.name`, `querystring.limit`).
        let path = field.path.replace(/^(body|querystring|query|params)\./, '');
        if (options?.stripPrefix && path.startsWith(options.stripPrefix)) {
          path = path.slice(options.stripPrefix.length);
        }
        const segments = path.split(/[.[\]]+/).filter(Boolean);
        let target: string | null = null;
        for (let n = segments.length; n > 0 && !target; n -= 1) {
          const candidate = segments.slice(0, n).join('.');
          const aliased = options?.fieldAlias?.[candidate] ?? candidate;
          if (known.has(aliased)) target = aliased;
        }
        if (!target) {
          unmapped = true;
          continue;
        }
        byField.set(target, [...(byField.get(target) ?? []), field.message]);
      }
      if (byField.size > 0) {
        form.setFields([...byField].map(([name, errors]) => ({ name: name.split('.'), errors })));
      }
      if (unmapped || byField.size === 0) void message.error({ content: error.message, key: 'form-error' });
    },
    [message, showError],
  );

  return { showError, showFormError, handleConflict };
}
