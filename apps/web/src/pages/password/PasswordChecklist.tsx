import { CheckCircleFilled, CloseCircleOutlined, InfoCircleOutlined } from '@ant-design/icons';
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { PasswordRules, RuleCheck } from './passwordRules';

function Item({ ok, pristine, text, id }: { ok: boolean; pristine: boolean; text: string; id: string }) {
  const icon = pristine ? (
    <InfoCircleOutlined style={{ color: '#8f959e' }} />
  ) : ok ? (
    <CheckCircleFilled style={{ color: '#34c724' }} />
  ) : (
    <CloseCircleOutlined style={{ color: '#f54a45' }} />
  );
  return (
    <li className="kam-checklist-item" data-testid={`pwd-rule-${id}`} data-ok={ok ? 'true' : 'false'}>
      {icon}
      <Typography.Text type={pristine || ok ? undefined : 'danger'}>{text}</Typography.Text>
    </li>
  );
}

/** Live checklist of the password policy while typing. */
export function PasswordChecklist({
  rules,
  check,
  pristine,
}: {
  rules: PasswordRules;
  check: RuleCheck;
  pristine: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="kam-checklist">
      <Typography.Text strong>{t('pwd.rulesTitle')}</Typography.Text>
      <ul>
        <Item
          id="length"
          ok={check.length}
          pristine={pristine}
          text={t('pwd.ruleLength', { n: rules.minLength })}
        />
        {rules.minClasses > 1 ? (
          <Item
            id="classes"
            ok={check.classes}
            pristine={pristine}
            text={t('pwd.ruleClasses', { n: Math.min(rules.minClasses, 4) })}
          />
        ) : null}
        {rules.disallowLogin ? (
          <Item id="login" ok={check.noLogin} pristine={pristine} text={t('pwd.ruleNoLogin')} />
        ) : null}
        <Item id="same" ok={check.notSame} pristine={pristine} text={t('pwd.ruleNotSame')} />
      </ul>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('pwd.ruleHistory')}
      </Typography.Text>
    </div>
  );
}
