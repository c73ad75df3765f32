import { Badge, Menu, type MenuProps } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { useApprovalCounts } from '../components/approvals/counts';
import { NAV_ITEMS, type NavItem, navKeyForPath } from './navItems';

type MenuItem = NonNullable<MenuProps['items']>[number];

/** Side navigation built from my permissions (the server enforces them anyway). */
export function NavMenu({ collapsed = false, onNavigate }: { collapsed?: boolean; onNavigate?: () => void }) {
  const { t } = useTranslation();
  const { canAny } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const todo = useApprovalCounts()?.todo ?? 0;

  const items = useMemo<MenuItem[]>(() => {
    const visible = NAV_ITEMS.filter(
      (item) => item.group !== 'account' && (item.anyOf.length === 0 || canAny(...item.anyOf)),
    );
    const toItem = (item: NavItem): MenuItem => ({
      key: item.key,
      icon: item.icon,
      label:
        item.key === 'approvals' && todo > 0 ? (
          <span className="kam-nav-badged">
            <span data-testid={item.testId}>{t(item.labelKey)}</span>
            <Badge count={todo} overflowCount={99} size="small" data-testid="nav-approvals-count" />
          </span>
        ) : (
          <span data-testid={item.testId}>{t(item.labelKey)}</span>
        ),
    });
    const result: MenuItem[] = visible.filter((item) => item.group === 'main').map(toItem);
    const groups: { group: NavItem['group']; label: string }[] = [
      { group: 'org', label: t('nav.groupOrg') },
      { group: 'system', label: t('nav.groupSystem') },
    ];
    for (const { group, label } of groups) {
      const children = visible.filter((item) => item.group === group).map(toItem);
      if (children.length === 0) continue;
      if (collapsed) result.push({ type: 'divider' }, ...children);
      else result.push({ type: 'group', label, children });
    }
    return result;
  }, [t, canAny, collapsed, todo]);

  const selected = navKeyForPath(location.pathname);
  return (
    <Menu
      mode="inline"
      items={items}
      selectedKeys={selected ? [selected] : []}
      onClick={({ key }) => {
        const target = NAV_ITEMS.find((item) => item.key === key);
        if (target) navigate(target.path);
        onNavigate?.();
      }}
      style={{ borderInlineEnd: 'none' }}
    />
  );
}
