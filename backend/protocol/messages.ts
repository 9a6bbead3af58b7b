import { z } from 'zod';
import { AgentEvidence, Evidence } from './evidence';
import { WireError } from './errors';
import { AuditEntry } from './audit';
import { Incident, IncidentId, IncidentStatus } from './incident';
import { AgentKeyView, Identity, NewAgentKey, NewToken, TokenId, TokenName, TokenView } from './identity';
import { FileGlob, NameRegex, Policy, PolicyPatch } from './policy';
import { Approval, Labels, MAX_PROBE_TTL_SECONDS, NewProbe, ProbeId, ProbeLifecycle, ProbeSpec, ProbeStatus, ServiceName } from './probe';

/** Bumped on any incompatible change; hellos carry it and the relay refuses versions it does not speak. */
export const PROTOCOL_VERSION = 1;
/** Largest frame either side accepts (bytes). */
export const MAX_FRAME_BYTES = 1024 * 1024;

const Secret = z.string().min(8).max(512);

// ---------------------------------------------------------------- agent -> relay

export const InstanceInfo = z.object({
  service: ServiceName,
  labels: Labels.default({}),
  instanceId: z.string().min(1).max(128),
  host: z.string().max(256),
  pid: z.int().min(0),
  runtime: z.object({ name: z.literal('node'), version: z.string().max(64) }),
  /** The deployed commit, when the agent could tell. */
  commit: z.string().regex(/^[0-9a-f]{7,64}$/).optional(),
  startedAt: z.iso.datetime(),
  agentVersion: z.string().max(64),
  mode: z.enum(['in-process', 'attach']),
});
export type InstanceInfo = z.infer<typeof InstanceInfo>;

export const AgentHello = z.object({
  type: z.literal('agent.hello'),
  protocol: z.int(),
  agentKey: Secret,
  instance: InstanceInfo,
  /**
   * Names this agent process's evidence stream: its evidence batches carry `seq` within it, and the relay acks
   * them once stored (only when its welcome says `evidenceAcks`). Absent: fire-and-forget, as in the first v1 agents.
   */
  evidenceStream: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
});
export const AgentStatusMsg = z.object({ type: z.literal('probe.status'), statuses: z.array(ProbeStatus).max(10_000) });
export const AgentEvidenceMsg = z.object({
  type: z.literal('evidence'),
  items: z.array(AgentEvidence).min(1).max(10_000),
  /** Items the agent dropped (its bounded buffers overflowed) since the previous batch. */
  dropped: z.int().min(0).optional(),
  /** This batch's number in the hello's `evidenceStream` (1, 2, ...): a batch re-sent after a reconnect keeps it, so the relay stores it once. */
  seq: z.int().min(1).optional(),
});

export const AgentToRelay = z.discriminatedUnion('type', [AgentHello, AgentStatusMsg, AgentEvidenceMsg]);
export type AgentToRelay = z.infer<typeof AgentToRelay>;

// ---------------------------------------------------------------- relay -> agent

export const Welcome = z.object({
  type: z.literal('welcome'),
  protocol: z.int(),
  relayVersion: z.string(),
  /** The relay acks sequenced evidence batches (`evidence.ack`) once they are stored: the agent keeps each until then. */
  evidenceAcks: z.boolean().optional(),
});
/** The complete set of probes this instance should hold (sent after hello and after a relay restart). */
export const ProbeSync = z.object({ type: z.literal('probe.sync'), probes: z.array(ProbeSpec) });
export const ProbeAdd = z.object({ type: z.literal('probe.add'), probe: ProbeSpec });
export const ProbeRemove = z.object({ type: z.literal('probe.remove'), probeId: ProbeId });
/** A failure about a message the receiver sent; `ref` echoes a request id when there was one. */
export const ErrorMsg = z.object({ type: z.literal('error'), error: WireError, ref: z.string().max(128).optional() });
/** Every evidence batch of this connection's stream up to `seq` is stored (committed): the agent may forget them. */
export const EvidenceAck = z.object({ type: z.literal('evidence.ack'), seq: z.int().min(1) });

/**
 * The relay policy's parts agents enforce themselves, before anything leaves the process: name rules for redaction
 * (on top of each agent's own) and files never to instrument. Sent after the welcome and whenever the policy changes;
 * each frame replaces the previous one.
 */
export const AgentPolicyMsg = z.object({
  type: z.literal('agent.policy'),
  redaction: z.object({ names: z.array(NameRegex).max(1000) }),
  blocklist: z.array(FileGlob).max(1000),
});
export type AgentPolicyMsg = z.infer<typeof AgentPolicyMsg>;

export const RelayToAgent = z.discriminatedUnion('type', [Welcome, ProbeSync, ProbeAdd, ProbeRemove, ErrorMsg, EvidenceAck, AgentPolicyMsg]);
export type RelayToAgent = z.infer<typeof RelayToAgent>;

// ---------------------------------------------------------------- client <-> relay

export const ClientHello = z.object({
  type: z.literal('client.hello'),
  protocol: z.int(),
  token: Secret,
  client: z.object({ name: z.string().max(64), version: z.string().max(64) }),
});

const RequestId = z.string().min(1).max(128);
const req = <M extends string, P extends z.ZodType>(method: M, params: P) =>
  z.object({ type: z.literal('request'), id: RequestId, method: z.literal(method), params });

export const ServicesListReq = req('services.list', z.object({}).default({}));
export const ProbeAddReq = req(
  'probe.add',
  z.object({
    probe: NewProbe,
    allowPending: z.boolean().optional(),
    /** `ai`: an assistant asked for this on a person's token; it waits for approval like any AI proposal. */
    origin: z.enum(['human', 'ai']).optional(),
  }),
);
export const ProbeListReq = req('probe.list', z.object({ service: ServiceName.optional() }).default({}));
export const ProbeRemoveReq = req('probe.remove', z.object({ probeId: ProbeId }));
export const EvidenceQueryReq = req(
  'evidence.query',
  z.object({
    probeId: ProbeId.optional(),
    service: ServiceName.optional(),
    afterId: z.int().min(0).optional(),
    limit: z.int().min(1).max(10_000).default(500),
  }),
);
/** Live evidence from now on (and from `afterId` when resuming), optionally for one probe or service. */
export const EvidenceSubscribeReq = req(
  'evidence.subscribe',
  z.object({ probeId: ProbeId.optional(), service: ServiceName.optional(), afterId: z.int().min(0).optional() }),
);
export const EvidenceUnsubscribeReq = req('evidence.unsubscribe', z.object({ subscription: z.string() }));
/** A person lets a proposed probe go live (its TTL starts now), or turns it down. */
export const ProbeApproveReq = req('probe.approve', z.object({ probeId: ProbeId }));
export const ProbeRejectReq = req('probe.reject', z.object({ probeId: ProbeId, reason: z.string().max(2000).optional() }));
/** A live probe lives `ttlSeconds` from now (longer or shorter than before); the policy's max TTL applies. */
export const ProbeExtendReq = req('probe.extend', z.object({ probeId: ProbeId, ttlSeconds: z.int().min(1).max(MAX_PROBE_TTL_SECONDS) }));
export const TokenCreateReq = req('token.create', NewToken);
export const TokenListReq = req('token.list', z.object({ includeInactive: z.boolean().optional() }).default({}));
/** By id, or by name (every active token with that name). */
export const TokenRevokeReq = req('token.revoke', z.object({ token: z.union([TokenId, TokenName]) }));
/** Agent keys per environment or pool; revoking one closes the connections of the agents that use it. */
export const AgentKeyCreateReq = req('agentkey.create', NewAgentKey);
export const AgentKeyListReq = req('agentkey.list', z.object({ includeInactive: z.boolean().optional() }).default({}));
export const AgentKeyRevokeReq = req('agentkey.revoke', z.object({ key: z.union([TokenId, TokenName]) }));
export const PolicyGetReq = req('policy.get', z.object({}).default({}));
/** Sets the named fields; `clear` removes optional ceilings (JSON has no way to send `undefined`). */
export const PolicySetReq = req('policy.set', z.object({ policy: PolicyPatch, clear: z.array(z.enum(['maxHits', 'maxPerSecond'])).optional() }));
/** Entries after `afterSeq` in order; with `newest`, the last `limit` entries instead. */
export const AuditQueryReq = req(
  'audit.query',
  z.object({ afterSeq: z.int().min(0).optional(), limit: z.int().min(1).max(10_000).default(1000), newest: z.boolean().optional() }).default({ limit: 1000 }),
);
/** Incidents from the alert webhook, newest first; `status` and `service` narrow the list. */
export const IncidentsListReq = req(
  'incidents.list',
  z.object({ status: IncidentStatus.optional(), service: ServiceName.optional(), limit: z.int().min(1).max(1000).default(100) }).default({ limit: 100 }),
);
export const IncidentsGetReq = req('incidents.get', z.object({ incidentId: IncidentId }));
/** A person closes an incident the alerting system will not resolve (e.g. a generic alert). */
export const IncidentsResolveReq = req('incidents.resolve', z.object({ incidentId: IncidentId, reason: z.string().max(2000).optional() }));

export const ClientRequest = z.discriminatedUnion('method', [
  ServicesListReq,
  ProbeAddReq,
  ProbeListReq,
  ProbeRemoveReq,
  EvidenceQueryReq,
  EvidenceSubscribeReq,
  EvidenceUnsubscribeReq,
  ProbeApproveReq,
  ProbeRejectReq,
  ProbeExtendReq,
  TokenCreateReq,
  TokenListReq,
  TokenRevokeReq,
  AgentKeyCreateReq,
  AgentKeyListReq,
  AgentKeyRevokeReq,
  PolicyGetReq,
  PolicySetReq,
  AuditQueryReq,
  IncidentsListReq,
  IncidentsGetReq,
  IncidentsResolveReq,
]);
export type ClientRequest = z.infer<typeof ClientRequest>;
export type Method = ClientRequest['method'];
export const requestSchemas = {
  'services.list': ServicesListReq,
  'probe.add': ProbeAddReq,
  'probe.list': ProbeListReq,
  'probe.remove': ProbeRemoveReq,
  'evidence.query': EvidenceQueryReq,
  'evidence.subscribe': EvidenceSubscribeReq,
  'evidence.unsubscribe': EvidenceUnsubscribeReq,
  'probe.approve': ProbeApproveReq,
  'probe.reject': ProbeRejectReq,
  'probe.extend': ProbeExtendReq,
  'token.create': TokenCreateReq,
  'token.list': TokenListReq,
  'token.revoke': TokenRevokeReq,
  'agentkey.create': AgentKeyCreateReq,
  'agentkey.list': AgentKeyListReq,
  'agentkey.revoke': AgentKeyRevokeReq,
  'policy.get': PolicyGetReq,
  'policy.set': PolicySetReq,
  'audit.query': AuditQueryReq,
  'incidents.list': IncidentsListReq,
  'incidents.get': IncidentsGetReq,
  'incidents.resolve': IncidentsResolveReq,
} as const satisfies Record<Method, z.ZodType>;
/** What a caller passes for a method (defaults not yet applied). */
export type ParamsOf<M extends Method> = z.input<(typeof requestSchemas)[M]>['params'];

export const InstanceView = InstanceInfo.extend({
  connected: z.boolean(),
  connectedAt: z.iso.datetime().optional(),
  lastSeenAt: z.iso.datetime(),
  /** Evidence items this instance reported dropping (its bounded buffers overflowed), over its lifetime. */
  evidenceDropped: z.int().min(0).optional(),
});
export const ServiceView = z.object({ service: ServiceName, instances: z.array(InstanceView) });
export const ProbeView = z.object({
  probe: ProbeSpec,
  statuses: z.array(ProbeStatus),
  /** Absent from relays that predate approvals: read as `live`. */
  state: ProbeLifecycle.optional(),
  approval: Approval.optional(),
});
export type ServiceView = z.infer<typeof ServiceView>;
export type ProbeView = z.infer<typeof ProbeView>;
export type InstanceView = z.infer<typeof InstanceView>;

export const PolicyView = z.object({ policy: Policy, updatedAt: z.iso.datetime().optional(), updatedBy: z.string().optional() });
export type PolicyView = z.infer<typeof PolicyView>;

/** The result type of each method: both sides use this map, so a reply cannot drift from its request. */
export const Results = {
  'services.list': z.object({ services: z.array(ServiceView) }),
  'probe.add': ProbeView,
  'probe.list': z.object({ probes: z.array(ProbeView) }),
  'probe.remove': z.object({ probeId: ProbeId, removed: z.boolean() }),
  'evidence.query': z.object({ items: z.array(Evidence), lastId: z.int().min(0) }),
  'evidence.subscribe': z.object({ subscription: z.string(), lastId: z.int().min(0) }),
  'evidence.unsubscribe': z.object({ subscription: z.string() }),
  'probe.approve': ProbeView,
  'probe.reject': ProbeView,
  'probe.extend': ProbeView,
  /** `secret` is shown exactly once: only its hash is kept. */
  'token.create': z.object({ token: TokenView, secret: Secret }),
  'token.list': z.object({ tokens: z.array(TokenView) }),
  'token.revoke': z.object({ revoked: z.array(TokenView) }),
  /** `secret` is shown exactly once: only its hash is kept. */
  'agentkey.create': z.object({ key: AgentKeyView, secret: Secret }),
  'agentkey.list': z.object({ keys: z.array(AgentKeyView) }),
  'agentkey.revoke': z.object({ revoked: z.array(AgentKeyView) }),
  'policy.get': PolicyView,
  'policy.set': PolicyView,
  'audit.query': z.object({ entries: z.array(AuditEntry), lastSeq: z.int().min(0) }),
  'incidents.list': z.object({ incidents: z.array(Incident) }),
  'incidents.get': Incident,
  'incidents.resolve': Incident,
} as const satisfies Record<Method, z.ZodType>;
export type ResultOf<M extends Method> = z.infer<(typeof Results)[M]>;

export const ClientToRelay = z.union([ClientHello, ClientRequest]);
export type ClientToRelay = z.infer<typeof ClientToRelay>;

export const Response = z.union([
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(false), error: WireError }),
]);
/** Pushed to clients: evidence for a subscription, and probe status changes. */
export const EvidenceEvent = z.object({ type: z.literal('evidence'), subscription: z.string(), items: z.array(Evidence) });
export const StatusEvent = z.object({ type: z.literal('probe.status'), probeId: ProbeId, statuses: z.array(ProbeStatus) });
/** A probe changed lifecycle state: proposed, approved (live), rejected, removed, expired. */
export const ProbeStateEvent = z.object({ type: z.literal('probe.state'), view: ProbeView });
/** An instance connected or disconnected (`instance.connected` says which), so clients need not poll services.list. */
export const InstanceEvent = z.object({ type: z.literal('instance'), service: ServiceName, instance: InstanceView });
export type InstanceEvent = z.infer<typeof InstanceEvent>;
/** An incident was opened, repeated or resolved (pushed to every client whose scope covers its service). */
export const IncidentEvent = z.object({ type: z.literal('incident'), incident: Incident });
export type IncidentEvent = z.infer<typeof IncidentEvent>;
export const ClientWelcome = z.object({
  type: z.literal('welcome'),
  protocol: z.int(),
  relayVersion: z.string(),
  identity: Identity,
});

export const RelayToClient = z.union([ClientWelcome, Response, EvidenceEvent, StatusEvent, ProbeStateEvent, InstanceEvent, IncidentEvent, ErrorMsg]);
export type RelayToClient = z.infer<typeof RelayToClient>;
