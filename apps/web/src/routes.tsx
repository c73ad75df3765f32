import { lazy, type ReactNode, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { RequireAuth, RequirePermission } from './auth/guards';
import { ErrorBoundary } from './components/ErrorBoundary';
import { NotFoundResult, PageLoading } from './components/Results';
import { AppLayout } from './layout/AppLayout';

const LoginPage = lazy(() => import('./pages/login/LoginPage'));
const ForcedPasswordPage = lazy(() => import('./pages/password/ForcedPasswordPage'));
const AccountPasswordPage = lazy(() => import('./pages/password/AccountPasswordPage'));
const HomePage = lazy(() => import('./pages/home/HomePage'));
const CustomersPage = lazy(() => import('./pages/customers/CustomersPage'));
const CustomerDetailPage = lazy(() => import('./pages/customers/detail/CustomerDetailPage'));
const DepartmentsPage = lazy(() => import('./pages/departments/DepartmentsPage'));
const UsersPage = lazy(() => import('./pages/users/UsersPage'));
const RolesPage = lazy(() => import('./pages/roles/RolesPage'));
const RoleEditorPage = lazy(() => import('./pages/roles/RoleEditorPage'));
const TokensPage = lazy(() => import('./pages/tokens/TokensPage'));
const AuditPage = lazy(() => import('./pages/audit/AuditPage'));
const SecurityPolicyPage = lazy(() => import('./pages/security/SecurityPolicyPage'));
const SessionsPage = lazy(() => import('./pages/sessions/SessionsPage'));
const ImportsPage = lazy(() => import('./pages/imports/ImportsPage'));
const ApprovalsPage = lazy(() => import('./pages/approvals/ApprovalsPage'));
const FlowsPage = lazy(() => import('./pages/approvals/flow/FlowsPage'));
const FlowEditorPage = lazy(() => import('./pages/approvals/flow/FlowEditorPage'));
const TieringPage = lazy(() => import('./pages/tiering/TieringPage'));
const ModelEditorPage = lazy(() => import('./pages/tiering/ModelEditorPage'));

/**
 * Route map (served by the KAM server with SPA fallback):
 *   /login                 sign in (public)
 *   /change-password       forced password change (signed in, mustChangePassword/passwordExpired)
 *   /                      home (shortcuts)
 *   /customers[?q&ownerId&departmentId&includeSubtree&industry&provinceCode&cityCode&status&tags
 *              &lastFollowUpBefore&lastFollowUpAfter&revenueMin&revenueMax&sort&order&view]  customer.view
 *   /customers/:id         customer.view (Customer 360)
 *   /departments[?id=]     department.view
 *   /users[?q&departmentId&includeSubtree&status&roleId&sort&order]   user.view
 *   /roles                 role.view
 *   /roles/new[?copyFrom=] role.configure
 *   /roles/:id             role.view (editable with role.configure, built-ins read-only)
 *   /tokens                api_token.create
 *   /audit[?actorId&action&entityType&entityId&from&to&q]            audit.view
 *   /security              tenant.view or tenant.configure (editable with tenant.configure)
 *   /account/sessions      everyone signed in
 *   /account/password      everyone signed in
 *   /imports[?type&id]     customer.import (the import wizard; id = the import being worked on)
 *   /approvals[?box&status&type&id]  everyone signed in (approval inbox; id = the request open in the drawer)
 *   /approval-flows        approval_flow.view (flow list)
 *   /approval-flows/:type  approval_flow.view (flow builder; editable with approval_flow.configure)
 *   /tiering               tiering.view (tier models, runs; create with tiering.configure)
 *   /tiering/models/:id[?tab]  tiering.view (model editor; editable with tiering.configure)
 */
export function AppRoutes() {
  return (
    <Routes>
      <Route
        path="/login"
        element={
          <Standalone>
            <LoginPage />
          </Standalone>
        }
      />
      <Route
        path="/change-password"
        element={
          <Standalone>
            <ForcedPasswordPage />
          </Standalone>
        }
      />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<HomePage />} />
        <Route
          path="customers"
          element={
            <RequirePermission anyOf={['customer.view']}>
              <CustomersPage />
            </RequirePermission>
          }
        />
        <Route
          path="customers/:id"
          element={
            <RequirePermission anyOf={['customer.view']}>
              <CustomerDetailPage />
            </RequirePermission>
          }
        />
        <Route
          path="departments"
          element={
            <RequirePermission anyOf={['department.view']}>
              <DepartmentsPage />
            </RequirePermission>
          }
        />
        <Route
          path="users"
          element={
            <RequirePermission anyOf={['user.view']}>
              <UsersPage />
            </RequirePermission>
          }
        />
        <Route
          path="roles"
          element={
            <RequirePermission anyOf={['role.view']}>
              <RolesPage />
            </RequirePermission>
          }
        />
        <Route
          path="roles/new"
          element={
            <RequirePermission anyOf={['role.configure']}>
              <RoleEditorPage />
            </RequirePermission>
          }
        />
        <Route
          path="roles/:id"
          element={
            <RequirePermission anyOf={['role.view']}>
              <RoleEditorPage />
            </RequirePermission>
          }
        />
        <Route
          path="tokens"
          element={
            <RequirePermission anyOf={['api_token.create']}>
              <TokensPage />
            </RequirePermission>
          }
        />
        <Route
          path="audit"
          element={
            <RequirePermission anyOf={['audit.view']}>
              <AuditPage />
            </RequirePermission>
          }
        />
        <Route
          path="security"
          element={
            <RequirePermission anyOf={['tenant.configure', 'tenant.view']}>
              <SecurityPolicyPage />
            </RequirePermission>
          }
        />
        <Route
          path="imports"
          element={
            <RequirePermission anyOf={['customer.import']}>
              <ImportsPage />
            </RequirePermission>
          }
        />
        <Route path="approvals" element={<ApprovalsPage />} />
        <Route
          path="approval-flows"
          element={
            <RequirePermission anyOf={['approval_flow.view', 'approval_flow.configure']}>
              <FlowsPage />
            </RequirePermission>
          }
        />
        <Route
          path="approval-flows/:type"
          element={
            <RequirePermission anyOf={['approval_flow.view', 'approval_flow.configure']}>
              <FlowEditorPage />
            </RequirePermission>
          }
        />
        <Route
          path="tiering"
          element={
            <RequirePermission anyOf={['tiering.view']}>
              <TieringPage />
            </RequirePermission>
          }
        />
        <Route
          path="tiering/models/:id"
          element={
            <RequirePermission anyOf={['tiering.view']}>
              <ModelEditorPage />
            </RequirePermission>
          }
        />
        <Route path="account/sessions" element={<SessionsPage />} />
        <Route path="account/password" element={<AccountPasswordPage />} />
        <Route path="*" element={<NotFoundResult />} />
      </Route>
    </Routes>
  );
}

function Standalone({ children }: { children: ReactNode }) {
  return (
    <ErrorBoundary>
      <Suspense fallback={<PageLoading />}>{children}</Suspense>
    </ErrorBoundary>
  );
}
