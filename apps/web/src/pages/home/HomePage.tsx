import { Card, Col, Descriptions, Empty, Row, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useAuth, useMe } from '../../auth/AuthContext';
import { NAV_ITEMS } from '../../layout/navItems';

function greetingKey(hour: number) {
  if (hour < 12) return 'home.greetingMorning' as const;
  if (hour < 18) return 'home.greetingAfternoon' as const;
  return 'home.greetingEvening' as const;
}

/** Welcome + permission-based shortcuts. No numbers until the API offers real ones. */
export default function HomePage() {
  const { t } = useTranslation();
  const me = useMe();
  const { canAny } = useAuth();
  const shortcuts = NAV_ITEMS.filter(
    (item) => item.descKey && (item.anyOf.length === 0 || canAny(...item.anyOf)) && item.group !== 'account',
  );
  const account = NAV_ITEMS.filter((item) => item.group === 'account');

  return (
    <div className="kam-page">
      <Card className="kam-welcome" variant="borderless">
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="home-greeting">
          {t(greetingKey(new Date().getHours()), { name: me.displayName })}
        </Typography.Title>
        <Space wrap size={[8, 8]} style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">{me.organization.name}</Typography.Text>
          {me.roles.map((role) => (
            <Tag key={role.id} color="blue" variant="filled">
              {role.name}
            </Tag>
          ))}
        </Space>
      </Card>

      <Typography.Title level={5} className="kam-section-title">
        {t('home.shortcuts')}
      </Typography.Title>
      {shortcuts.length === 0 ? (
        <Card>
          <Empty description={t('home.noShortcuts')} />
        </Card>
      ) : null}
      <Row gutter={[16, 16]}>
        {[...shortcuts, ...account].map((item) => (
          <Col key={item.key} xs={24} sm={12} lg={8} xxl={6}>
            <Link to={item.path} data-testid={`shortcut-${item.key}`}>
              <Card hoverable className="kam-shortcut" size="small">
                <div className="kam-shortcut-icon">{item.icon}</div>
                <div className="kam-shortcut-body">
                  <Typography.Text strong>{t(item.labelKey)}</Typography.Text>
                  {item.descKey ? (
                    <Typography.Paragraph type="secondary" style={{ margin: 0 }} ellipsis={{ rows: 2 }}>
                      {t(item.descKey)}
                    </Typography.Paragraph>
                  ) : null}
                </div>
              </Card>
            </Link>
          </Col>
        ))}
      </Row>

      <Typography.Title level={5} className="kam-section-title">
        {t('home.account')}
      </Typography.Title>
      <Card size="small">
        <Descriptions
          column={{ xs: 1, sm: 2, lg: 3 }}
          size="small"
          items={[
            { key: 'login', label: t('home.login'), children: me.login },
            { key: 'email', label: t('user.email'), children: me.email ?? '—' },
            { key: 'mobile', label: t('user.mobile'), children: me.mobile ?? '—' },
          ]}
        />
      </Card>
    </div>
  );
}
