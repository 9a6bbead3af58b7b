import { z } from 'zod';
import { AgentEvidence, Evidence } from './evidence';
import { WireError } from './errors';
import { AuditEntry } from './audit';
import { Identity, NewToken, TokenId, TokenName, TokenView } from './identity';
import { Policy, PolicyPatch } from './policy';
import { Approval, Labels, NewProbe, ProbeId, ProbeLifecycle, ProbeSpec, ProbeStatus, ServiceName } from './probe';

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
});
export const AgentStatusMsg = z.object({ type: z.literal('probe.status'), statuses: z.array(ProbeStatus).max(10_000) });
export const AgentEvidenceMsg = z.object({ type: z.literal('evidence'), items: z.array(AgentEvidence).min(1).max(10_000), dropped: z.int().min(0).optional() });

export const AgentToRelay = z.discriminatedUnion('type', [AgentHello, AgentStatusMsg, AgentEvidenceMsg]);
export type AgentToRelay = z.infer<typeof AgentToRelay>;

// ---------------------------------------------------------------- relay -> agent

export const Welcome = z.object({ type: z.literal('welcome'), protocol: z.int(), relayVersion: z.string() });
/** The complete set of probes this instance should hold (sent after hello and after a relay restart). */
export const ProbeSync = z.object({ type: z.literal('probe.sync'), probes: z.array(ProbeSpec) });
export const ProbeAdd = z.object({ type: z.literal('probe.add'), probe: ProbeSpec });
export const ProbeRemove = z.object({ type: z.literal('probe.remove'), probeId: ProbeId });
/** A failure about a message the receiver sent; `ref` echoes a request id when there was one. */
export const ErrorMsg = z.object({ type: z.literal('error'), error: WireError, ref: z.string().max(128).optional() });

export const RelayToAgent = z.discriminatedUnion('type', [Welcome, ProbeSync, ProbeAdd, ProbeRemove, ErrorMsg]);
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
export const TokenCreateReq = req('token.create', NewToken);
export const TokenListReq = req('token.list', z.object({ includeInactive: z.boolean().optional() }).default({}));
/** By id, or by name (every active token with that name). */
export const TokenRevokeReq = req('token.revoke', z.object({ token: z.union([TokenId, TokenName]) }));
export const PolicyGetReq = req('policy.get', z.object({}).default({}));
/** Sets the named fields; `clear` removes optional ceilings (JSON has no way to send `undefined`). */
export const PolicySetReq = req('policy.set', z.object({ policy: PolicyPatch, clear: z.array(z.enum(['maxHits', 'maxPerSecond'])).optional() }));
/** Entries after `afterSeq` in order; with `newest`, the last `limit` entries instead. */
export const AuditQueryReq = req(
  'audit.query',
  z.object({ afterSeq: z.int().min(0).optional(), limit: z.int().min(1).max(10_000).default(1000), newest: z.boolean().optional() }).default({ limit: 1000 }),
);

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
  TokenCreateReq,
  TokenListReq,
  TokenRevokeReq,
  PolicyGetReq,
  PolicySetReq,
  AuditQueryReq,
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
  'token.create': TokenCreateReq,
  'token.list': TokenListReq,
  'token.revoke': TokenRevokeReq,
  'policy.get': PolicyGetReq,
  'policy.set': PolicySetReq,
  'audit.query': AuditQueryReq,
} as const satisfies Record<Method, z.ZodType>;
/** What a caller passes for a method (defaults not yet applied). */
export type ParamsOf<M extends Method> = z.input<(typeof requestSchemas)[M]>['params'];

export const InstanceView = InstanceInfo.extend({
  connected: z.boolean(),
  connectedAt: z.iso.datetime().optional(),
  lastSeenAt: z.iso.datetime(),
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
  /** `secret` is shown exactly once: only its hash is kept. */
  'token.create': z.object({ token: TokenView, secret: Secret }),
  'token.list': z.object({ tokens: z.array(TokenView) }),
  'token.revoke': z.object({ revoked: z.array(TokenView) }),
  'policy.get': PolicyView,
  'policy.set': PolicyView,
  'audit.query': z.object({ entries: z.array(AuditEntry), lastSeq: z.int().min(0) }),
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
export const ClientWelcome = z.object({
  type: z.literal('welcome'),
  protocol: z.int(),
  relayVersion: z.string(),
  identity: Identity,
});

export const RelayToClient = z.union([ClientWelcome, Response, EvidenceEvent, StatusEvent, ProbeStateEvent, ErrorMsg]);
export type RelayToClient = z.infer<typeof RelayToClient>;
