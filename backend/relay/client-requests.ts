import { RuntruthError, type ClientRequest, type Evidence, type Method, type ProbeSpec, type ProbeView, type ResultOf } from '../protocol';
import type { Identity } from './auth';
import type { EvidenceFilter } from './evidence-filter';
import type { ProbeBook } from './probes';
import { relayGap } from './subscriptions';
import type { ClientSubscriptions } from './subscriptions';
import type { EvidenceStore } from './store-evidence';
import type { ProbeStore } from './store-probes';
import type { RegistryStore } from './store-registry';

/** Everything a request handler may use, for one client connection. */
export interface RequestContext {
  identity: Identity;
  probes: ProbeBook;
  probeStore: ProbeStore;
  registry: RegistryStore;
  evidence: EvidenceStore;
  subscriptions: ClientSubscriptions;
  now: () => Date;
}

type RequestOf<M extends Method> = Extract<ClientRequest, { method: M }>;

/** Answers one validated request; throws a RuntruthError for anything the caller got wrong. */
export function handleRequest(request: ClientRequest, ctx: RequestContext): ResultOf<Method> {
  switch (request.method) {
    case 'services.list':
      return { services: ctx.registry.services() };
    case 'probe.add':
      return addProbe(request.params, ctx);
    case 'probe.list':
      return { probes: ctx.probes.list(request.params.service).map((p) => view(p, ctx)) };
    case 'probe.remove':
      return { probeId: request.params.probeId, removed: ctx.probes.remove(request.params.probeId) };
    case 'evidence.query':
      return queryEvidence(request.params, ctx);
    case 'evidence.subscribe': {
      const { afterId, ...wanted } = request.params;
      return ctx.subscriptions.add(resolveFilter(wanted, ctx), afterId);
    }
    case 'evidence.unsubscribe':
      ctx.subscriptions.remove(request.params.subscription);
      return { subscription: request.params.subscription };
  }
}

function addProbe({ probe, allowPending }: RequestOf<'probe.add'>['params'], ctx: RequestContext): ProbeView {
  const added = ctx.probes.add(probe, { createdBy: ctx.identity.name, allowPending });
  return { probe: added, statuses: [] };
}

function queryEvidence(params: RequestOf<'evidence.query'>['params'], ctx: RequestContext): ResultOf<'evidence.query'> {
  const filter = resolveFilter(params, ctx);
  const afterId = params.afterId ?? 0;
  const stored = ctx.evidence.after(afterId, filter, params.limit);
  const prunedThrough = ctx.evidence.prunedThrough();
  const items: Evidence[] = params.afterId !== undefined && afterId < prunedThrough ? [relayGap(prunedThrough - afterId, ctx.now()), ...stored] : stored;
  return { items, lastId: stored.length ? stored[stored.length - 1].id : afterId };
}

/** A probe filter also needs the probe's service, to include that service's agent gap markers. */
function resolveFilter(wanted: { probeId?: string; service?: string }, ctx: RequestContext): EvidenceFilter {
  if (wanted.probeId === undefined) return { service: wanted.service };
  const found = ctx.probeStore.find(wanted.probeId);
  if (!found) throw new RuntruthError('not_found', `no probe '${wanted.probeId}'`);
  return { probeId: wanted.probeId, service: wanted.service, probeService: found.probe.selector.service };
}

function view(probe: ProbeSpec, ctx: RequestContext): ProbeView {
  return { probe, statuses: ctx.probeStore.statuses(probe.id) };
}
