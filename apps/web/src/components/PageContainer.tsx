import { Typography } from 'antd';
import type { ReactNode } from 'react';

export interface PageContainerProps {
  title: ReactNode;
  description?: ReactNode;
  extra?: ReactNode;
  children: ReactNode;
}

/** Page frame: title row (with actions on the right, wrapping on phones) and content. */
export function PageContainer({ title, description, extra, children }: PageContainerProps) {
  return (
    <div className="kam-page">
      <div className="kam-page-header">
        <div className="kam-page-heading">
          <Typography.Title level={4} style={{ margin: 0 }}>
            {title}
          </Typography.Title>
          {description ? (
            <Typography.Text type="secondary" className="kam-page-desc">
              {description}
            </Typography.Text>
          ) : null}
        </div>
        {extra ? <div className="kam-page-extra">{extra}</div> : null}
      </div>
      {children}
    </div>
  );
}
