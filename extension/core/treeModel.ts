import { selectorMatches, type InstanceView, type ProbeState, type ServiceView } from '../../backend/protocol';
import { plural, relativeTime, shortCommit } from './format';
import { instanceHits, probeDisplay, type DisplayState } from './probeDisplay';
import { kindLabel, probeSummary, type ProbeKindId } from './probeKinds';
import type { RuntimeState, TrackedProbe } from './runtimeState';

/** The services tree as plain data (services → instances → probes); the edge turns nodes into TreeItems. */
export type TreeNode =
  | { kind: 'service'; id: string; label: string; description: string; tooltip: string; children: TreeNode[] }
  | { kind: 'instance'; id: string; label: string; description: string; tooltip: string; connected: boolean; children: TreeNode[] }
  | { kind: 'probe'; id: string; probeId: string; label: string; description: string; tooltip: string; state: DisplayState; probeKind: ProbeKindId; children: [] }
  | { kind: 'note'; id: string; label: string; children: [] };

export function buildTree(state: RuntimeState, now = Date.now()): TreeNode[] {
  const services = state.services();
  const probes = state.probes();
  const nodes: TreeNode[] = services.map((service) => serviceNode(service, probes, state, now));
  const orphans = probes.filter((p) => !services.some((s) => s.service === p.spec.selector.service));
  if (orphans.length) {
    nodes.push({
      kind: 'service',
      id: 'waiting',
      label: 'Waiting for their service',
      description: plural(orphans.length, 'probe'),
      tooltip: 'Probes whose service has not connected to the relay yet; they bind when it does.',
      children: orphans.map((p) => probeNode(p, undefined, state, now, 'waiting')),
    });
  }
  if (!nodes.length) nodes.push({ kind: 'note', id: 'empty', label: 'No services have connected to the relay yet', children: [] });
  return nodes;
}

function serviceNode(service: ServiceView, probes: TrackedProbe[], state: RuntimeState, now: number): TreeNode {
  const live = service.instances.filter((i) => i.connected).length;
  const instances = [...service.instances].sort((a, b) => Number(b.connected) - Number(a.connected) || a.instanceId.localeCompare(b.instanceId));
  return {
    kind: 'service',
    id: `service:${service.service}`,
    label: service.service,
    description: `${live}/${service.instances.length} live`,
    tooltip: `${service.service}: ${plural(live, 'live instance')} of ${service.instances.length} known`,
    children: instances.map((i) => instanceNode(i, probes.filter((p) => selectorMatches(p.spec.selector, i)), state, now)),
  };
}

function instanceNode(instance: InstanceView, probes: TrackedProbe[], state: RuntimeState, now: number): TreeNode {
  const commit = shortCommit(instance.commit);
  const details = [`pid ${instance.pid}`, commit ? `commit ${commit}` : undefined, `node ${instance.runtime.version}`].filter(Boolean).join(' · ');
  return {
    kind: 'instance',
    id: `instance:${instance.instanceId}`,
    label: instance.instanceId,
    description: instance.connected ? details : `offline · last seen ${relativeTime(instance.lastSeenAt, now)}`,
    tooltip: [`${instance.instanceId} on ${instance.host}`, details, `agent ${instance.agentVersion} (${instance.mode})`, commit ? `deployed commit ${instance.commit}` : 'deployed commit unknown'].join('\n'),
    connected: instance.connected,
    children: probes.map((p) => probeNode(p, instance.instanceId, state, now, instance.instanceId)),
  };
}

/** One instance's view of a probe, in display terms. */
const INSTANCE_STATE = { pending: 'pending', bound: 'bound', error: 'error', expired: 'expired', removed: 'expired' } as const satisfies Record<ProbeState, DisplayState>;

function probeNode(probe: TrackedProbe, instanceId: string | undefined, state: RuntimeState, now: number, parent: string): TreeNode {
  const overall = probeDisplay(probe, state.services(), state.evidence.count(probe.spec.id));
  const mine = instanceId ? probe.statuses.find((s) => s.instanceId === instanceId) : undefined;
  const stateText = mine ? `${mine.state} · ${plural(instanceHits(mine, state.evidence), 'hit')}` : overall.label;
  return {
    kind: 'probe',
    id: `probe:${parent}:${probe.spec.id}`,
    probeId: probe.spec.id,
    label: `${probe.spec.file}:${probe.spec.line}`,
    description: stateText,
    tooltip: [
      `${kindLabel(probe.spec)} ${probe.spec.id}: ${probeSummary(probe.spec)}`,
      `overall: ${overall.label} · ${plural(overall.hits, 'hit')}`,
      mine?.reason ? `this instance: ${mine.reason}` : undefined,
      probe.expired ? 'expired' : `expires ${relativeTime(probe.spec.expiresAt, now)}`,
    ].filter(Boolean).join('\n'),
    state: mine ? INSTANCE_STATE[mine.state] : overall.state,
    probeKind: probe.spec.kind,
    children: [],
  };
}
