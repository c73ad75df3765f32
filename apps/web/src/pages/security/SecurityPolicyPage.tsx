import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Form, InputNumber, Row, Space, Switch, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { securityApi } from '../../api/endpoints';
import type { PolicyPreset, SecurityPolicy, SecurityPolicyPresets } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { PageContainer } from '../../components/PageContainer';
import { LoadError, PageLoading } from '../../components/Results';
import { useApiError } from '../../hooks/useApiError';
import type { TranslationKey } from '../../layout/navItems';

type NumberField = {
  [K in keyof SecurityPolicy]: SecurityPolicy[K] extends number ? K : never;
}[keyof SecurityPolicy];
type BoolField = {
  [K in keyof SecurityPolicy]: SecurityPolicy[K] extends boolean ? K : never;
}[keyof SecurityPolicy];

interface NumberSpec {
  kind: 'number';
  name: NumberField;
  min: number;
  max: number;
  unit: TranslationKey;
}
interface BoolSpec {
  kind: 'bool';
  name: BoolField;
}
type FieldSpec = NumberSpec | BoolSpec;

const GROUPS: { title: TranslationKey; fields: FieldSpec[] }[] = [
  {
    title: 'sec.groupPassword',
    fields: [
      { kind: 'number', name: 'passwordMinLength', min: 6, max: 128, unit: 'sec.unitChars' },
      { kind: 'number', name: 'passwordMinClasses', min: 1, max: 4, unit: 'sec.unitClasses' },
      { kind: 'bool', name: 'passwordDisallowLogin' },
      { kind: 'number', name: 'passwordMaxAgeDays', min: 0, max: 3650, unit: 'sec.unitDays' },
      { kind: 'number', name: 'passwordHistory', min: 0, max: 24, unit: 'sec.unitTimes' },
      { kind: 'bool', name: 'forceChangeOnFirstLogin' },
    ],
  },
  {
    title: 'sec.groupLockout',
    fields: [
      { kind: 'number', name: 'lockoutThreshold', min: 0, max: 100, unit: 'sec.unitTimes' },
      { kind: 'number', name: 'lockoutWindowMinutes', min: 1, max: 1440, unit: 'sec.unitMinutes' },
      { kind: 'number', name: 'lockoutDurationMinutes', min: 1, max: 10080, unit: 'sec.unitMinutes' },
    ],
  },
  {
    title: 'sec.groupSession',
    fields: [
      { kind: 'number', name: 'sessionIdleMinutes', min: 1, max: 1440, unit: 'sec.unitMinutes' },
      { kind: 'number', name: 'sessionAbsoluteHours', min: 1, max: 720, unit: 'sec.unitHours' },
    ],
  },
];

const FIELD_NAMES = GROUPS.flatMap((g) => g.fields.map((f) => f.name));

const PRESET_COLORS: Record<PolicyPreset, string> = { default: 'blue', mlps2: 'green', custom: 'default' };

export default function SecurityPolicyPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const { showFormError, handleConflict } = useApiError();
  const [form] = Form.useForm<SecurityPolicy>();
  const canConfigure = can('tenant.configure');
  const [version, setVersion] = useState<number | null>(null);
  const [preset, setPreset] = useState<PolicyPreset>('custom');
  const [presets, setPresets] = useState<SecurityPolicyPresets | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const current = await securityApi.get();
      form.setFieldsValue(current.policy);
      setVersion(current.version);
      setPreset(current.preset);
    } catch (error) {
      setLoadError(error);
    }
  }, [form]);

  useEffect(() => {
    void load();
    if (canConfigure) {
      securityApi
        .presets()
        .then(setPresets)
        .catch(() => setPresets(null));
    }
  }, [load, canConfigure]);

  const applyPreset = (key: 'default' | 'mlps2') => {
    if (!presets) return;
    form.setFieldsValue(presets[key]);
    void message.info(t('sec.presetApplied'));
  };

  const save = async (policy: SecurityPolicy) => {
    if (version === null) return;
    setSaving(true);
    try {
      const result = await securityApi.update({ version, policy });
      void message.success(t('sec.saved'));
      if (result?.policy) {
        form.setFieldsValue(result.policy);
        setVersion(result.version);
        setPreset(result.preset);
      } else {
        await load();
      }
    } catch (error) {
      if (handleConflict(error)) {
        await load();
        return;
      }
      showFormError(form, error, FIELD_NAMES, { stripPrefix: 'policy.' });
    } finally {
      setSaving(false);
    }
  };

  if (loadError) return <LoadError error={loadError} onRetry={() => void load()} />;

  return (
    <PageContainer
      title={t('sec.title')}
      description={t('sec.intro')}
      extra={
        canConfigure && presets ? (
          <Space wrap>
            <Button onClick={() => applyPreset('default')} data-testid="sec-preset-default">
              {t('sec.applyDefault')}
            </Button>
            <Button
              icon={<SafetyCertificateOutlined />}
              onClick={() => applyPreset('mlps2')}
              data-testid="sec-preset-mlps2"
            >
              {t('sec.applyMlps2')}
            </Button>
          </Space>
        ) : null
      }
    >
      {version === null ? <PageLoading /> : null}
      <div style={{ display: version === null ? 'none' : undefined }}>
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Space>
            <span>{t('sec.preset')}:</span>
            <Tag color={PRESET_COLORS[preset]} data-testid="sec-current-preset">
              {t(`sec.preset.${preset}`)}
            </Tag>
          </Space>
          {canConfigure ? null : <Alert type="info" showIcon title={t('sec.readonlyHint')} />}
          <Form<SecurityPolicy>
            form={form}
            layout="vertical"
            onFinish={save}
            disabled={!canConfigure}
            requiredMark={false}
          >
            {GROUPS.map((group) => (
              <Card key={group.title} title={t(group.title)} size="small" style={{ marginBottom: 16 }}>
                <Row gutter={[24, 0]}>
                  {group.fields.map((field) => (
                    <Col key={field.name} xs={24} md={12} xl={8}>
                      {field.kind === 'number' ? (
                        <Form.Item
                          name={field.name}
                          label={t(`sec.${field.name}`)}
                          extra={t(`sec.${field.name}Help`)}
                          rules={[{ required: true, type: 'number', min: field.min, max: field.max }]}
                        >
                          <InputNumber
                            min={field.min}
                            max={field.max}
                            precision={0}
                            style={{ width: '100%' }}
                            suffix={t(field.unit)}
                            data-testid={`sec-${field.name}`}
                          />
                        </Form.Item>
                      ) : (
                        <Form.Item
                          name={field.name}
                          label={t(`sec.${field.name}`)}
                          extra={t(`sec.${field.name}Help`)}
                          valuePropName="checked"
                        >
                          <Switch data-testid={`sec-${field.name}`} />
                        </Form.Item>
                      )}
                    </Col>
                  ))}
                </Row>
              </Card>
            ))}
            {canConfigure ? (
              <div className="kam-sticky-footer">
                <Button type="primary" htmlType="submit" loading={saving} data-testid="sec-save">
                  {t('common.save')}
                </Button>
              </div>
            ) : null}
          </Form>
        </Space>
      </div>
    </PageContainer>
  );
}
