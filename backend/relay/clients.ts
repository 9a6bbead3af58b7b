import type { z } from 'zod';
import { ClientHello, ClientRequest, PROTOCOL_VERSION, RuntruthError, type Identity, type Incident, type ProbeStatus, type RelayToClient, type WireError } from '../protocol';
import type { AgentReports } from './agents';
import { actorOf } from './audit';
import type { AuthFailureAudit } from './auth-failures';
import { authorize } from './auth';
import { CloseCode } from './close-codes';
import { handleRequest, type RequestContext } from './client-requests';
import type { Endpoint, Link, Session } from './connection';
import type { StoredEvidence } from './evidence-filter';
import { EvidenceOutbox, type OutboxLimits } from './outbox';
import type { RequestLimiter } from './rate-limit';
import { incidentInScope } from './requests-incidents';
import { view } from './requests-probes';
import { labelsInScope, probeInScope, serviceInScope } from './scope';
import type { SecretVerifier } from './secrets';
import type { RelayStats } from './stats';
import type { SecretStore } from './store-secrets';
import type { ProbeRecord } from './store-probes';
import { ClientSubscriptions } from './subscriptions';

type ClientHelloMsg = z.infer<typeof ClientHello>;

export type ClientHubDeps = Omit<RequestContext, 'identity' | 'remote' | 'subscriptions' | 'now'> & {
  verifier: SecretVerifier;
  /** Audits failed hellos, capped per source and minute. */
  failures: AuthFailureAudit;
  secrets: SecretStore;
  limiter: RequestLimiter;
  outboxLimits: OutboxLimits;
  stats: RelayStats;
  relayVersion: string;
  log: (line: string) => void;
  now?: () => Date;
};

/** The `/client` endpoint: authenticated sessions that make requests and receive evidence, status and lifecycle pushes. */
export class ClientHub implements Endpoint<ClientHelloMsg, ClientRequest>, AgentReports {
  readonly helloType = 'client.hello';
  readonly helloSchema = ClientHello;
  readonly messageSchema = ClientRequest;
  private readonly sessions = new Set<ClientSession>();

  constructor(private readonly deps: ClientHubDeps) {}

  open(hello: ClientHelloMsg, link: Link): Session<ClientRequest> {
    const now = this.now();
    const check = this.deps.verifier.checkToken(hello.token, now);
    if (!check.ok) {
      const known = check.tokenId ? { tokenId: check.tokenId, name: check.name } : {};
      this.deps.failures.record(link.remote, { endpoint: 'client', reason: check.reason, client: hello.client.name, ...known });
      this.deps.log(`${link.remote}: client '${hello.client.name}' refused: ${check.reason} token${check.tokenId ? ` ${check.tokenId}` : ''}`);
      throw new RuntruthError('unauthorized', check.reason === 'expired' ? 'token expired' : 'unknown or revoked token');
    }
    const { identity } = check;
    this.deps.secrets.touch(check.rowId, now);
    this.deps.audit.record({ actor: actorOf(identity), action: 'token.used', target: identity.tokenId, details: { client: `${hello.client.name} ${hello.client.version}`, remote: link.remote } });
    const session = new ClientSession(identity, link, this.deps, () => this.sessions.delete(session));
    this.sessions.add(session);
    this.deps.log(`client '${hello.client.name}' ${hello.client.version} connected as ${identity.name} (${identity.tokenId}) from ${link.remote}`);
    send(link, { type: 'welcome', protocol: PROTOCOL_VERSION, relayVersion: this.deps.relayVersion, identity });
    return session;
  }

  get connectedCount(): number {
    return this.sessions.size;
  }

  /** Queued evidence items per connected client, for /metrics. */
  queueDepths(): number[] {
    return [...this.sessions].map((s) => s.queued);
  }

  evidence(items: StoredEvidence[]): void {
    for (const session of this.sessions) session.subscriptions.publish(items);
  }

  status(probeId: string, statuses: ProbeStatus[]): void {
    const record = this.deps.probes.record(probeId) ?? this.deps.probeStore.find(probeId);
    for (const session of this.sessions) {
      if (!record || probeInScope(session.identity, record.probe)) send(session.link, { type: 'probe.status', probeId, statuses });
    }
  }

  /** Pushes an instance's connect/disconnect to the clients whose scope covers it (they stop waiting for a poll). */
  instanceChanged(service: string, instanceId: string): void {
    const instance = this.deps.registry.instance(instanceId);
    if (!instance || instance.service !== service) return;
    const event: RelayToClient = { type: 'instance', service, instance };
    for (const session of this.sessions) {
      if (serviceInScope(session.identity, service) && labelsInScope(session.identity, instance.labels)) send(session.link, event);
    }
  }

  /** An incident was opened, repeated or resolved: told to every client whose scope covers its service. */
  incidentChanged(incident: Incident): void {
    const event: RelayToClient = { type: 'incident', incident };
    for (const session of this.sessions) if (incidentInScope(session.identity, incident)) send(session.link, event);
  }

  /** A probe was proposed, approved, rejected, removed or expired. */
  probeChanged(record: ProbeRecord): void {
    const event: RelayToClient = { type: 'probe.state', view: view(record, this.deps) };
    for (const session of this.sessions) if (probeInScope(session.identity, record.probe)) send(session.link, event);
  }

  /**
   * Revoked tokens lose their open connections at once, not at their next hello. Deferred a turn so a token
   * revoking itself still gets its response first.
   */
  revoked(tokenIds: readonly string[]): void {
    const doomed = [...this.sessions].filter((s) => s.identity.tokenId !== undefined && tokenIds.includes(s.identity.tokenId));
    if (doomed.length) setImmediate(() => doomed.forEach((s) => s.end('token revoked')));
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

class ClientSession implements Session<ClientRequest> {
  readonly subscriptions: ClientSubscriptions;
  private readonly outbox: EvidenceOutbox;
  private readonly rateKey: string;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly identity: Identity,
    readonly link: Link,
    private readonly deps: ClientHubDeps,
    private readonly forget: () => void,
  ) {
    this.outbox = new EvidenceOutbox(link, deps.outboxLimits, {
      room: () => this.subscriptions.pump(),
      dropped: (count) => (deps.stats.clientQueueDropped += count),
    });
    this.subscriptions = new ClientSubscriptions({ evidence: deps.evidence, outbox: this.outbox, now: deps.now, labelsOf: (id) => deps.registry.labelsOf(id) });
    this.rateKey = identity.tokenId ?? identity.name;
    if (identity.expiresAt) this.endAt(Date.parse(identity.expiresAt));
  }

  /** A token that expires mid-session stops receiving pushes then, not at its next request. */
  private endAt(when: number): void {
    const delay = when - (this.deps.now?.() ?? new Date()).getTime();
    if (delay <= 0) return this.end('token expired');
    // setTimeout cannot wait longer than ~24.8 days: re-arm until the day comes
    this.expiryTimer = setTimeout(() => this.endAt(when), Math.min(delay, 2 ** 31 - 1));
    this.expiryTimer.unref();
  }

  get queued(): number {
    return this.outbox.size;
  }

  /** Exactly one response per request, whatever happens inside. */
  handle(request: ClientRequest): void {
    const now = this.deps.now?.() ?? new Date();
    if (this.identity.expiresAt && Date.parse(this.identity.expiresAt) <= now.getTime()) return this.end('token expired', request.id);
    this.deps.stats.requests[request.method] = (this.deps.stats.requests[request.method] ?? 0) + 1;
    const waitMs = this.deps.limiter.take(this.rateKey);
    if (waitMs > 0) {
      this.deps.stats.rateLimited++;
      return this.fail(request.id, { code: 'rate_limited', message: `too many requests from ${this.identity.name}; retry in ${waitMs} ms`, details: { retryAfterMs: waitMs } });
    }
    const decision = authorize(this.identity, request.method);
    if (!decision.allowed) return this.deny(request, decision.why);
    try {
      const result = handleRequest(request, { ...this.deps, identity: this.identity, remote: this.link.remote, subscriptions: this.subscriptions, now: () => this.deps.now?.() ?? new Date() });
      send(this.link, { type: 'response', id: request.id, ok: true, result });
    } catch (err) {
      if (err instanceof RuntruthError) {
        if (err.code === 'forbidden') return this.deny(request, err.message);
        return this.fail(request.id, err.toWire());
      }
      this.deps.log(`${this.link.remote}: ${request.method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      this.fail(request.id, { code: 'internal', message: `the relay failed to handle ${request.method}; it has been logged` });
    }
  }

  /** Ends the session because its token stopped being valid: a typed error, then close 4401 (do not retry). */
  end(why: string, ref?: string): void {
    if (ref !== undefined) this.fail(ref, { code: 'unauthorized', message: why });
    else this.link.sendError({ code: 'unauthorized', message: why });
    this.link.close(CloseCode.unauthorized, why);
  }

  closed(): void {
    clearTimeout(this.expiryTimer);
    this.subscriptions.clear();
    this.outbox.close();
    this.forget();
  }

  private deny(request: ClientRequest, why: string): void {
    this.deps.stats.denied++;
    this.deps.audit.record({ actor: actorOf(this.identity), action: 'request.denied', target: request.method, details: { why, remote: this.link.remote } });
    this.fail(request.id, { code: 'forbidden', message: why });
  }

  private fail(id: string, error: WireError): void {
    send(this.link, { type: 'response', id, ok: false, error });
  }
}

function send(link: Link, message: RelayToClient): void {
  link.send(message);
}
