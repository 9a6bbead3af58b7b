import type { z } from 'zod';
import type { Evidence, GapEvidence, Labels } from '../protocol';

type Gap = z.infer<typeof GapEvidence>;

/** Evidence as stored: every item, gap markers included, carries its store id. */
export type StoredEvidence = Evidence & { id: number };

type ProbeEvidenceKind = Exclude<Evidence['kind'], 'gap'>;
/** An item about to be stored: the relay has filled service/instance, the store assigns the id. Any kind is stored as JSON. */
export type UnstoredEvidence = { [K in ProbeEvidenceKind]: Omit<Extract<Evidence, { kind: K }>, 'id'> }[ProbeEvidenceKind] | (Gap & { service: string; instance: string });

/** What a query or subscription wants. */
export interface EvidenceFilter {
  probeId?: string;
  service?: string;
  /**
   * The service the probe runs in. Agent gap markers carry no probe id (the agent drops before knowing which
   * probe would have won), so a probe's stream also includes its service's gaps: "you may have missed some".
   */
  probeService?: string;
  /** A scoped token's limits: only these services, only instances with these labels. */
  scope?: EvidenceScope;
}

export interface EvidenceScope {
  services?: readonly string[];
  labels?: Labels;
}

/** `labelsOf` resolves an instance's labels, needed only for label-scoped filters. */
export function matchesFilter(item: Evidence, filter: EvidenceFilter, labelsOf?: (instanceId: string) => Labels | undefined): boolean {
  if (filter.service !== undefined && item.service !== filter.service) return false;
  if (filter.scope && !inScope(item, filter.scope, labelsOf)) return false;
  if (filter.probeId === undefined) return true;
  if (item.probeId === filter.probeId) return true;
  return item.probeId === undefined && filter.probeService !== undefined && item.service === filter.probeService;
}

/** Relay gap markers (no service) concern everyone; anything else must come from an in-scope instance. */
function inScope(item: Evidence, scope: EvidenceScope, labelsOf?: (instanceId: string) => Labels | undefined): boolean {
  if (item.service === undefined) return true;
  if (scope.services && !scope.services.includes(item.service)) return false;
  const wanted = Object.entries(scope.labels ?? {});
  if (wanted.length === 0 || item.instance === undefined) return true;
  const labels = labelsOf?.(item.instance);
  return wanted.every(([k, v]) => labels?.[k] === v);
}
