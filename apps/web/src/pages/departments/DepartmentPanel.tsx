import { DeleteOutlined, DragOutlined, PlusOutlined, TeamOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Divider, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Department } from '../../api/types';
import { useIsMobile } from '../../hooks/useIsMobile';
import { departmentPathLabel } from '../../utils/departmentTree';
import { DepartmentForm, type DepartmentFormValues } from './DepartmentForm';

export interface DepartmentPanelProps {
  department: Department;
  byId: Map<string, Department>;
  canEdit: boolean;
  canAddChild: boolean;
  canDelete: boolean;
  canViewUsers: boolean;
  onSave: (values: DepartmentFormValues) => Promise<void>;
  onAddChild: () => void;
  onMove: () => void;
  onDelete: () => void;
}

/** Details of the selected department with its edit form and actions. */
export function DepartmentPanel(props: DepartmentPanelProps) {
  const { department, byId, canEdit, canAddChild, canDelete, canViewUsers } = props;
  const { t } = useTranslation();
  const parent = department.parentId ? byId.get(department.parentId) : undefined;
  const isMobile = useIsMobile();
  const hasActions = canAddChild || canEdit || canDelete;
  const actions = (
    <Space wrap size={8} className="kam-card-actions">
      {canAddChild ? (
        <Button icon={<PlusOutlined />} onClick={props.onAddChild} data-testid="dept-add-child">
          {t('dept.addChild')}
        </Button>
      ) : null}
      {canEdit ? (
        <Button icon={<DragOutlined />} onClick={props.onMove} data-testid="dept-move">
          {t('dept.move')}
        </Button>
      ) : null}
      {canDelete ? (
        <Button danger icon={<DeleteOutlined />} onClick={props.onDelete} data-testid="dept-delete">
          {t('common.delete')}
        </Button>
      ) : null}
    </Space>
  );

  return (
    <Card
      title={
        <Space size={8} wrap>
          <span>{department.name}</span>
          {department.code ? <Tag>{department.code}</Tag> : null}
        </Space>
      }
      extra={isMobile ? undefined : actions}
    >
      {isMobile && hasActions ? <div style={{ marginBottom: 12 }}>{actions}</div> : null}
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2 }}
        items={[
          { key: 'path', label: t('dept.path'), children: departmentPathLabel(byId, department), span: 2 },
          { key: 'parent', label: t('dept.parent'), children: parent?.name ?? '—' },
          {
            key: 'users',
            label: t('dept.userCount'),
            children: canViewUsers ? (
              <Link to={`/users?departmentId=${encodeURIComponent(department.id)}`}>
                <TeamOutlined /> {department.userCount}
              </Link>
            ) : (
              department.userCount
            ),
          },
          ...(canEdit
            ? []
            : [
                { key: 'code', label: t('dept.code'), children: department.code ?? '—' },
                { key: 'head', label: t('dept.head'), children: department.headName ?? '—' },
              ]),
        ]}
      />
      {canEdit ? (
        <>
          <Divider style={{ margin: '12px 0 16px' }} />
          <DepartmentForm department={department} onSubmit={props.onSave} />
        </>
      ) : (
        <Typography.Text type="secondary">{t('common.readOnly')}</Typography.Text>
      )}
    </Card>
  );
}
