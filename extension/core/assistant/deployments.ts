import type { InstanceView, ServiceView } from '../../../backend/protocol';
import type { Term } from './code/keywords';

/** One thing that happened, for the report's timeline. */
export interface TimelineEvent {
  at: string;
  what: string;
}

/** What the relay knows about a service's deploys, from its agents' registrations. */
export interface Deployment {
  service: string;
  /** The commit the connected instances run (the most common one), when they said. */
  deployed?: string;
  /** When the first instance of it started. */
  deployedAt?: string;
  /** The commit that ran before, from instances seen earlier. */
  previous?: string;
  instances: { id: string; commit?: string; startedAt: string; connected: boolean }[];
  timeline: TimelineEvent[];
}

/** Thrown when the service cannot be chosen without asking. */
export class ServiceChoiceError extends Error {
  override name = 'ServiceChoiceError';
}

/** The service to investigate: the one named, the only one, or the one whose name the question mentions. */
export function chooseService(services: readonly ServiceView[], named: string | undefined, terms: readonly Term[]): ServiceView {
  if (named) {
    const s = services.find((x) => x.service === named);
    if (!s) throw new ServiceChoiceError(`no service '${named}' at the relay (known: ${services.map((x) => x.service).join(', ') || 'none'})`);
    return s;
  }
  const live = services.filter((s) => s.instances.some((i) => i.connected));
  if (live.length === 1) return live[0]!;
  const mentioned = live.filter((s) => terms.some((t) => s.service.toLowerCase().replace(/[^a-z0-9]/g, '').includes(t.stem)));
  if (mentioned.length === 1) return mentioned[0]!;
  throw new ServiceChoiceError(
    live.length ? `several services are connected (${live.map((s) => s.service).join(', ')}): name one with --service` : 'no service is connected to the relay: start one with the agent first',
  );
}

export function deploymentOf(service: ServiceView): Deployment {
  const instances = [...service.instances].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.instanceId.localeCompare(b.instanceId));
  const connected = instances.filter((i) => i.connected);
  const deployed = mostCommon(connected.map((i) => i.commit).filter((c): c is string => !!c));
  const deployedAt = deployed ? connected.filter((i) => i.commit === deployed).map((i) => i.startedAt).sort()[0] : connected[0]?.startedAt;
  const earlier = instances.filter((i) => i.commit && i.commit !== deployed && (!deployedAt || i.startedAt <= deployedAt));
  const previous = earlier.length ? earlier[earlier.length - 1]!.commit : undefined;
  const timeline: TimelineEvent[] = [];
  const firstStart = new Map<string, InstanceView>();
  for (const i of instances) if (i.commit && !firstStart.has(i.commit)) firstStart.set(i.commit, i);
  for (const [commit, i] of firstStart) timeline.push({ at: i.startedAt, what: `${service.service} ${commit.slice(0, 8)} deployed (instance ${i.instanceId} started)` });
  if (!firstStart.size && deployedAt) timeline.push({ at: deployedAt, what: `${service.service} started (its instances did not report a commit)` });
  return {
    service: service.service,
    ...(deployed ? { deployed } : {}),
    ...(deployedAt ? { deployedAt } : {}),
    ...(previous ? { previous } : {}),
    instances: instances.map((i) => ({ id: i.instanceId, ...(i.commit ? { commit: i.commit } : {}), startedAt: i.startedAt, connected: i.connected })),
    timeline,
  };
}

function mostCommon(xs: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}
