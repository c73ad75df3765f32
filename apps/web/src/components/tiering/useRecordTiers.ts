import { useEffect, useState } from 'react';
import { type TierRef, tieringApi } from './api';

/**
 * The tiers of the tenant's tier-of-record model, highest first (for the customer list's tier column
 * and filter); null while unknown, without `tiering.view` (`enabled` false) or without a tier of record.
 */
export function useRecordTiers(enabled: boolean): TierRef[] | null {
  const [tiers, setTiers] = useState<TierRef[] | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    (async () => {
      const { recordModelId } = await tieringApi.settings();
      if (!recordModelId) return;
      const model = await tieringApi.model(recordModelId);
      if (live) setTiers(model.tiers);
    })().catch(() => undefined); // the list works without: tiers then show without colours or filter
    return () => {
      live = false;
    };
  }, [enabled]);
  return tiers;
}
