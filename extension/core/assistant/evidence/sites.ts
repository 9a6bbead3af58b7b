import type { ProbeKind } from '../../../../backend/protocol';
import type { Anomaly, Observation, PlannedProbe } from '../schema';
import { detectAnomalies } from './anomalies';

/** Where a planned probe is in its life, as the investigation tracks it. */
export type SiteState = 'planned' | 'proposed' | 'rejected' | 'live' | 'failed' | 'ended';

/** Who asked for and who decided on a probe, as the relay recorded it. */
export interface ApprovalRecord {
  requestedBy: string;
  origin: 'human' | 'ai';
  decision?: 'approved' | 'rejected' | 'auto-approved';
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
  /** Audit log sequence numbers of this probe's entries, when the token may read the audit log. */
  auditSeqs?: number[];
}

/** One probe site and everything learnt there. */
export interface SiteEvidence {
  plan: PlannedProbe;
  probeId?: string;
  kind?: ProbeKind;
  state: SiteState;
  /** Some instance bound the probe (so zero hits means the line did not run). */
  bound: boolean;
  /** Why it failed or is pending, in the agent's words. */
  statusReason?: string;
  approval?: ApprovalRecord;
  observations: Observation[];
  /** Hits as counted by agents (may exceed the observations kept). */
  hits: number;
  anomalies: Anomaly[];
}

/** Most observations kept per site: enough for counts and examples, bounded memory. */
export const MAX_OBSERVATIONS_PER_SITE = 500;

export function newSite(plan: PlannedProbe): SiteEvidence {
  return { plan, state: 'planned', bound: false, observations: [], hits: 0, anomalies: [] };
}

/** Adds observations (ignoring duplicates by evidence id) and re-runs the detectors. */
export function addObservations(site: SiteEvidence, observations: readonly Observation[]): void {
  const seen = new Set(site.observations.map((o) => o.evidenceId).filter((x) => x !== undefined));
  for (const o of observations) {
    if (o.evidenceId !== undefined && seen.has(o.evidenceId)) continue;
    if (site.observations.length >= MAX_OBSERVATIONS_PER_SITE) break;
    site.observations.push(o);
  }
  site.hits = Math.max(site.hits, site.observations.length);
  site.anomalies = site.probeId ? detectAnomalies(site.plan, site.probeId, site.observations) : [];
}

/** Per captured value: how often each runtime type was seen (`{ amount: { string: 12, number: 30 } }`). */
export function valueTypes(site: SiteEvidence): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const o of site.observations) {
    for (const [name, v] of Object.entries(o.values)) {
      const counts = (out[name] ??= {});
      counts[v.type] = (counts[v.type] ?? 0) + 1;
    }
  }
  return out;
}

export const siteKey = (s: { file: string; line: number }) => `${s.file}:${s.line}`;
