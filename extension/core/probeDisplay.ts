import { selectorMatches, type ProbeStatus, type ServiceView } from '../../backend/protocol';
import { plural } from './format';
import type { EvidenceLog } from './evidenceLog';
import type { TrackedProbe } from './runtimeState';

/**
 * How a probe looks in the gutter, tree and panel. 'partial' is bound on some instances but not all;
 * 'proposed' is an AI-proposed probe waiting for a person's approval.
 */
export type DisplayState = 'pending' | 'bound' | 'partial' | 'error' | 'expired' | 'proposed';
export const DISPLAY_STATES: readonly DisplayState[] = ['pending', 'bound', 'partial', 'error', 'expired', 'proposed'];

export interface ProbeDisplay {
  state: DisplayState;
  /** Instances holding the probe bound / instances that should hold it. */
  bound: number;
  total: number;
  /** Hits across instances: the agents' counts, or what this session received if that is more. */
  hits: number;
  /** `bound 1/2`, `pending: no loaded script matches …`, `expired`. */
  label: string;
  /** The first reason an instance gave for not binding, if any. */
  reason?: string;
}

/** The instances a probe applies to: connected matches, plus any instance that reported on it. */
export function expectedInstances(probe: TrackedProbe, services: readonly ServiceView[]): string[] {
  const ids = new Set(probe.statuses.filter((s) => s.state !== 'removed').map((s) => s.instanceId));
  for (const service of services) {
    for (const instance of service.instances) if (instance.connected && selectorMatches(probe.spec.selector, instance)) ids.add(instance.instanceId);
  }
  return [...ids];
}

/**
 * Hits of a probe on one instance: the agent's count, or what this session received from that instance if more
 * (agents report counts with their status updates, which can lag the evidence itself).
 */
export function instanceHits(status: ProbeStatus, evidence: Pick<EvidenceLog, 'countOn'>): number {
  return Math.max(status.hits ?? 0, evidence.countOn(status.probeId, status.instanceId));
}

export function probeDisplay(probe: TrackedProbe, services: readonly ServiceView[], evidenceSeen = 0): ProbeDisplay {
  const expected = expectedInstances(probe, services);
  const statusOf = (id: string): ProbeStatus | undefined => probe.statuses.find((s) => s.instanceId === id);
  const bound = expected.filter((id) => statusOf(id)?.state === 'bound').length;
  const total = expected.length;
  const hits = Math.max(probe.statuses.reduce((n, s) => n + (s.hits ?? 0), 0), evidenceSeen);
  const reason = probe.statuses.find((s) => s.reason && s.state !== 'bound')?.reason;
  const ended = probe.statuses.length > 0 && probe.statuses.every((s) => s.state === 'expired' || s.state === 'removed');
  const base = { bound, total, hits, ...(reason ? { reason } : {}) };
  if (probe.proposed) return { ...base, state: 'proposed', label: 'proposed: waiting for approval' };
  if (probe.expired || ended) return { ...base, state: 'expired', label: reason && !probe.expired ? `expired: ${reason}` : 'expired' };
  if (total > 0 && bound === total) return { ...base, state: 'bound', label: `bound ${bound}/${total}` };
  if (bound > 0) return { ...base, state: 'partial', label: `bound ${bound}/${total}` };
  if (probe.statuses.some((s) => s.state === 'error')) return { ...base, state: 'error', label: `error: ${reason ?? 'the agent could not place it'}` };
  if (total === 0) return { ...base, state: 'pending', label: `pending: no instance of ${probe.spec.selector.service} is connected` };
  return { ...base, state: 'pending', label: reason ? `pending: ${reason}` : `pending on ${plural(total, 'instance')}` };
}
