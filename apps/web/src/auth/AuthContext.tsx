import { App } from 'antd';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import {
  isApiError,
  setCsrfToken,
  setPasswordChangeRequiredHandler,
  setUnauthorizedHandler,
} from '../api/api';
import { authApi, meApi } from '../api/endpoints';
import type { Locale, Me } from '../api/types';
import { currentLocale, setLocale } from '../i18n';
import { hasAny, hasPermission, type Permission } from './permissions';

export type AuthStatus = 'loading' | 'anonymous' | 'authenticated' | 'error';

export interface LoginInput {
  login: string;
  password: string;
  organization?: string;
}

export interface AuthContextValue {
  status: AuthStatus;
  me: Me | null;
  /** Error from the initial /me request when it was not a 401 (server down etc.). */
  bootError: string | null;
  login: (input: LoginInput) => Promise<Me>;
  logout: () => Promise<void>;
  logoutAll: () => Promise<void>;
  refresh: () => Promise<Me | null>;
  /** After POST /auth/password: store the new CSRF token and reload me. */
  passwordChanged: (csrfToken: string) => Promise<void>;
  /** Switch the UI language; remembered on this browser and, when signed in, on my profile. */
  changeLocale: (locale: Locale) => Promise<void>;
  can: (permission: Permission) => boolean;
  canAny: (...permissions: Permission[]) => boolean;
}

const AuthContext = createContext<AuthContextValue | null>(null);

/** Set when the language was switched explicitly before sign-in in this tab. */
let localeChosenBeforeLogin: Locale | null = null;

export function AuthProvider({ children }: { children: ReactNode }) {
  const { message } = App.useApp();
  const { t } = useTranslation();
  const [status, setStatus] = useState<AuthStatus>('loading');
  const [me, setMe] = useState<Me | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  const statusRef = useRef<AuthStatus>('loading');
  statusRef.current = status;
  const meRef = useRef<Me | null>(null);
  meRef.current = me;

  const becomeAnonymous = useCallback(() => {
    setCsrfToken(null);
    setMe(null);
    setStatus('anonymous');
  }, []);

  const adoptMe = useCallback(async (next: Me): Promise<Me> => {
    setCsrfToken(next.csrfToken);
    const chosen = localeChosenBeforeLogin;
    let adopted = next;
    // While a password change is forced, PATCH /me is refused: keep the choice pending until then.
    if (chosen && !next.mustChangePassword && !next.passwordExpired) {
      localeChosenBeforeLogin = null;
      if (chosen !== next.locale) {
        // The user picked a language before signing in: make it their saved preference.
        try {
          adopted = { ...(await meApi.update({ locale: chosen })), csrfToken: next.csrfToken };
        } catch {
          adopted = { ...next, locale: chosen };
        }
      }
    }
    const targetLocale = chosen ?? adopted.locale;
    if (targetLocale && targetLocale !== currentLocale()) await setLocale(targetLocale);
    setMe(adopted);
    setStatus('authenticated');
    return adopted;
  }, []);

  const refresh = useCallback(async (): Promise<Me | null> => {
    try {
      const next = await meApi.get();
      setBootError(null);
      return await adoptMe(next);
    } catch (error) {
      if (isApiError(error) && error.status === 401) {
        becomeAnonymous();
        return null;
      }
      if (statusRef.current === 'loading' || statusRef.current === 'error') {
        setBootError(error instanceof Error ? error.message : String(error));
        setStatus('error');
      }
      throw error;
    }
  }, [adoptMe, becomeAnonymous]);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (statusRef.current === 'authenticated') {
        void message.warning({ content: t('errors.sessionExpired'), key: 'session-expired' });
      }
      becomeAnonymous();
    });
    setPasswordChangeRequiredHandler(() => {
      setMe((prev) => (prev ? { ...prev, mustChangePassword: true } : prev));
    });
    return () => {
      setUnauthorizedHandler(null);
      setPasswordChangeRequiredHandler(null);
    };
  }, [becomeAnonymous, message, t]);

  useEffect(() => {
    refresh().catch(() => undefined);
  }, [refresh]);

  const login = useCallback(
    async (input: LoginInput): Promise<Me> => {
      const body: LoginInput = { login: input.login, password: input.password };
      if (input.organization?.trim()) body.organization = input.organization.trim();
      const response = await authApi.login(body);
      return adoptMe({ ...response.user, csrfToken: response.csrfToken });
    },
    [adoptMe],
  );

  const logout = useCallback(async () => {
    try {
      await authApi.logout();
    } catch {
      // Already signed out or offline: the local state is cleared either way.
    }
    becomeAnonymous();
  }, [becomeAnonymous]);

  const logoutAll = useCallback(async () => {
    await authApi.logoutAll();
    becomeAnonymous();
  }, [becomeAnonymous]);

  const passwordChanged = useCallback(
    async (csrfToken: string) => {
      setCsrfToken(csrfToken);
      await refresh();
    },
    [refresh],
  );

  const changeLocale = useCallback(async (locale: Locale) => {
    await setLocale(locale);
    const current = meRef.current;
    if (
      statusRef.current !== 'authenticated' ||
      !current ||
      current.mustChangePassword ||
      current.passwordExpired
    ) {
      // Saved to my profile at the next sign-in / right after the forced password change.
      localeChosenBeforeLogin = locale;
      return;
    }
    setMe((prev) => (prev ? { ...prev, locale } : prev));
    try {
      await meApi.update({ locale });
    } catch {
      // Not fatal: the choice is still stored on this browser.
    }
  }, []);

  const value = useMemo<AuthContextValue>(
    () => ({
      status,
      me,
      bootError,
      login,
      logout,
      logoutAll,
      refresh,
      passwordChanged,
      changeLocale,
      can: (permission) => hasPermission(me, permission),
      canAny: (...permissions) => hasAny(me, permissions),
    }),
    [status, me, bootError, login, logout, logoutAll, refresh, passwordChanged, changeLocale],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const context = useContext(AuthContext);
  if (!context) throw new Error('useAuth must be used inside <AuthProvider>');
  return context;
}

/** The signed-in user. Only for components rendered behind <RequireAuth>. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe used without a signed-in user');
  return me;
}

/** `const can = useCan(); can('user.create')` */
export function useCan(): (permission: Permission) => boolean {
  return useAuth().can;
}
