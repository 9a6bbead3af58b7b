import type { Evidence, InstanceView, ProbeSpec, ProbeStatus, ProbeView, ServiceView } from '../../../backend/protocol';

/** Small builders for protocol objects, so unit tests state only what they are about. */
export const AT = '2026-11-26T12:00:00.000Z';

export function instance(instanceId: string, service = 'checkout', connected = true, extra: Partial<InstanceView> = {}): InstanceView {
  return {
    service,
    labels: {},
    instanceId,
    host: 'host',
    pid: 42,
    runtime: { name: 'node', version: 'v20.20.0' },
    startedAt: AT,
    agentVersion: '0.1.0',
    mode: 'in-process',
    connected,
    lastSeenAt: AT,
    ...extra,
  };
}

export function services(...instances: InstanceView[]): ServiceView[] {
  const by = new Map<string, InstanceView[]>();
  for (const i of instances) by.set(i.service, [...(by.get(i.service) ?? []), i]);
  return [...by].map(([service, list]) => ({ service, instances: list }));
}

export function spec(id: string, extra: Partial<ProbeSpec> = {}): ProbeSpec {
  return { id, kind: 'log', selector: { service: 'checkout' }, file: 'src/validate.js', line: 13, template: 'a={a}', createdAt: AT, expiresAt: '2099-01-01T00:00:00.000Z', ...extra } as ProbeSpec;
}

export function status(probeId: string, instanceId: string, state: ProbeStatus['state'], extra: Partial<ProbeStatus> = {}): ProbeStatus {
  return { probeId, instanceId, state, at: AT, ...extra };
}

export function view(probe: ProbeSpec, statuses: ProbeStatus[] = []): ProbeView {
  return { probe, statuses };
}

export function log(id: number, probeId: string, message: string, instance = 'i-1'): Evidence {
  return { kind: 'log', id, probeId, message, at: AT, service: 'checkout', instance };
}
