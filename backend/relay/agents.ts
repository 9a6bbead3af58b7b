import { z } from 'zod';
import {
  AgentEvidenceMsg,
  AgentHello,
  AgentStatusMsg,
  PROTOCOL_VERSION,
  RuntruthError,
  selectorMatches,
  type InstanceInfo,
  type ProbeSpec,
  type ProbeStatus,
  type RelayToAgent,
} from '../protocol';
import { SYSTEM, type Actor, type AuditLog } from './audit';
import type { Endpoint, Link, Session } from './connection';
import type { PolicyBook } from './policy';
import { CloseCode } from './close-codes';
import type { StoredEvidence, UnstoredEvidence } from './evidence-filter';
import type { EvidenceIngest } from './evidence-ingest';
import type { ProbeBook } from './probes';
import type { SecretVerifier } from './secrets';
import type { RelayStats } from './stats';
import type { ProbeStore } from './store-probes';
import type { RegistryStore } from './store-registry';

type AgentHelloMsg = z.infer<typeof AgentHello>;
const AgentMessage = z.discriminatedUnion('type', [AgentStatusMsg, AgentEvidenceMsg]);
type AgentMessage = z.infer<typeof AgentMessage>;

/** Where what agents report goes next: the client side. */
export interface AgentReports {
  evidence(items: StoredEvidence[]): void;
  status(probeId: string, statuses: ProbeStatus[]): void;
}

export interface AgentHubDeps {
  verifier: SecretVerifier;
  registry: RegistryStore;
  probes: ProbeBook;
  probeStore: ProbeStore;
  /** Stores (group-committed) and publishes evidence. */
  ingest: EvidenceIngest;
  reports: AgentReports;
  audit: AuditLog;
  policy: PolicyBook;
  stats: RelayStats;
  relayVersion: string;
  log: (line: string) => void;
  now?: () => Date;
}

/** The `/agent` endpoint: one session per connected instance, and the push side of probe changes. */
export class AgentHub implements Endpoint<AgentHelloMsg, AgentMessage> {
  readonly helloType = 'agent.hello';
  readonly helloSchema = AgentHello;
  readonly messageSchema = AgentMessage;
  private readonly sessions = new Map<string, AgentSession>();

  constructor(private readonly deps: AgentHubDeps) {}

  open(hello: AgentHelloMsg, link: Link): Session<AgentMessage> {
    const { instance } = hello;
    if (!this.deps.verifier.isAgentKey(hello.agentKey)) {
      this.deps.stats.authFailures++;
      this.deps.audit.record({ actor: { name: link.remote, origin: 'unknown' }, action: 'auth.failed', details: { endpoint: 'agent', claimed: `${instance.service}/${instance.instanceId}` } });
      this.deps.log(`${link.remote}: agent refused: unknown agent key (claimed ${instance.service}/${instance.instanceId})`);
      throw new RuntruthError('unauthorized', 'unknown or revoked agent key');
    }
    const actor = agentActor(instance);
    const previous = this.sessions.get(instance.instanceId);
    const session = new AgentSession(instance, link, this.deps, () => {
      if (this.sessions.get(instance.instanceId) !== session) return; // replaced: the newer session owns the registry row
      this.sessions.delete(instance.instanceId);
      this.deps.registry.markDisconnected(instance.instanceId, this.now());
      this.deps.audit.record({ actor, action: 'agent.disconnected', target: instance.service });
      this.deps.log(`agent ${instance.service}/${instance.instanceId} disconnected`);
    });
    this.sessions.set(instance.instanceId, session);
    if (previous) {
      this.deps.log(`agent ${instance.service}/${instance.instanceId} reconnected; closing its older connection`);
      previous.link.close(CloseCode.replaced, 'replaced by a newer connection');
    }
    this.deps.registry.markConnected(instance, this.now());
    this.deps.audit.record({
      actor,
      action: 'agent.connected',
      target: instance.service,
      details: { remote: link.remote, host: instance.host, pid: instance.pid, labels: instance.labels, agentVersion: instance.agentVersion, mode: instance.mode, ...(instance.commit ? { commit: instance.commit } : {}) },
    });
    this.deps.log(`agent ${instance.service}/${instance.instanceId} connected from ${link.remote}`);
    send(link, { type: 'welcome', protocol: PROTOCOL_VERSION, relayVersion: this.deps.relayVersion });
    send(link, { type: 'probe.sync', probes: this.deps.probes.forInstance(instance) });
    return session;
  }

  get connectedCount(): number {
    return this.sessions.size;
  }

  probeAdded(probe: ProbeSpec): void {
    this.sendToHolders(probe, { type: 'probe.add', probe });
  }

  probeRemoved(probe: ProbeSpec): void {
    this.sendToHolders(probe, { type: 'probe.remove', probeId: probe.id });
  }

  private sendToHolders(probe: ProbeSpec, message: RelayToAgent): void {
    for (const session of this.sessions.values()) {
      if (selectorMatches(probe.selector, session.instance)) send(session.link, message);
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

class AgentSession implements Session<AgentMessage> {
  private warnedIgnored = false;

  constructor(
    readonly instance: InstanceInfo,
    readonly link: Link,
    private readonly deps: AgentHubDeps,
    readonly closed: () => void,
  ) {}

  handle(message: AgentMessage): void {
    if (message.type === 'probe.status') this.recordStatuses(message.statuses);
    else this.recordEvidence(message);
  }

  alive(): void {
    this.deps.registry.touch(this.instance.instanceId, this.now());
  }

  private recordStatuses(statuses: ProbeStatus[]): void {
    const changed = new Set<string>();
    for (const status of statuses) {
      if (!this.deps.probeStore.exists(status.probeId)) continue;
      // an agent speaks only for itself
      this.deps.probeStore.upsertStatus({ ...status, instanceId: this.instance.instanceId });
      changed.add(status.probeId);
      if (status.state === 'bound' && status.location) this.enforceBlocklist(status.probeId, status.location.url);
    }
    for (const probeId of changed) this.deps.reports.status(probeId, this.deps.probeStore.statuses(probeId));
  }

  /**
   * A probe's file is matched as a path suffix, so `login.ts` may bind inside a blocked `auth/` directory the
   * request never named. The bound script URL is the truth: a probe that lands in a blocked file is removed.
   */
  private enforceBlocklist(probeId: string, url: string): void {
    const pattern = this.deps.policy.blockedBy(url);
    if (!pattern || !this.deps.probes.get(probeId)) return;
    this.deps.probes.remove(probeId, SYSTEM, 'blocked', { instance: this.instance.instanceId, url, pattern });
  }

  private recordEvidence(message: z.infer<typeof AgentEvidenceMsg>): void {
    const { service, instanceId: instance } = this.instance;
    const batch: UnstoredEvidence[] = [];
    if (message.dropped) this.deps.stats.agentDropped += message.dropped;
    if (message.dropped) batch.push({ kind: 'gap', at: this.now().toISOString(), count: message.dropped, where: 'agent', service, instance });
    let ignored = 0;
    for (const item of message.items) {
      const probe = this.deps.probes.get(item.probeId);
      if (probe && selectorMatches(probe.selector, this.instance)) batch.push({ ...item, service, instance });
      else ignored++;
    }
    if (ignored > 0) {
      this.deps.stats.evidenceIgnored += ignored;
      if (!this.warnedIgnored) {
        this.warnedIgnored = true;
        this.deps.log(`agent ${service}/${instance}: ignoring evidence for probes it does not hold (reported once per connection)`);
      }
    }
    if (batch.length > 0) this.deps.ingest.add(batch);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function agentActor(instance: InstanceInfo): Actor {
  return { name: `agent:${instance.service}/${instance.instanceId}`, role: 'agent', origin: 'agent' };
}

function send(link: Link, message: RelayToAgent): void {
  link.send(message);
}
