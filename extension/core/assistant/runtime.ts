import type { AuditEntry, Evidence, Identity, NewProbe, ProbeKind, ProbeStatus, ProbeView, ServiceView } from '../../../backend/protocol';

/**
 * What an investigation needs from the relay. RelayClient satisfies it through `relayRuntime`; the
 * interface keeps the investigator testable and lets the extension or an MCP server pass their own connection.
 */
export interface RuntimePort {
  readonly identity: Identity;
  services(): Promise<ServiceView[]>;
  /** Places a probe as an AI proposal: it waits for a person unless the relay's policy auto-approves it. */
  propose(probe: NewProbe): Promise<ProbeView>;
  list(service?: string): Promise<ProbeView[]>;
  remove(probeId: string): Promise<void>;
  /** Evidence stored for a probe after `afterId`. */
  evidence(probeId: string, afterId?: number): Promise<Evidence[]>;
  /** Stored evidence of a whole service after `afterId`, one page (for pre-deploy baselines); absent: no baselines. */
  serviceEvidence?(service: string, afterId: number, limit: number): Promise<{ items: Evidence[]; lastId: number }>;
  /** Live evidence for a service; resolves with a function that stops the stream. */
  follow(service: string, listener: (items: Evidence[]) => void): Promise<() => Promise<void>>;
  onProbeState(listener: (view: ProbeView) => void): () => void;
  onStatus(listener: (probeId: string, statuses: ProbeStatus[]) => void): () => void;
  /** Probe kinds the relay lets this identity place (from its policy), when it says. */
  allowedKinds(): Promise<ProbeKind[] | undefined>;
  /** Audit entries about the given probes; undefined when this token may not read the audit log. */
  audit(probeIds: readonly string[]): Promise<AuditEntry[] | undefined>;
}

/** The subset of RelayClient the port uses (so a test double or another transport can stand in). */
export interface RelayLike {
  readonly identity: Identity;
  request: import('../../../backend/client/relayClient').RelayClient['request'];
  subscribe: import('../../../backend/client/relayClient').RelayClient['subscribe'];
  unsubscribe: import('../../../backend/client/relayClient').RelayClient['unsubscribe'];
  onProbeState: import('../../../backend/client/relayClient').RelayClient['onProbeState'];
  onStatus: import('../../../backend/client/relayClient').RelayClient['onStatus'];
}

export function relayRuntime(client: RelayLike): RuntimePort {
  return {
    identity: client.identity,
    services: async () => (await client.request('services.list', {})).services,
    // origin 'ai' even on a person's token: the assistant asked for it, so a person decides
    propose: (probe) => client.request('probe.add', { probe, origin: 'ai' }),
    list: async (service) => (await client.request('probe.list', service ? { service } : {})).probes,
    remove: async (probeId) => {
      await client.request('probe.remove', { probeId });
    },
    evidence: async (probeId, afterId) => {
      const out: Evidence[] = [];
      let after = afterId ?? 0;
      for (;;) {
        const page = await client.request('evidence.query', { probeId, afterId: after, limit: 1000 });
        out.push(...page.items);
        const last = page.items.reduce((m, e) => Math.max(m, e.id ?? 0), after);
        if (page.items.length < 1000 || last === after) return out;
        after = last;
      }
    },
    serviceEvidence: (service, afterId, limit) => client.request('evidence.query', { service, afterId, limit }),
    follow: async (service, listener) => {
      const { subscription } = await client.subscribe({ service }, listener);
      return () => client.unsubscribe(subscription).catch(() => undefined);
    },
    onProbeState: (l) => client.onProbeState(l),
    onStatus: (l) => client.onStatus(l),
    allowedKinds: async () => {
      try {
        const { policy } = await client.request('policy.get', {});
        return client.identity.role === 'admin' ? policy.allowedKinds.admin : policy.allowedKinds.operator;
      } catch {
        return undefined;
      }
    },
    audit: async (probeIds) => {
      if (client.identity.role !== 'admin') return undefined;
      try {
        const { entries } = await client.request('audit.query', { newest: true, limit: 10_000 });
        const wanted = new Set(probeIds);
        return entries.filter((e) => e.target !== undefined && wanted.has(e.target));
      } catch {
        return undefined;
      }
    },
  };
}
