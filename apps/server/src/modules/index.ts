import type { FastifyInstance } from 'fastify';
import { registerBuiltinApprovalEffects } from './approvals/builtin.js';
import { approvalRoutes } from './approvals/routes.js';
import { auditRoutes } from './audit/routes.js';
import { authRoutes } from './auth/routes.js';
import { contactRoutes } from './contacts/routes.js';
import { customerRoutes } from './customers/routes.js';
import { departmentRoutes } from './departments/routes.js';
import { exportRoutes } from './exports/routes.js';
import { followUpRoutes } from './follow-ups/routes.js';
import { healthRoutes } from './health/routes.js';
import { importRoutes } from './imports/routes.js';
import { notificationRoutes } from './notifications/routes.js';
import { orderRoutes } from './orders/routes.js';
import { organizationRoutes } from './organization/routes.js';
import { roleRoutes } from './roles/routes.js';
import { serviceRecordRoutes } from './service-records/routes.js';
import { registerTierChangeEffect } from './tiering/approval.js';
import { tieringRoutes } from './tiering/routes.js';
import { apiTokenRoutes } from './tokens/routes.js';
import { userRoutes } from './users/routes.js';

/** Every capability's routes, mounted under /api/v1 (health and OpenAPI under /api). */
export async function registerModules(app: FastifyInstance): Promise<void> {
  // Request types and their effects, before any route can submit or decide a request.
  registerBuiltinApprovalEffects();
  registerTierChangeEffect();
  await app.register(healthRoutes, { prefix: '/api' });
  await app.register(
    async (v1) => {
      await v1.register(authRoutes);
      await v1.register(departmentRoutes);
      await v1.register(userRoutes);
      await v1.register(roleRoutes);
      await v1.register(apiTokenRoutes);
      await v1.register(auditRoutes);
      await v1.register(organizationRoutes);
      await v1.register(customerRoutes);
      await v1.register(contactRoutes);
      await v1.register(followUpRoutes);
      await v1.register(orderRoutes);
      await v1.register(serviceRecordRoutes);
      await v1.register(importRoutes);
      await v1.register(exportRoutes);
      await v1.register(tieringRoutes);
      await v1.register(approvalRoutes);
      await v1.register(notificationRoutes);
    },
    { prefix: '/api/v1' },
  );
}
