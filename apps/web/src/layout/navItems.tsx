import {
  ApartmentOutlined,
  ApiOutlined,
  AuditOutlined,
  BranchesOutlined,
  CheckSquareOutlined,
  CloudUploadOutlined,
  ClusterOutlined,
  ContactsOutlined,
  DesktopOutlined,
  HomeOutlined,
  SafetyCertificateOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Permission } from '../auth/permissions';
import type { zhCN } from '../i18n/zh-CN';

export type TranslationKey = keyof typeof zhCN;

export interface NavItem {
  key: string;
  path: string;
  labelKey: TranslationKey;
  descKey?: TranslationKey;
  icon: ReactNode;
  testId?: string;
  /** Shown when I hold any of these; empty = everyone. */
  anyOf: Permission[];
  group: 'main' | 'org' | 'system' | 'account';
}

export const NAV_ITEMS: NavItem[] = [
  { key: 'home', path: '/', labelKey: 'nav.home', icon: <HomeOutlined />, anyOf: [], group: 'main' },
  {
    key: 'customers',
    path: '/customers',
    labelKey: 'nav.customers',
    descKey: 'home.descCustomers',
    icon: <ContactsOutlined />,
    testId: 'nav-customers',
    anyOf: ['customer.view'],
    group: 'main',
  },
  {
    key: 'imports',
    path: '/imports',
    // Keys of i18n/imports.ts (merged into the same resources in i18n/index.ts).
    labelKey: 'nav.imports' as TranslationKey,
    descKey: 'home.descImports' as TranslationKey,
    icon: <CloudUploadOutlined />,
    testId: 'nav-imports',
    anyOf: ['customer.import'],
    group: 'main',
  },
  {
    key: 'approvals',
    path: '/approvals',
    // Keys of i18n/approvals.ts (merged into the same resources in i18n/index.ts).
    labelKey: 'nav.approvals' as TranslationKey,
    descKey: 'home.descApprovals' as TranslationKey,
    icon: <CheckSquareOutlined />,
    testId: 'nav-approvals',
    anyOf: [],
    group: 'main',
  },
  {
    key: 'tiering',
    path: '/tiering',
    // Keys of i18n/tiering.ts (merged into the same resources in i18n/index.ts).
    labelKey: 'nav.tiering' as TranslationKey,
    descKey: 'home.descTiering' as TranslationKey,
    icon: <ClusterOutlined />,
    testId: 'nav-tiering',
    anyOf: ['tiering.view'],
    group: 'main',
  },
  {
    key: 'departments',
    path: '/departments',
    labelKey: 'nav.departments',
    descKey: 'home.descDepartments',
    icon: <ApartmentOutlined />,
    testId: 'nav-departments',
    anyOf: ['department.view'],
    group: 'org',
  },
  {
    key: 'users',
    path: '/users',
    labelKey: 'nav.users',
    descKey: 'home.descUsers',
    icon: <TeamOutlined />,
    testId: 'nav-users',
    anyOf: ['user.view'],
    group: 'org',
  },
  {
    key: 'roles',
    path: '/roles',
    labelKey: 'nav.roles',
    descKey: 'home.descRoles',
    icon: <UserOutlined />,
    testId: 'nav-roles',
    anyOf: ['role.view'],
    group: 'org',
  },
  {
    key: 'approvalFlows',
    path: '/approval-flows',
    labelKey: 'nav.approvalFlows' as TranslationKey,
    descKey: 'home.descApprovalFlows' as TranslationKey,
    icon: <BranchesOutlined />,
    testId: 'nav-approval-flows',
    anyOf: ['approval_flow.view', 'approval_flow.configure'],
    group: 'org',
  },
  {
    key: 'audit',
    path: '/audit',
    labelKey: 'nav.audit',
    descKey: 'home.descAudit',
    icon: <AuditOutlined />,
    testId: 'nav-audit',
    anyOf: ['audit.view'],
    group: 'system',
  },
  {
    key: 'security',
    path: '/security',
    labelKey: 'nav.security',
    descKey: 'home.descSecurity',
    icon: <SafetyCertificateOutlined />,
    testId: 'nav-security',
    anyOf: ['tenant.configure', 'tenant.view'],
    group: 'system',
  },
  {
    key: 'tokens',
    path: '/tokens',
    labelKey: 'nav.tokens',
    descKey: 'home.descTokens',
    icon: <ApiOutlined />,
    testId: 'nav-tokens',
    anyOf: ['api_token.create'],
    group: 'system',
  },
  {
    key: 'sessions',
    path: '/account/sessions',
    labelKey: 'nav.sessions',
    descKey: 'home.descSessions',
    icon: <DesktopOutlined />,
    anyOf: [],
    group: 'account',
  },
];

/** The nav key for a pathname ("/roles/123" → "roles"). */
export function navKeyForPath(pathname: string): string {
  if (pathname === '/' || pathname === '') return 'home';
  const match = NAV_ITEMS.filter((item) => item.path !== '/').find(
    (item) => pathname === item.path || pathname.startsWith(`${item.path}/`),
  );
  return match?.key ?? '';
}
