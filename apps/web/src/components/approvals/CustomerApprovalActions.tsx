import { AuditOutlined, PercentageOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useApprovalsT } from '../../i18n/approvals';
import { type FormType, RequestFormModal } from './RequestFormModal';

export interface CustomerApprovalActionsProps {
  customer: { id: string; name: string; ownerId: string | null; ownerName: string | null };
}

/**
 * Customer 360 header buttons: "request discount" and "request transfer" (ownership changes through
 * the approval flow). Shown to users who may submit requests; the server decides the rest.
 */
export function CustomerApprovalActions({ customer }: CustomerApprovalActionsProps) {
  const ta = useApprovalsT();
  const { can } = useAuth();
  const isMobile = useIsMobile();
  const navigate = useNavigate();
  const [type, setType] = useState<FormType | null>(null);
  if (!can('approval_request.create')) return null;
  return (
    <>
      <Button
        icon={<PercentageOutlined />}
        onClick={() => setType('discount')}
        aria-label={ta('approvals.requestDiscount')}
        data-testid="customer-request-discount"
      >
        {isMobile ? null : ta('approvals.requestDiscount')}
      </Button>
      <Button
        icon={<AuditOutlined />}
        onClick={() => setType('ownership_transfer')}
        aria-label={ta('approvals.requestTransfer')}
        data-testid="customer-request-transfer"
      >
        {isMobile ? null : ta('approvals.requestTransfer')}
      </Button>
      <RequestFormModal
        open={type !== null}
        fixedType={type ?? undefined}
        customer={customer}
        onClose={() => setType(null)}
        onDone={(detail) => {
          setType(null);
          navigate(`/approvals?box=submitted&id=${encodeURIComponent(detail.id)}`);
        }}
      />
    </>
  );
}
