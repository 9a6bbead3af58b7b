import type { z } from 'zod';
import type { Evidence, GapEvidence } from '../protocol';

type Gap = z.infer<typeof GapEvidence>;

/** Evidence as stored: every item, gap markers included, carries its store id. */
export type StoredEvidence = Evidence & { id: number };

/** An item about to be stored: the relay has filled service/instance, the store assigns the id. */
export type UnstoredEvidence = Omit<Extract<Evidence, { kind: 'log' }>, 'id'> | (Gap & { service: string; instance: string });

/** What a query or subscription wants. */
export interface EvidenceFilter {
  probeId?: string;
  service?: string;
  /**
   * The service the probe runs in. Agent gap markers carry no probe id (the agent drops before knowing which
   * probe would have won), so a probe's stream also includes its service's gaps: "you may have missed some".
   */
  probeService?: string;
}

export function matchesFilter(item: Evidence, filter: EvidenceFilter): boolean {
  if (filter.service !== undefined && item.service !== filter.service) return false;
  if (filter.probeId === undefined) return true;
  if (item.probeId === filter.probeId) return true;
  return item.probeId === undefined && filter.probeService !== undefined && item.service === filter.probeService;
}
