import { z } from 'zod';
import {
  AgentEvidenceMsg,
  AgentHello,
  AgentStatusMsg,
  PROTOCOL_VERSION,
  selectorMatches,
  type InstanceInfo,
  type ProbeSpec,
  type ProbeStatus,
  type RelayToAgent,
} from '../protocol';
import { AgentEvidenceReceiver } from './agent-evidence';
import type { AgentGrant, AgentKeys } from './agent-keys';
import { SYSTEM, type Actor, type AuditLog } from './audit';
import type { Endpoint, Link, Session } from './connection';
import type { Policy } from '../protocol/policy';
import type { PolicyBook } from './policy';
import { CloseCode } from './close-codes';
import type { StoredEvidence } from './evidence-filter';
import type { EvidenceIngest } from './evidence-ingest';
import type { ProbeBook } from './probes';
import type { RelayStats } from './stats';
import type { ProbeStore } from './store-probes';
import type { RegistryStore } from './store-registry';
import type { EvidenceStreamStore } from './store-streams';

type AgentHelloMsg = z.infer<typeof AgentHello>;
const AgentMessage = z.discriminatedUnion('type', [AgentStatusMsg, AgentEvidenceMsg]);
type AgentMessage = z.infer<typeof AgentMessage>;

/** Where what agents report goes next: the client side. */
export interface AgentReports {
  evidence(items: StoredEvidence[]): void;
  status(probeId: string, statuses: ProbeStatus[]): void;
  /** An instance connected or disconnected (the registry already says which). */
  instanceChanged(service: string, instanceId: string): void;
}

export interface AgentHubDeps {
  /** Admits (or refuses) each hello's agent key. */
  keys: Pick<AgentKeys, 'admit'>;
  /** Where each acknowledged evidence stream got to. */
  streams: EvidenceStreamStore;
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

  constructor(private readonly deps: AgentHubDeps) {
    // agents redact and refuse blocked files themselves: a policy change reaches every connected one
    deps.policy.onChange?.((policy) => {
      for (const session of this.sessions.values()) send(session.link, agentPolicyFrame(policy));
    });
  }

  open(hello: AgentHelloMsg, link: Link): Session<AgentMessage> {
    const { instance } = hello;
    const grant = this.deps.keys.admit(hello.agentKey, instance, link.remote);
    const actor = agentActor(instance);
    const previous = this.sessions.get(instance.instanceId);
    const session = new AgentSession(instance, link, this.deps, grant, hello.evidenceStream, () => {
      if (this.sessions.get(instance.instanceId) !== session) return; // replaced: the newer session owns the registry row
      this.sessions.delete(instance.instanceId);
      this.deps.registry.markDisconnected(instance.instanceId, this.now());
      this.deps.reports.instanceChanged(instance.service, instance.instanceId);
      this.deps.audit.record({ actor, action: 'agent.disconnected', target: instance.service });
      this.deps.log(`agent ${instance.service}/${instance.instanceId} disconnected`);
    });
    this.sessions.set(instance.instanceId, session);
    if (previous) {
      this.deps.log(`agent ${instance.service}/${instance.instanceId} reconnected; closing its older connection`);
      previous.link.close(CloseCode.replaced, 'replaced by a newer connection');
    }
    this.deps.registry.markConnected(instance, this.now());
    this.deps.reports.instanceChanged(instance.service, instance.instanceId);
    this.deps.audit.record({
      actor,
      action: 'agent.connected',
      target: instance.service,
      details: { remote: link.remote, key: grant.keyName, host: instance.host, pid: instance.pid, labels: instance.labels, agentVersion: instance.agentVersion, mode: instance.mode, ...(instance.commit ? { commit: instance.commit } : {}) },
    });
    this.deps.log(`agent ${instance.service}/${instance.instanceId} connected from ${link.remote}`);
    send(link, { type: 'welcome', protocol: PROTOCOL_VERSION, relayVersion: this.deps.relayVersion, evidenceAcks: true });
    send(link, agentPolicyFrame(this.deps.policy.policy));
    send(link, { type: 'probe.sync', probes: this.deps.probes.forInstance(instance) });
    return session;
  }

  get connectedCount(): number {
    return this.sessions.size;
  }

  /** Instances connected with this agent key now. */
  connectedWith(keyId: string): number {
    let n = 0;
    for (const session of this.sessions.values()) if (session.grant.keyId === keyId) n++;
    return n;
  }

  /** Revoked agent keys lose their agents' connections at once (closed 4401: the agents stop retrying). */
  keysRevoked(keyIds: readonly string[]): void {
    for (const session of this.sessions.values()) if (keyIds.includes(session.grant.keyId)) session.end('agent key revoked');
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
  private readonly evidence: AgentEvidenceReceiver;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly instance: InstanceInfo,
    readonly link: Link,
    private readonly deps: AgentHubDeps,
    readonly grant: AgentGrant,
    evidenceStream: string | undefined,
    private readonly onClosed: () => void,
  ) {
    this.evidence = new AgentEvidenceReceiver(instance, evidenceStream, link, deps);
    if (grant.expiresAt) this.endAt(Date.parse(grant.expiresAt));
  }

  handle(message: AgentMessage): void {
    if (message.type === 'probe.status') this.recordStatuses(message.statuses);
    else this.evidence.receive(message);
  }

  closed(): void {
    clearTimeout(this.expiryTimer);
    this.evidence.close();
    this.onClosed();
  }

  /** The key stopped being valid: a typed error, then close 4401 (the agent does not retry with it). */
  end(why: string): void {
    this.link.sendError({ code: 'unauthorized', message: why });
    this.link.close(CloseCode.unauthorized, why);
  }

  /** A key that expires mid-connection ends it then, not at the agent's next hello. */
  private endAt(when: number): void {
    const delay = when - this.now().getTime();
    if (delay <= 0) return this.expired();
    this.expiryTimer = setTimeout(() => this.endAt(when), Math.min(delay, 2 ** 31 - 1));
    this.expiryTimer.unref();
  }

  /** Audited like a revocation, but the key pool is the actor: no person ended this connection. */
  private expired(): void {
    const { keyId, keyName, expiresAt } = this.grant;
    const instance = `${this.instance.service}/${this.instance.instanceId}`;
    this.deps.audit.record({ actor: { name: `agent-key:${keyName}`, origin: 'system' }, action: 'agentkey.expired', target: keyId, details: { reason: 'expired', key: keyName, instance, expiresAt } });
    this.deps.log(`agent ${instance}: agent key ${keyId} '${keyName}' expired; closing its connection`);
    this.end('agent key expired');
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

/** The part of the relay policy agents enforce before anything leaves their process. */
function agentPolicyFrame(policy: Policy): RelayToAgent {
  return { type: 'agent.policy', redaction: { names: policy.redaction }, blocklist: policy.fileBlocklist };
}
