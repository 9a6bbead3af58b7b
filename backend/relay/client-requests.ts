import type { ClientRequest, Identity, Method, ResultOf } from '../protocol';
import type { AgentKeys } from './agent-keys';
import type { AuditLog } from './audit';
import type { IncidentBook } from './incidents';
import type { PolicyBook } from './policy';
import type { ProbeBook } from './probes';
import { adminHandlers } from './requests-admin';
import { agentKeyHandlers } from './requests-agentkeys';
import { evidenceHandlers } from './requests-evidence';
import { incidentHandlers } from './requests-incidents';
import { probeHandlers } from './requests-probes';
import type { AuditStore } from './store-audit';
import type { EvidenceStore } from './store-evidence';
import type { ProbeStore } from './store-probes';
import type { RegistryStore } from './store-registry';
import type { ClientSubscriptions } from './subscriptions';
import type { TokenService } from './tokens';

/** Everything a request handler may use, for one client connection. */
export interface RequestContext {
  identity: Identity;
  /** Where the request came from, for the audit log. */
  remote: string;
  probes: ProbeBook;
  probeStore: ProbeStore;
  registry: RegistryStore;
  evidence: EvidenceStore;
  subscriptions: ClientSubscriptions;
  policy: PolicyBook;
  tokens: TokenService;
  agentKeys: AgentKeys;
  audit: AuditLog;
  auditStore: AuditStore;
  incidents: IncidentBook;
  now: () => Date;
}

export type RequestOf<M extends Method> = Extract<ClientRequest, { method: M }>;
export type Handler<M extends Method> = (params: RequestOf<M>['params'], ctx: RequestContext) => ResultOf<M>;
export type Handlers<M extends Method> = { [K in M]: Handler<K> };

/** One handler per method: the compiler fails here when a method is added to the protocol without one. */
const handlers: Handlers<Method> = { ...probeHandlers, ...evidenceHandlers, ...adminHandlers, ...agentKeyHandlers, ...incidentHandlers };

/** Answers one validated, authorized request; throws a RuntruthError for anything the caller got wrong. */
export function handleRequest(request: ClientRequest, ctx: RequestContext): ResultOf<Method> {
  const handler = handlers[request.method] as Handler<Method>;
  return handler(request.params as never, ctx);
}
