import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ForbiddenResult } from '../components/Results';
import { useAuth } from './AuthContext';
import type { Permission } from './permissions';

export function loginPath(next?: string): string {
  return next && next !== '/' && !next.startsWith('/login')
    ? `/login?next=${encodeURIComponent(next)}`
    : '/login';
}

/** Signed-in users only; users who must change their password are held on /change-password. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { me } = useAuth();
  const location = useLocation();
  if (!me) return <Navigate to={loginPath(location.pathname + location.search)} replace />;
  if (me.mustChangePassword || me.passwordExpired) return <Navigate to="/change-password" replace />;
  return <>{children}</>;
}

/** Renders children only when I hold one of `anyOf` (the server enforces too). */
export function RequirePermission({ anyOf, children }: { anyOf: Permission[]; children: ReactNode }) {
  const { canAny } = useAuth();
  if (!canAny(...anyOf)) return <ForbiddenResult />;
  return <>{children}</>;
}
