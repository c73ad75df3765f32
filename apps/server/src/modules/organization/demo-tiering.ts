import type { ServiceContext } from '../../context.js';
import type { Database } from '../../db/database.js';
import { loadWorkerActor } from '../auth/actor.js';
import { executeFullRun } from '../tiering/runner.js';
import { createFromTemplate, getSettings, publishModel, putSettings, queueRun } from '../tiering/service.js';
import type { NewOrganization } from './bootstrap.js';

/**
 * The demo company's tiering, as its super admin would set it up: the B2B template (战略 / 重点 / 潜力 /
 * 普通, PRODUCT.md) published as the tier of record and run once over the demo customers — through the
 * same services and the same run the UI starts — so the customer list, the customer pages and the
 * tiering pages show tiers from the first sign-in. Returns the model's id.
 */
export async function seedDemoTiering(db: Database, org: NewOrganization, now = new Date()): Promise<string> {
  const actor = await loadWorkerActor(db, org.tenantId, org.adminUserId, now);
  if (!actor) throw new Error('the demo organisation has no super admin');
  const ctx: ServiceContext = {
    actor,
    db,
    now,
    meta: { ip: null, userAgent: 'kam-demo', requestId: 'demo-seed' },
  };
  const created = await createFromTemplate(ctx, { template: 'b2b_criteria' });
  await publishModel(ctx, created.id, { version: created.version, note: '演示数据：B2B 模板' });
  const settings = await getSettings(ctx);
  await putSettings(ctx, {
    version: settings.version,
    recordModelId: created.id,
    largeOrderAmount: settings.largeOrderAmount,
  });
  const run = await queueRun(ctx, created.id, 'full');
  await executeFullRun(db, org.tenantId, run.id);
  return created.id;
}
