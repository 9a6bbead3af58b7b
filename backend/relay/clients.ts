import type { z } from 'zod';
import {
  ClientHello,
  ClientRequest,
  PROTOCOL_VERSION,
  RuntruthError,
  type ProbeStatus,
  type RelayToClient,
  type WireError,
} from '../protocol';
import type { AgentReports } from './agents';
import { authorize, type Identity } from './auth';
import { handleRequest } from './client-requests';
import type { Endpoint, Link, Session } from './connection';
import type { StoredEvidence } from './evidence-filter';
import { EvidenceOutbox, type OutboxLimits } from './outbox';
import type { ProbeBook } from './probes';
import type { SecretVerifier } from './secrets';
import type { RelayStats } from './stats';
import type { EvidenceStore } from './store-evidence';
import type { ProbeStore } from './store-probes';
import type { RegistryStore } from './store-registry';
import { ClientSubscriptions } from './subscriptions';

type ClientHelloMsg = z.infer<typeof ClientHello>;

export interface ClientHubDeps {
  verifier: SecretVerifier;
  registry: RegistryStore;
  probes: ProbeBook;
  probeStore: ProbeStore;
  evidence: EvidenceStore;
  outboxLimits: OutboxLimits;
  stats: RelayStats;
  relayVersion: string;
  log: (line: string) => void;
  now?: () => Date;
}

/** The `/client` endpoint: authenticated sessions that make requests and receive evidence and status pushes. */
export class ClientHub implements Endpoint<ClientHelloMsg, ClientRequest>, AgentReports {
  readonly helloType = 'client.hello';
  readonly helloSchema = ClientHello;
  readonly messageSchema = ClientRequest;
  private readonly sessions = new Set<ClientSession>();

  constructor(private readonly deps: ClientHubDeps) {}

  open(hello: ClientHelloMsg, link: Link): Session<ClientRequest> {
    const identity = this.deps.verifier.identityForToken(hello.token);
    if (!identity) {
      this.deps.log(`${link.remote}: client '${hello.client.name}' refused: unknown token`);
      throw new RuntruthError('unauthorized', 'unknown or revoked token');
    }
    const session = new ClientSession(identity, link, this.deps, () => this.sessions.delete(session));
    this.sessions.add(session);
    this.deps.log(`client '${hello.client.name}' ${hello.client.version} connected as ${identity.name} from ${link.remote}`);
    send(link, { type: 'welcome', protocol: PROTOCOL_VERSION, relayVersion: this.deps.relayVersion, identity });
    return session;
  }

  get connectedCount(): number {
    return this.sessions.size;
  }

  evidence(items: StoredEvidence[]): void {
    for (const session of this.sessions) session.subscriptions.publish(items);
  }

  status(probeId: string, statuses: ProbeStatus[]): void {
    for (const session of this.sessions) send(session.link, { type: 'probe.status', probeId, statuses });
  }
}

class ClientSession implements Session<ClientRequest> {
  readonly subscriptions: ClientSubscriptions;
  private readonly outbox: EvidenceOutbox;

  constructor(
    private readonly identity: Identity,
    readonly link: Link,
    private readonly deps: ClientHubDeps,
    private readonly forget: () => void,
  ) {
    this.outbox = new EvidenceOutbox(link, deps.outboxLimits, {
      room: () => this.subscriptions.pump(),
      dropped: (count) => (deps.stats.clientQueueDropped += count),
    });
    this.subscriptions = new ClientSubscriptions({ evidence: deps.evidence, outbox: this.outbox, now: deps.now });
  }

  /** Exactly one response per request, whatever happens inside. */
  handle(request: ClientRequest): void {
    if (!authorize(this.identity, request.method)) {
      return this.fail(request.id, { code: 'forbidden', message: `${this.identity.name} (${this.identity.role}) may not call ${request.method}` });
    }
    try {
      const result = handleRequest(request, { ...this.deps, identity: this.identity, subscriptions: this.subscriptions, now: () => this.deps.now?.() ?? new Date() });
      send(this.link, { type: 'response', id: request.id, ok: true, result });
    } catch (err) {
      if (err instanceof RuntruthError) return this.fail(request.id, err.toWire());
      this.deps.log(`${this.link.remote}: ${request.method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      this.fail(request.id, { code: 'internal', message: `the relay failed to handle ${request.method}; it has been logged` });
    }
  }

  closed(): void {
    this.subscriptions.clear();
    this.outbox.close();
    this.forget();
  }

  private fail(id: string, error: WireError): void {
    send(this.link, { type: 'response', id, ok: false, error });
  }
}

function send(link: Link, message: RelayToClient): void {
  link.send(message);
}
