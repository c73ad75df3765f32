/**
 * A model's stored tier results as documents (metrics, breakdown, detail), whichever form they are
 * stored in: weighted, criteria and RFM results are expanded from the compact columns (migration 0018)
 * with the definition of the run that wrote them (`expandResult`, as the API does); CLV results carry
 * their documents.
 */
import type { Tx } from '../../src/db/database.js';
import type { RunnableModel } from '../../src/modules/tiering/compile.js';
import { resultDocuments, type StoredResultColumns } from '../../src/modules/tiering/present.js';
import { runnableModel } from '../../src/modules/tiering/runner.js';

export interface StoredResult {
  customer_id: string;
  run_id: string;
  metrics: Record<string, string | null>;
  score: string | null;
  raw_tier: string;
  tier: string;
  decided_by: string;
  /** the tests read each model kind's own document shape */
  breakdown: any;
  detail: any;
}

type Row = StoredResultColumns &
  Omit<StoredResult, 'metrics' | 'breakdown' | 'detail'> & { definition: unknown; kind: string };

export async function storedResults(tx: Tx, modelId: string): Promise<StoredResult[]> {
  const { rows } = await tx.query<Row>(
    `SELECT r.customer_id, r.run_id, r.score::text AS score, r.raw_tier, r.tier, r.decided_by, ru.definition,
       m.kind, r.metrics, r.breakdown, r.detail,
       r.metric_values, r.scores::text[] AS scores, r.flags, r.steps, r.hysteresis, r.previous_tier,
       r.override_id, o.tier AS override_tier, o.until::text AS override_until, o.reason AS override_reason
     FROM tier_results r
     JOIN tier_models m ON m.tenant_id = r.tenant_id AND m.id = r.model_id
     JOIN tier_runs ru ON ru.tenant_id = r.tenant_id AND ru.id = r.run_id
     LEFT JOIN tier_overrides o ON o.tenant_id = r.tenant_id AND o.id = r.override_id
     WHERE r.tenant_id = kam_tenant() AND r.model_id = $1 ORDER BY r.customer_id`,
    [modelId],
  );
  const models = new Map<string, RunnableModel>();
  return rows.map((r) => {
    const base = {
      customer_id: r.customer_id,
      run_id: r.run_id,
      score: r.score,
      raw_tier: r.raw_tier,
      tier: r.tier,
      decided_by: r.decided_by,
    };
    // CLV results carry their documents (and no runnable model)
    if (r.kind === 'clv')
      return { ...base, metrics: r.metrics ?? {}, breakdown: r.breakdown, detail: r.detail };
    const model = models.get(r.run_id) ?? runnableModel(r.definition);
    models.set(r.run_id, model);
    return { ...base, ...resultDocuments(model, r) };
  });
}
